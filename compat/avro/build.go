package avro

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/charter-registry/charter/internal/jsontext"
	havro "github.com/hamba/avro/v2"
)

// hamba's parser turns the JSON text into maps and decodes every schema
// object into a struct with mapstructure (reflection), which made it the
// largest cost of a registration. build makes the same hamba schema from
// the tree the scan has already read, with hamba's own constructors, so
// hamba still validates names, symbols, unions and defaults. It takes only
// texts whose parse it can repeat exactly: any value of an unusual type (a
// number where hamba reads a string, a number it would round), any name
// defined by another text, and any error at all send the text to hamba's
// parser instead, which then gives the answer and the error message. The
// result is the schema hamba's parser returns: definitions where a name is
// first used, and a reference schema at every later use (hamba's
// derefSchema).

// errSlow says that build cannot repeat hamba's parse of a text exactly.
var errSlow = errors.New("avro: the text needs hamba's parser")

// build parses tree, a text whose schema and field objects the scan
// listed in objects, as hamba would into cache. On success the named types
// it defines are added to cache; on errSlow cache is untouched.
func build(tree *node, objects map[*node]bool, cache *havro.SchemaCache) (s havro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, errSlow // hamba's parse reports it in its own words
		}
	}()
	b := &builder{objects: objects, names: map[string]havro.Schema{}}
	s, err = b.typ("", tree)
	if err != nil {
		return nil, errSlow
	}
	for name, def := range b.names {
		cache.Add(name, def)
	}
	return s, nil
}

type builder struct {
	objects map[*node]bool
	// names holds what hamba's cache would: a reference schema by the full
	// name of each record, enum and fixed, the record's reference by each
	// of its aliases, and an enum or fixed itself by each of its aliases.
	names map[string]havro.Schema
}

func (b *builder) typ(ns string, n *node) (havro.Schema, error) {
	switch n.Kind {
	case jsontext.Null:
		return &havro.NullSchema{}, nil
	case jsontext.String:
		return b.named(ns, n.Str)
	case jsontext.Object:
		return b.complex(ns, n)
	case jsontext.Array:
		types := make([]havro.Schema, len(n.Elems))
		for i, e := range n.Elems {
			t, err := b.typ(ns, e)
			if err != nil {
				return nil, err
			}
			types[i] = t
		}
		return havro.NewUnionSchema(types)
	}
	return nil, errSlow
}

// named is hamba's parsePrimitiveType: a primitive, or a reference to a
// named type defined earlier in the text.
func (b *builder) named(ns, name string) (havro.Schema, error) {
	switch t := havro.Type(name); t {
	case havro.Null:
		return &havro.NullSchema{}, nil
	case havro.String, havro.Bytes, havro.Int, havro.Long, havro.Float, havro.Double, havro.Boolean:
		return havro.NewPrimitiveSchema(t, nil), nil
	}
	def := b.names[fullName(ns, name)]
	switch d := def.(type) {
	case *havro.RefSchema:
		return d, nil
	case havro.NamedSchema:
		return havro.NewRefSchema(d), nil // derefSchema's reference at a later use
	}
	return nil, errSlow // unknown here: another text's, or none
}

// object is a schema or field object as mapstructure sees it: the keys
// hamba's struct reads, exactly, and the rest as properties.
type object struct {
	n     *node
	props map[string]any
}

// fields splits n's members into the keys listed and the properties. Keys
// that differ from a key hamba reads only in letter case are not in the
// JSON hamba is given (appendValue leaves them out), so they are neither.
func (b *builder) object(n *node, keys ...string) (object, error) {
	if !b.objects[n] {
		return object{}, errSlow
	}
	o := object{n: n}
	for _, m := range n.Members {
		if shadowsHambaKey(m.Key) {
			continue
		}
		if !utf8.ValidString(m.Key) {
			return object{}, errSlow
		}
		known := false
		for _, k := range keys {
			if m.Key == k {
				known = true
				break
			}
		}
		if known {
			continue
		}
		v, err := goAny(m.Value)
		if err != nil {
			return object{}, err
		}
		if o.props == nil {
			o.props = map[string]any{}
		}
		o.props[m.Key] = v
	}
	return o, nil
}

