package avro

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
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
		if arr := n.get(tagsKey); arr != nil && arr.kind == kindArray {
			for _, t := range arr.elems {
				if t.kind == kindString {
					cur = append(cur, t.str)
				}
			}
		}
		setTags(n, e.Apply(cur))
	}
	return string(appendValue(nil, root, &valueOpts{rawNumbers: true})), nil
}

// setTags replaces (or, with no tags, removes) an object's inline tags.
func setTags(n *node, tags []string) {
	i := slices.Index(n.keys, tagsKey)
	if len(tags) == 0 {
		if i >= 0 {
			n.keys = slices.Delete(n.keys, i, i+1)
			n.vals = slices.Delete(n.vals, i, i+1)
		}
		return
	}
	arr := &node{kind: kindArray}
	for _, t := range tags {
		arr.elems = append(arr.elems, &node{kind: kindString, str: t})
	}
	if i >= 0 {
		n.vals[i] = arr
		return
	}
	n.keys = append(n.keys, tagsKey)
	n.vals = append(n.vals, arr)
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
	if root.kind == kindObject {
		topNS, _ = root.text("namespace")
	}
	queue := []*node{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == nil {
			continue
		}
		t := cur.get("type")
		if cur.kind != kindObject || t == nil {
			// A union (or a name): visit its elements.
			queue = append(queue, cur.elems...)
			continue
		}
		kind := ""
		if t.kind == kindString {
			kind = t.str
		}
		switch kind {
		case "record":
			name, _ := cur.text("name")
			fields := cur.get("fields")
			if (ns == "" || ns == topNS) && record == name {
				if typ == compat.EntityRecord {
					return cur
				}
				if fields != nil {
					for _, f := range fields.elems {
						if fn, _ := f.text("name"); fn == field {
							return f
						}
					}
				}
				return nil
			}
			if fields != nil {
				queue = append(queue, fields.elems...)
			}
		case "array":
			queue = append(queue, cur.get("items"))
		case "map":
			queue = append(queue, cur.get("values"))
		default:
			queue = append(queue, t)
		}
	}
	return nil
}
