package jsonschema

import (
	"math/big"

	"github.com/charter-registry/charter/internal/jsontext"
)

// modern builds n for drafts 2019-09 and 2020-12 the way Confluent
// translates them for its diff: every keyword gives a partial schema, in
// document order; partial string, number, object and array schemas merge
// into one of their class, and anything else stands beside them in a
// synthetic allOf. "$ref" is one keyword among others here, "$id" and
// "format" give nothing, and an empty "properties" gives nothing either.
func (b *builder) modern(n *node, v *value, loc string, doc *document, draft int) {
	var parts []*node
	add := func(p *node) {
		if p == nil {
			return
		}
		switch p.kind {
		case kString, kNumber, kObject, kArray:
			for _, q := range parts {
				if q.kind == p.kind {
					mergeInto(q, p)
					return
				}
			}
		}
		parts = append(parts, p)
	}
	prefixCount := 0
	if pi := v.Get("prefixItems"); pi != nil && pi.Kind == jsontext.Array && draft >= 2020 {
		prefixCount = len(pi.Elems)
	}
	condDone := false
	for _, m := range v.Members {
		x := m.Value
		switch m.Key {
		case "$ref":
			p := newPart(kRef, v, doc)
			p.refLoc = b.c.refs[loc]
			b.pending = append(b.pending, p)
			add(p)
		case "type":
			switch x.Kind {
			case jsontext.String:
				add(modernTyped(x.Str, v, doc))
			case jsontext.Array:
				p := newPart(kCombined, v, doc)
				p.criterion = critAny
				for _, el := range x.Elems {
					if s, ok := el.Text(); ok {
						if q := modernTyped(s, v, doc); q != nil {
							p.subs = append(p.subs, q)
						}
					}
				}
				add(p)
			}
		case "enum":
			if x.Kind == jsontext.Array {
				p := newPart(kEnum, v, doc)
				p.values = x.Elems
				add(p)
			}
		case "const":
			p := newPart(kConst, v, doc)
			p.values = []*value{x}
			add(p)
		case critAll, critAny, critOne:
			if x.Kind == jsontext.Array {
				add(b.modernCombined(m.Key, x, childLoc(loc, m.Key), v, doc, draft))
			}
		case "not":
			p := newPart(kNot, v, doc)
			p.not = b.build(x, childLoc(loc, "not"), doc, draft)
			add(p)
		case "if", "then", "else":
			if !condDone {
				condDone = true
				add(b.conditional(v, loc, doc, draft))
			}
		case "minLength", "maxLength", "pattern":
			p := newPart(kString, v, doc)
			switch m.Key {
			case "minLength":
				p.minLength = ratOf(x)
			case "maxLength":
				p.maxLength = ratOf(x)
			default:
				if s, ok := x.Text(); ok {
					p.pattern = &s
				}
			}
			add(p)
		case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
			p := newPart(kNumber, v, doc)
			r := ratOf(x)
			switch m.Key {
			case "minimum":
				p.minimum = r
			case "maximum":
				p.maximum = r
			case "exclusiveMinimum":
				p.exclMinimum = r
			case "exclusiveMaximum":
				p.exclMaximum = r
			default:
				p.multipleOf = r
			}
			add(p)
		default:
			if p := b.modernObjectKeyword(m.Key, x, v, loc, doc, draft); p != nil {
				add(p)
			} else if p := b.modernArrayKeyword(m.Key, x, v, loc, doc, draft, prefixCount); p != nil {
				add(p)
			}
		}
	}
	setParts(n, parts)
	if n.kind == kRef {
		// A lone "$ref" was copied into n; link n itself too.
		b.pending = append(b.pending, n)
	}
}

// modernTyped is the schema a "type" value names, with no keywords: those
// arrive as partial schemas of their own and merge into it.
func modernTyped(t string, v *value, doc *document) *node {
	switch t {
	case "string":
		return newPart(kString, v, doc)
	case "integer", "number":
		p := newPart(kNumber, v, doc)
		p.requiresInteger = t == "integer"
		return p
	case "boolean":
		return newPart(kBoolean, v, doc)
	case "null":
		return newPart(kNull, v, doc)
	case "array":
		return newPart(kArray, v, doc)
	case "object":
		return newPart(kObject, v, doc)
	}
	return nil
}

// modernCombined builds allOf/anyOf/oneOf; a subschema that is itself a
// synthetic allOf is spliced into the list, as the translation does.
func (b *builder) modernCombined(crit string, a *value, loc string, v *value, doc *document, draft int) *node {
	p := newPart(kCombined, v, doc)
	p.criterion = crit
	for _, s := range b.buildList(a, loc, doc, draft) {
		if s.kind == kCombined && s.synthetic {
			p.subs = append(p.subs, s.subs...)
		} else {
			p.subs = append(p.subs, s)
		}
	}
	return p
}

