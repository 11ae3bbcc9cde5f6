package compat

import (
	"fmt"
	"slices"
)

// TagEdit is what a Tagger's Tag call asks of one entity: the tags to add
// and, after them, the tags to remove.
type TagEdit struct {
	// Path is the path the entity was first named by, Type its EntityTags
	// type.
	Path, Type  string
	Add, Remove []string
}

// GroupTagEdits groups the add and remove lists of a Tag call by entity, in
// the order the entities are first named (the add list first). Entities
// are told apart by their type and the key of their path, as a format's
// paths compare. An entity type other than EntityRecord and EntityField is
// an error.
func GroupTagEdits(add, remove []EntityTags, key func(path string) string) ([]*TagEdit, error) {
	type entity struct{ key, typ string }
	var out []*TagEdit
	byEntity := map[entity]*TagEdit{}
	collect := func(list []EntityTags, into func(*TagEdit, []string)) error {
		for _, et := range list {
			if et.Type != EntityRecord && et.Type != EntityField {
				return fmt.Errorf("unknown entity type %q of path '%s': use sr_record or sr_field", et.Type, et.Path)
			}
			e := entity{key(et.Path), et.Type}
			te, seen := byEntity[e]
			if !seen {
				te = &TagEdit{Path: et.Path, Type: et.Type}
				byEntity[e] = te
				out = append(out, te)
			}
			into(te, et.Tags)
		}
		return nil
	}
	if err := collect(add, func(te *TagEdit, tags []string) { te.Add = append(te.Add, tags...) }); err != nil {
		return nil, err
	}
	if err := collect(remove, func(te *TagEdit, tags []string) { te.Remove = append(te.Remove, tags...) }); err != nil {
		return nil, err
	}
	return out, nil
}

// Apply returns an entity's tags after the edit: cur without repeats, then
// each added tag not yet there, less every removed tag.
func (te *TagEdit) Apply(cur []string) []string {
	var tags []string
	for _, t := range slices.Concat(cur, te.Add) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(te.Remove, t) })
}
