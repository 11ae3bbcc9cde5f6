package jsontext

import (
	"encoding/json"
	"slices"
	"strings"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is one JSON value of a text.
type Value struct {
	Kind Kind
	// Off is the byte offset of the value's first byte in the text.
	Off int
	// Str is a string's content, a number's literal text, or "true" or
	// "false".
	Str string
	// Elems are an array's elements.
	Elems []*Value
	// Members are an object's members in the order they were written. A
	// key written twice keeps its first position and its last value, as
	// Jackson's tree model and encoding/json do; keys are unique.
	Members []Member
}

// Member is one member of an object.
type Member struct {
	Key string
	// Off is the byte offset of the key's opening quote.
	Off   int
	Value *Value
}

// Get returns the value of key in an object, or nil when v is not an
// object or has no such key. It is safe on a nil v.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	for i := range v.Members {
		if v.Members[i].Key == key {
			return v.Members[i].Value
		}
	}
	return nil
}

// Has reports whether the object v has key.
func (v *Value) Has(key string) bool { return v.Get(key) != nil }

// Text returns the value's string and whether it is a string. It is safe
// on a nil v.
func (v *Value) Text() (string, bool) {
	if v == nil || v.Kind != String {
		return "", false
	}
	return v.Str, true
}

// True reports whether v is the literal true.
func (v *Value) True() bool { return v != nil && v.Kind == Bool && v.Str == "true" }

// Index returns the array element that a JSON pointer token names, or nil.
func (v *Value) Index(tok string) *Value {
	if v == nil || v.Kind != Array {
		return nil
	}
	i, ok := ArrayIndex(tok)
	if !ok || i >= len(v.Elems) {
		return nil
	}
	return v.Elems[i]
}

// Any converts v to the shape encoding/json decodes into with UseNumber:
// map[string]any, []any, string, json.Number, bool and nil.
func (v *Value) Any() any {
	switch v.Kind {
	case Bool:
		return v.Str == "true"
	case Number:
		return json.Number(v.Str)
	case String:
		return v.Str
	case Array:
		out := make([]any, len(v.Elems))
		for i, el := range v.Elems {
			out[i] = el.Any()
		}
		return out
	case Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = m.Value.Any()
		}
		return out
	default:
		return nil
	}
}

// Lookup follows JSON pointer tokens (already unescaped) from v and
// returns the value they lead to, or nil.
func (v *Value) Lookup(tokens []string) *Value {
	cur := v
	for _, tok := range tokens {
		switch {
		case cur == nil:
			return nil
		case cur.Kind == Object:
			cur = cur.Get(tok)
		case cur.Kind == Array:
			cur = cur.Index(tok)
		default:
			return nil
		}
	}
	return cur
}

// Offset returns the byte offset of the value at the JSON pointer tokens,
// or of the member name when the last token names an object member. When
// the pointer does not lead anywhere in v, it returns the offset of the
// deepest place it reached and false.
func (v *Value) Offset(tokens []string) (int, bool) {
	cur := v
	off := v.Off
	for _, tok := range tokens {
		switch cur.Kind {
		case Object:
			found := false
			for _, m := range cur.Members {
				if m.Key == tok {
					cur, off, found = m.Value, m.Off, true
					break
				}
			}
			if !found {
				return off, false
			}
		case Array:
			el := cur.Index(tok)
			if el == nil {
				return off, false
			}
			cur, off = el, el.Off
		default:
			return off, false
		}
	}
	return off, true
}

// ArrayIndex parses a JSON pointer token that names an array element: a
// decimal without leading zeros.
func ArrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
	}
	return n, true
}

// SortedMembers returns a copy of ms sorted by key in byte order.
func SortedMembers(ms []Member) []Member {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b Member) int { return strings.Compare(a.Key, b.Key) })
	return out
}
