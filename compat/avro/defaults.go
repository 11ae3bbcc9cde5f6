package avro

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// Field defaults are judged, under ValidateDefaults, by the rule of Avro's
// Java parser (Schema.isValidDefault, Avro 1.12, which Confluent's
// registry runs on every new schema) rather than by hamba's, which differs
// both ways: Java takes a union default that fits any branch and any
// string for an enum or fixed, and refuses 1.5 for an int, which hamba
// rounds. The check reads the scanned tree, so it holds whichever way
// hamba's schema is then made.

// defaultChecker judges defaults against the types of one Parse call.
type defaultChecker struct {
	defs map[string]*node // named types of every text parsed, by full name
	// seen guards a record default that leans on the defaults of its own
	// recursive fields.
	seen map[[2]*node]bool
}

// check returns the first field default of defaults that Java refuses,
// with its position, or nil.
func (c *defaultChecker) check(defaults []fieldDefault) error {
	for _, d := range defaults {
		def := d.node.Get("default")
		ns, _ := splitName(d.record)
		t := d.node.Get("type")
		if c.valid(t, ns, def) {
			continue
		}
		return &posError{off: def.Off, msg: fmt.Sprintf("invalid default for field %q of record %q: %s", d.field, d.record, c.why(t, ns, def))}
	}
	return nil
}

// valid reports whether v is a valid default for type t, written in
// namespace ns.
func (c *defaultChecker) valid(t *node, ns string, v *node) bool {
	switch t.Kind {
	case jsontext.String:
		return c.named(t.Str, ns, v)
	case jsontext.Array: // a union: any branch
		for _, b := range t.Elems {
			if c.valid(b, ns, v) {
				return true
			}
		}
		return false
	case jsontext.Object:
		tv := t.Get("type")
		if tv == nil || tv.Kind != jsontext.String {
			return true // the scan refuses these
		}
		switch tv.Str {
		case "record", "error":
			_, space, err := definedName(t, ns)
			if err != nil {
				return true
			}
			return c.record(t, space, v)
		case "enum", "fixed":
			return v.Kind == jsontext.String
		case "array":
			if v.Kind != jsontext.Array {
				return false
			}
			for _, e := range v.Elems {
				if !c.valid(t.Get("items"), ns, e) {
					return false
				}
			}
			return true
		case "map":
			if v.Kind != jsontext.Object {
				return false
			}
			for _, m := range v.Members {
				if !c.valid(t.Get("values"), ns, m.Value) {
					return false
				}
			}
			return true
		default:
			return c.named(tv.Str, ns, v)
		}
	}
	return true
}

// named judges v against a primitive or a named type referred to from ns.
func (c *defaultChecker) named(name, ns string, v *node) bool {
	if primitives[name] {
		return validPrimitive(name, v)
	}
	full := fullName(ns, name)
	def := c.defs[full]
	if def == nil {
		return true // the scan refuses unknown names
	}
	space, _ := splitName(full)
	return c.valid(def, space, v)
}

// record judges v against record r, whose fields are written in space: an
// object whose members fit their fields, a missing member standing for its
// field's own default.
func (c *defaultChecker) record(r *node, space string, v *node) bool {
	if v.Kind != jsontext.Object {
		return false
	}
	key := [2]*node{r, v}
	if c.seen[key] {
		return true
	}
	if c.seen == nil {
		c.seen = map[[2]*node]bool{}
	}
	c.seen[key] = true
	defer delete(c.seen, key)
	fields := r.Get("fields")
	if fields == nil {
		return true
	}
	for _, f := range fields.Elems {
		name, _ := f.Get("name").Text()
		fv := v.Get(name)
		if fv == nil {
			fv = f.Get("default")
		}
		if fv == nil || !c.valid(f.Get("type"), space, fv) {
			return false
		}
	}
	return true
}

// validPrimitive is Java's rule for a primitive type: Jackson's node kinds,
// where a number written with a fraction or an exponent is never integral.
func validPrimitive(name string, v *node) bool {
	switch name {
	case "null":
		return v.Kind == jsontext.Null
	case "boolean":
		return v.Kind == jsontext.Bool
	case "int":
		return v.Kind == jsontext.Number && integralIn(v.Str, math.MinInt32, math.MaxInt32)
	case "long":
		return v.Kind == jsontext.Number && integralIn(v.Str, math.MinInt64, math.MaxInt64)
	case "float", "double":
		return v.Kind == jsontext.Number
	default: // string, bytes
		return v.Kind == jsontext.String
	}
}

// integralIn reports whether the JSON number literal s is written as an
// integer (no fraction, no exponent) within [lo, hi].
func integralIn(s string, lo, hi int64) bool {
	if strings.ContainsAny(s, ".eE") {
		return false
	}
	n, ok := new(big.Int).SetString(s, 10)
	return ok && n.IsInt64() && n.Int64() >= lo && n.Int64() <= hi
}

// why words why v is not a valid default for t.
func (c *defaultChecker) why(t *node, ns string, v *node) string {
	val := string(appendValue(nil, v, &valueOpts{rawNumbers: true}))
	if r := []rune(val); len(r) > 60 {
		val = string(r[:57]) + "..."
	}
	if t.Kind == jsontext.Array {
		names := make([]string, len(t.Elems))
		for i, b := range t.Elems {
			names[i] = c.typeName(b, ns)
		}
		if len(names) == 0 {
			return fmt.Sprintf("%s does not fit an empty union: no value does", val)
		}
		return fmt.Sprintf("%s fits none of the union's types (%s)", val, strings.Join(names, ", "))
	}
	name := c.typeName(t, ns)
	msg := fmt.Sprintf("%s is not a valid %s", val, name)
	switch {
	case v.Kind == jsontext.Null:
		msg += `: to default to null, make the type a union with "null"`
	case name == "int":
		msg += ": write a whole number from -2147483648 to 2147483647"
	case name == "long":
		msg += ": write a whole number from -9223372036854775808 to 9223372036854775807"
	}
	return msg
}

// typeName names type t for a message: a primitive or complex type's
// keyword, a named type's kind and full name.
func (c *defaultChecker) typeName(t *node, ns string) string {
	switch t.Kind {
	case jsontext.String:
		return c.refName(t.Str, ns)
	case jsontext.Array:
		return "union"
	case jsontext.Object:
		tv, _ := t.Get("type").Text()
		switch tv {
		case "record", "error", "enum", "fixed":
			if full, _, err := definedName(t, ns); err == nil {
				return tv + " " + full
			}
			return tv
		case "array", "map":
			return tv
		}
		return c.refName(tv, ns)
	}
	return "type"
}

// refName names the primitive or named type name refers to from ns.
func (c *defaultChecker) refName(name, ns string) string {
	if primitives[name] {
		return name
	}
	full := fullName(ns, name)
	if def := c.defs[full]; def != nil {
		if kind, ok := def.Get("type").Text(); ok {
			return kind + " " + full
		}
	}
	return full
}
