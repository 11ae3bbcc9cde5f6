package jsonschema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// tagsKey is the keyword holding a JSON Schema's inline tags.
const tagsKey = "confluent:tags"

var _ compat.Tagger = (*Format)(nil)

// Tag implements compat.Tagger with Confluent's JSON Schema entity paths:
// dot-separated steps from the top, "object" then a property name (or
// "definitions"/"$defs" and a definition name), "array" for items, "not"
// for a negation; a property name may itself hold dots. The composition
// steps anyof, allof and oneof, which Confluent resolves against its own
// ordering of the subschemas, are refused rather than guessed.
func (f *Format) Tag(text string, add, remove []compat.EntityTags) (string, error) {
	root, err := parseJSON(text, f.cfg.maxDepth)
	if err != nil {
		return "", err
	}
	edits, err := compat.GroupTagEdits(add, remove, func(path string) string { return path })
	if err != nil {
		return "", err
	}
	for _, e := range edits {
		ids := strings.Split(strings.TrimPrefix(e.Path, "."), ".")
		n, err := findEntity(root, e.Type, ids)
		if err != nil {
			return "", err
		}
		if n == nil || n.Kind != jsontext.Object {
			//lint:ignore ST1005 Confluent's exact text, which clients match on
			return "", fmt.Errorf("No matching path '%s' found in the schema", e.Path)
		}
		var cur []string
		if arr := n.Get(tagsKey); arr != nil && arr.Kind == jsontext.Array {
			for _, t := range arr.Elems {
				if t.Kind == jsontext.String {
					cur = append(cur, t.Str)
				}
			}
		}
		setTags(n, e.Apply(cur))
	}
	return compactString(root, false), nil
}

func setTags(n *value, tags []string) {
	i := slices.IndexFunc(n.Members, func(m member) bool { return m.Key == tagsKey })
	if len(tags) == 0 {
		if i >= 0 {
			n.Members = slices.Delete(n.Members, i, i+1)
		}
		return
	}
	arr := &value{Kind: jsontext.Array}
	for _, t := range tags {
		arr.Elems = append(arr.Elems, &value{Kind: jsontext.String, Str: t})
	}
	if i >= 0 {
		n.Members[i].Value = arr
		return
	}
	n.Members = append(n.Members, member{Key: tagsKey, Value: arr})
}

// findEntity follows Confluent's JsonSchemaUtils.findMatchingEntity.
func findEntity(n *value, typ string, ids []string) (*value, error) {
	for {
		if len(ids) == 0 || n == nil {
			return nil, nil
		}
		step := ids[0]
		ids = ids[1:]
		switch step {
		case "object":
			if typ == compat.EntityRecord && len(ids) == 0 {
				return n, nil
			}
			if len(ids) == 0 {
				return nil, nil
			}
			container := n.Get("properties")
			switch ids[0] {
			case "definitions", "$defs":
				container = n.Get(ids[0])
				ids = ids[1:]
			}
			var found *value
			found, ids = byDottedName(container, ids)
			if found == nil || len(ids) == 0 {
				return found, nil
			}
			n = found
		case "array":
			n = n.Get("items")
		case "not":
			n = n.Get("not")
		case "anyof", "allof", "oneof":
			return nil, fmt.Errorf("charter cannot find tag paths through %s yet; tag the schema text instead", step)
		default:
			return nil, nil
		}
	}
}

// byDottedName finds the member of obj named by the first words of ids,
// joining words with dots until a member matches (a property name may
// hold dots), and returns it with the words left.
func byDottedName(obj *value, ids []string) (*value, []string) {
	if obj == nil || len(ids) == 0 {
		return nil, ids
	}
	name := ids[0]
	ids = ids[1:]
	for !obj.Has(name) && len(ids) > 0 {
		name += "." + ids[0]
		ids = ids[1:]
	}
	return obj.Get(name), ids
}
