package avro

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// tagsKey is the property holding an Avro record's or field's inline tags.
const tagsKey = "confluent:tags"

var _ compat.Tagger = (*Format)(nil)

// Tag implements compat.Tagger with Confluent's rules for finding an
// entity: its path splits at dots into a namespace, a record name and (for
// a field) a field name; a breadth-first walk from the top matches a
// record by its "name" and the top-level namespace (an empty namespace
// matches any). A path that matches nothing is an error, in Confluent's
// words.
func (f *Format) Tag(text string, add, remove []compat.EntityTags) (string, error) {
	root, err := decodeTree(text, f.jsonLimit())
	if err != nil {
		return "", err
	}
	// Entities are told apart by their path without a leading dot, as
	// Confluent's SchemaEntity compares them; each keeps the path it was
	// first named by, for the walk and the error.
	edits, err := compat.GroupTagEdits(add, remove, func(path string) string { return strings.TrimPrefix(path, ".") })
	if err != nil {
		return "", err
	}
	for _, e := range edits {
		n := findEntity(root, e.Path, e.Type)
		if n == nil {
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
	return string(appendValue(nil, root, &valueOpts{rawNumbers: true})), nil
}

// setTags replaces (or, with no tags, removes) an object's inline tags.
func setTags(n *node, tags []string) {
	i := slices.IndexFunc(n.Members, func(m jsontext.Member) bool { return m.Key == tagsKey })
	if len(tags) == 0 {
		if i >= 0 {
			n.Members = slices.Delete(n.Members, i, i+1)
		}
		return
	}
	arr := &node{Kind: jsontext.Array}
	for _, t := range tags {
		arr.Elems = append(arr.Elems, &node{Kind: jsontext.String, Str: t})
	}
	if i >= 0 {
		n.Members[i].Value = arr
		return
	}
	n.Members = append(n.Members, jsontext.Member{Key: tagsKey, Value: arr})
}

// findEntity walks the schema breadth first as Confluent's
// AvroSchemaUtils.findMatchingEntity does.
func findEntity(root *node, path, typ string) *node {
	ids := strings.Split(path, ".")
	var ns, record, field string
	if typ == compat.EntityRecord {
		ns, record = strings.Join(ids[:len(ids)-1], "."), ids[len(ids)-1]
	} else {
		if len(ids) < 2 {
			return nil
		}
		ns, record, field = strings.Join(ids[:len(ids)-2], "."), ids[len(ids)-2], ids[len(ids)-1]
	}
	topNS := ""
	if root.Kind == jsontext.Object {
		topNS, _ = root.Get("namespace").Text()
	}
	queue := []*node{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == nil {
			continue
		}
		t := cur.Get("type")
		if cur.Kind != jsontext.Object || t == nil {
			// A union (or a name): visit its elements.
			queue = append(queue, cur.Elems...)
			continue
		}
		kind := ""
		if t.Kind == jsontext.String {
			kind = t.Str
		}
		switch kind {
		case "record":
			name, _ := cur.Get("name").Text()
			fields := cur.Get("fields")
			if (ns == "" || ns == topNS) && record == name {
				if typ == compat.EntityRecord {
					return cur
				}
				if fields != nil {
					for _, f := range fields.Elems {
						if fn, _ := f.Get("name").Text(); fn == field {
							return f
						}
					}
				}
				return nil
			}
			if fields != nil {
				queue = append(queue, fields.Elems...)
			}
		case "array":
			queue = append(queue, cur.Get("items"))
		case "map":
			queue = append(queue, cur.Get("values"))
		default:
			queue = append(queue, t)
		}
	}
	return nil
}