func (b *builder) modernObjectKeyword(key string, x, v *value, loc string, doc *document, draft int) *node {
	p := newPart(kObject, v, doc)
	switch key {
	case "properties":
		if x.Kind != jsontext.Object || len(x.Members) == 0 {
			return nil
		}
		pl := childLoc(loc, "properties")
		for _, m := range x.Members {
			p.addProp(m.Key, b.build(m.Value, childLoc(pl, m.Key), doc, draft))
		}
	case "patternProperties":
		if x.Kind != jsontext.Object || len(x.Members) == 0 {
			return nil
		}
		b.patternProps(p, v, loc, doc, draft)
	case "additionalProperties":
		s := b.build(x, childLoc(loc, key), doc, draft)
		switch s.kind {
		case kFalse:
			p.noAdditionalProps = true
		case kTrue:
		default:
			p.additionalProps = s
		}
	case "required":
		p.required = stringList(x)
	case "dependentRequired":
		if x.Kind == jsontext.Object {
			for _, m := range x.Members {
				if req := stringList(m.Value); len(req) > 0 {
					p.propDeps = append(p.propDeps, propDep{m.Key, req})
				}
			}
		}
	case "dependentSchemas":
		if x.Kind == jsontext.Object {
			dl := childLoc(loc, key)
			for _, m := range x.Members {
				p.schemaDeps = append(p.schemaDeps, schemaDep{m.Key, b.build(m.Value, childLoc(dl, m.Key), doc, draft)})
			}
		}
	case "propertyNames":
	case "minProperties":
		p.minProps = ratOf(x)
	case "maxProperties":
		p.maxProps = ratOf(x)
	case "unevaluatedProperties":
		p.unevalProps = b.build(x, childLoc(loc, key), doc, draft)
	default:
		return nil
	}
	return p
}

func (b *builder) modernArrayKeyword(key string, x, v *value, loc string, doc *document, draft, prefixCount int) *node {
	p := newPart(kArray, v, doc)
	switch key {
	case "items":
		if x.Kind == jsontext.Array { // 2019-09 tuple form
			p.itemSchemas = b.buildList(x, childLoc(loc, key), doc, draft)
			break
		}
		s := b.build(x, childLoc(loc, key), doc, draft)
		switch {
		case s.kind == kFalse:
			p.noAdditionalItems = true
		case s.kind == kTrue:
		case prefixCount == 0:
			p.allItems = s
		default:
			p.additionalItems = s
		}
	case "additionalItems":
		if draft >= 2020 {
			return nil
		}
		if x.Kind == jsontext.Bool {
			p.noAdditionalItems = !x.True()
		} else {
			p.additionalItems = b.build(x, childLoc(loc, key), doc, draft)
		}
	case "prefixItems":
		if draft < 2020 || x.Kind != jsontext.Array {
			return nil
		}
		p.itemSchemas = b.buildList(x, childLoc(loc, key), doc, draft)
		if p.itemSchemas == nil {
			p.itemSchemas = []*node{}
		}
	case "contains":
		// minContains defaults to 1 once "contains" is there.
		p.minContains = ratOf(v.Get("minContains"))
		if p.minContains == nil {
			p.minContains = big.NewRat(1, 1)
		}
		p.maxContains = ratOf(v.Get("maxContains"))
	case "minItems":
		p.minItems = ratOf(x)
	case "maxItems":
		p.maxItems = ratOf(x)
	case "uniqueItems":
		p.uniqueItems = x.Kind == jsontext.Bool && x.True()
	case "unevaluatedItems":
		p.unevalItems = b.build(x, childLoc(loc, key), doc, draft)
	default:
		return nil
	}
	return p
}

// mergeInto folds the partial schema p into q of the same class.
func mergeInto(q, p *node) {
	pick := func(dst **big.Rat, src *big.Rat) {
		if src != nil {
			*dst = src
		}
	}
	switch q.kind {
	case kString:
		pick(&q.minLength, p.minLength)
		pick(&q.maxLength, p.maxLength)
		if p.pattern != nil {
			q.pattern = p.pattern
		}
	case kNumber:
		pick(&q.minimum, p.minimum)
		pick(&q.maximum, p.maximum)
		pick(&q.exclMinimum, p.exclMinimum)
		pick(&q.exclMaximum, p.exclMaximum)
		pick(&q.multipleOf, p.multipleOf)
		q.requiresInteger = q.requiresInteger || p.requiresInteger
	case kObject:
		for _, pr := range p.props {
			q.addProp(pr.name, pr.schema)
		}
		q.required = append(q.required, p.required...)
		q.noAdditionalProps = q.noAdditionalProps || p.noAdditionalProps
		if p.additionalProps != nil {
			q.additionalProps = p.additionalProps
		}
		q.patternProps = append(q.patternProps, p.patternProps...)
		q.propDeps = append(q.propDeps, p.propDeps...)
		q.schemaDeps = append(q.schemaDeps, p.schemaDeps...)
		pick(&q.minProps, p.minProps)
		pick(&q.maxProps, p.maxProps)
		if p.unevalProps != nil {
			q.unevalProps = p.unevalProps
		}
	case kArray:
		if p.allItems != nil {
			q.allItems = p.allItems
		}
		if p.itemSchemas != nil {
			q.itemSchemas = p.itemSchemas
		}
		q.noAdditionalItems = q.noAdditionalItems || p.noAdditionalItems
		if p.additionalItems != nil {
			q.additionalItems = p.additionalItems
		}
		pick(&q.minItems, p.minItems)
		pick(&q.maxItems, p.maxItems)
		q.uniqueItems = q.uniqueItems || p.uniqueItems
		if p.unevalItems != nil {
			q.unevalItems = p.unevalItems
		}
		pick(&q.minContains, p.minContains)
		pick(&q.maxContains, p.maxContains)
	}
}