// str is a string field: absent or null is "", anything but a string is
// a decoding error.
func (o object) str(key string) (string, error) {
	v := o.n.Get(key)
	switch {
	case v == nil || v.Kind == jsontext.Null:
		return "", nil
	case v.Kind == jsontext.String && utf8.ValidString(v.Str):
		return v.Str, nil
	}
	return "", errSlow
}

// strs is a []string field: absent or null is nil, an array of strings a
// slice of its length (empty, not nil, for []).
func (o object) strs(key string) ([]string, error) {
	v := o.n.Get(key)
	switch {
	case v == nil || v.Kind == jsontext.Null:
		return nil, nil
	case v.Kind != jsontext.Array:
		return nil, errSlow
	}
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		if e.Kind != jsontext.String || !utf8.ValidString(e.Str) {
			return nil, errSlow
		}
		out[i] = e.Str
	}
	return out, nil
}

// integer is an int field given as a plain integer literal.
func integer(v *node) (int, error) {
	if v == nil || v.Kind == jsontext.Null {
		return 0, nil
	}
	if v.Kind != jsontext.Number || !plainNumber(v.Str) {
		return 0, errSlow
	}
	for i := 0; i < len(v.Str); i++ {
		if v.Str[i] == '.' {
			return 0, errSlow // mapstructure would truncate it
		}
	}
	n, err := strconv.Atoi(v.Str)
	if err != nil {
		return 0, errSlow
	}
	return n, nil
}

// plainNumber reports whether lit is a number literal without exponent
// and of at most 15 digits, which every decoder reads as the same float64.
func plainNumber(lit string) bool {
	digits := 0
	for i := 0; i < len(lit); i++ {
		switch c := lit[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i == 0, c == '.':
		default:
			return false
		}
	}
	return digits > 0 && digits <= 15
}

// goAny is the value hamba's JSON decoder gives for n (goValue), or
// errSlow for a value whose decoding it might not give the same.
func goAny(n *node) (any, error) {
	switch n.Kind {
	case jsontext.Null:
		return nil, nil
	case jsontext.Bool:
		return n.Str == "true", nil
	case jsontext.Number:
		if !plainNumber(n.Str) {
			return nil, errSlow
		}
		f, err := strconv.ParseFloat(n.Str, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, errSlow
		}
		return f, nil
	case jsontext.String:
		if !utf8.ValidString(n.Str) {
			return nil, errSlow
		}
		return n.Str, nil
	case jsontext.Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			v, err := goAny(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	default:
		out := make(map[string]any, len(n.Members))
		for _, m := range n.Members {
			if !utf8.ValidString(m.Key) {
				return nil, errSlow
			}
			v, err := goAny(m.Value)
			if err != nil {
				return nil, err
			}
			out[m.Key] = v
		}
		return out, nil
	}
}

// complex is hamba's parseComplexType.
func (b *builder) complex(ns string, n *node) (havro.Schema, error) {
	tv := n.Get("type")
	if tv == nil || tv.Kind != jsontext.String {
		return nil, errSlow
	}
	switch t := havro.Type(tv.Str); t {
	case havro.String, havro.Bytes, havro.Int, havro.Long, havro.Float, havro.Double, havro.Boolean, havro.Null:
		return b.primitive(t, n)
	case havro.Record, havro.Error:
		return b.record(t, ns, n)
	case havro.Enum:
		return b.enum(ns, n)
	case havro.Array, havro.Map:
		key := "items"
		if t == havro.Map {
			key = "values"
		}
		o, err := b.object(n, "type", key)
		if err != nil {
			return nil, err
		}
		if _, err := o.str("type"); err != nil {
			return nil, err
		}
		v := n.Get(key)
		if v == nil {
			return nil, errSlow
		}
		inner, err := b.typ(ns, v)
		if err != nil {
			return nil, err
		}
		if t == havro.Map {
			return havro.NewMapSchema(inner, havro.WithProps(o.props)), nil
		}
		return havro.NewArraySchema(inner, havro.WithProps(o.props)), nil
	case havro.Fixed:
		return b.fixed(ns, n)
	default:
		return b.named(ns, tv.Str)
	}
}

// primitive is hamba's parsePrimitive for an object.
func (b *builder) primitive(t havro.Type, n *node) (havro.Schema, error) {
	o, err := b.object(n, "type")
	if err != nil {
		return nil, err
	}
	var logical havro.LogicalSchema
	if lt, ok := o.props["logicalType"].(string); ok && lt != "" {
		if logical, err = primitiveLogical(t, havro.LogicalType(lt), o.props); err != nil {
			return nil, err
		}
		if logical != nil {
			delete(o.props, "logicalType")
		}
	}
	if t == havro.Null {
		return havro.NewNullSchema(havro.WithProps(o.props)), nil
	}
	return havro.NewPrimitiveSchema(t, logical, havro.WithProps(o.props)), nil
}

// primitiveLogical is hamba's parsePrimitiveLogicalType.
func primitiveLogical(t havro.Type, lt havro.LogicalType, props map[string]any) (havro.LogicalSchema, error) {
	switch {
	case t == havro.String && lt == havro.UUID,
		t == havro.Int && (lt == havro.Date || lt == havro.TimeMillis),
		t == havro.Long && (lt == havro.TimeMicros || lt == havro.TimestampMillis || lt == havro.TimestampMicros ||
			lt == havro.LocalTimestampMillis || lt == havro.LocalTimestampMicros):
		return havro.NewPrimitiveLogicalSchema(lt), nil
	case t == havro.Bytes && lt == havro.Decimal:
		return decimal(-1, props)
	}
	return nil, nil
}

// decimal is hamba's parseDecimalLogicalType: precision and scale read
// from the properties, which it consumes when the decimal is valid.
func decimal(size int, props map[string]any) (havro.LogicalSchema, error) {
	prec, err := propInt(props, "precision")
	if err != nil {
		return nil, err
	}
	scale, err := propInt(props, "scale")
	if err != nil {
		return nil, err
	}
	if prec <= 0 || scale < 0 || scale > prec {
		return nil, nil
	}
	if size > 0 && prec > int(math.Floor(math.Log10(math.Pow(2, 8*float64(size))-1))) {
		return nil, nil
	}
	delete(props, "precision")
	delete(props, "scale")
	return havro.NewDecimalLogicalSchema(prec, scale), nil
}

// propInt reads an integer property as mapstructure would, or errSlow.
func propInt(props map[string]any, key string) (int, error) {
	v, ok := props[key]
	if !ok || v == nil {
		return 0, nil
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, errSlow
	}
	return int(f), nil
}

// define is what hamba does once a named type is made: refuse a second
// definition of its name, and note it (and its aliases) for later uses.
func (b *builder) define(s havro.NamedSchema, ref *havro.RefSchema, aliasTarget havro.Schema) error {
	if _, ok := b.names[s.FullName()]; ok {
		return errSlow
	}
	b.names[s.FullName()] = ref
	for _, a := range s.Aliases() {
		b.names[a] = aliasTarget
	}
	return nil
}

var (
	recordKeys = []string{"type", "name", "namespace", "aliases", "doc", "fields"}
	fieldKeys  = []string{"name", "aliases", "type", "doc", "default", "order"}
	enumKeys   = []string{"name", "namespace", "aliases", "type", "doc", "symbols", "default"}
	fixedKeys  = []string{"name", "namespace", "aliases", "type", "size"}
)

// names reads the name, namespace and aliases of a named type's object.
func (o object) names(ns string) (name, space string, aliases []string, err error) {
	if _, err = o.str("type"); err != nil {
		return "", "", nil, err
	}
	if name, err = o.str("name"); err != nil || name == "" {
		return "", "", nil, errSlow
	}
	if space, err = o.str("namespace"); err != nil {
		return "", "", nil, err
	}
	if space == "" {
		space = ns
	}
	aliases, err = o.strs("aliases")
	return name, space, aliases, err
}

// declaration is what a record and an enum declare before their own
// keys: the object with the keys allowed, its names and its doc.
type declaration struct {
	object
	name, space string
	aliases     []string
	doc         string
}

// declaration reads the declaration of the record or enum n, in
// namespace ns, whose allowed keys are keys.
func (b *builder) declaration(ns string, n *node, keys []string) (declaration, error) {
	o, err := b.object(n, keys...)
	if err != nil {
		return declaration{}, err
	}
	d := declaration{object: o}
	if d.name, d.space, d.aliases, err = o.names(ns); err != nil {
		return declaration{}, err
	}
	if d.doc, err = o.str("doc"); err != nil {
		return declaration{}, err
	}
	return d, nil
}

// record is hamba's parseRecord.
func (b *builder) record(t havro.Type, ns string, n *node) (havro.Schema, error) {
	d, err := b.declaration(ns, n, recordKeys)
	if err != nil {
		return nil, err
	}
	fv := n.Get("fields")
	if fv == nil || (fv.Kind != jsontext.Array && fv.Kind != jsontext.Null) {
		return nil, errSlow
	}
	fields := make([]*havro.Field, len(fv.Elems))
	opts := []havro.SchemaOption{havro.WithAliases(d.aliases), havro.WithDoc(d.doc), havro.WithProps(d.props)}
	var rec *havro.RecordSchema
	if t == havro.Error {
		rec, err = havro.NewErrorRecordSchema(d.name, d.space, fields, opts...)
	} else {
		rec, err = havro.NewRecordSchema(d.name, d.space, fields, opts...)
	}
	if err != nil {
		return nil, err
	}
	ref := havro.NewRefSchema(rec)
	if err := b.define(rec, ref, ref); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(fv.Elems))
	for i, f := range fv.Elems {
		if f.Kind != jsontext.Object {
			return nil, errSlow
		}
		field, err := b.field(rec.Namespace(), f)
		if err != nil {
			return nil, err
		}
		if seen[field.Name()] {
			return nil, errSlow
		}
		seen[field.Name()] = true
		fields[i] = field
	}
	return rec, nil
}

// field is hamba's parseField.
func (b *builder) field(ns string, n *node) (*havro.Field, error) {
	o, err := b.object(n, fieldKeys...)
	if err != nil {
		return nil, err
	}
	name, err := o.str("name")
	if err != nil || name == "" {
		return nil, errSlow
	}
	aliases, err := o.strs("aliases")
	if err != nil {
		return nil, err
	}
	doc, err := o.str("doc")
	if err != nil {
		return nil, err
	}
	order, err := o.str("order")
	if err != nil {
		return nil, err
	}
	tv := n.Get("type")
	if tv == nil {
		return nil, errSlow
	}
	typ, err := b.typ(ns, tv)
	if err != nil {
		return nil, err
	}
	def := any(havro.NoDefault)
	if dv := n.Get("default"); dv != nil {
		if def, err = goAny(dv); err != nil {
			return nil, err
		}
	}
	return havro.NewField(name, typ, havro.WithDefault(def), havro.WithAliases(aliases), havro.WithDoc(doc),
		havro.WithOrder(havro.Order(order)), havro.WithProps(o.props))
}

// enum is hamba's parseEnum.
func (b *builder) enum(ns string, n *node) (havro.Schema, error) {
	d, err := b.declaration(ns, n, enumKeys)
	if err != nil {
		return nil, err
	}
	symbols, err := d.strs("symbols")
	if err != nil {
		return nil, err
	}
	def, err := d.str("default")
	if err != nil {
		return nil, err
	}
	e, err := havro.NewEnumSchema(d.name, d.space, symbols, havro.WithDefault(def), havro.WithAliases(d.aliases), havro.WithDoc(d.doc), havro.WithProps(d.props))
	if err != nil {
		return nil, err
	}
	if err := b.define(e, havro.NewRefSchema(e), e); err != nil {
		return nil, err
	}
	return e, nil
}

// fixed is hamba's parseFixed (a fixed has no doc: "doc" is a property).
func (b *builder) fixed(ns string, n *node) (havro.Schema, error) {
	o, err := b.object(n, fixedKeys...)
	if err != nil {
		return nil, err
	}
	name, space, aliases, err := o.names(ns)
	if err != nil {
		return nil, err
	}
	sv := n.Get("size")
	if sv == nil {
		return nil, errSlow
	}
	size, err := integer(sv)
	if err != nil {
		return nil, err
	}
	var logical havro.LogicalSchema
	if lt, ok := o.props["logicalType"].(string); ok && lt != "" {
		switch havro.LogicalType(lt) {
		case havro.Duration:
			if size == 12 {
				logical = havro.NewPrimitiveLogicalSchema(havro.Duration)
			}
		case havro.Decimal:
			if logical, err = decimal(size, o.props); err != nil {
				return nil, err
			}
		}
		if logical != nil {
			delete(o.props, "logicalType")
		}
	}
	f, err := havro.NewFixedSchema(name, space, size, logical, havro.WithAliases(aliases), havro.WithProps(o.props))
	if err != nil {
		return nil, err
	}
	if err := b.define(f, havro.NewRefSchema(f), f); err != nil {
		return nil, err
	}
	return f, nil
}
