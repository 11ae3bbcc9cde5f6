package lint

import (
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// eventName returns the top records that carry a name written in the
// schema; untitled JSON Schema objects have none to judge.
func (c *pass) namedTops() []*compat.Record {
	var out []*compat.Record
	if c.key {
		return nil
	}
	for _, r := range c.tops() {
		if r.Named && r.Name != "" {
			out = append(out, r)
		}
	}
	return out
}

func checkPastTense(c *pass) {
	if c.in.Event == State {
		return
	}
	for _, r := range c.namedTops() {
		ws := words(r.Name)
		if len(ws) == 0 {
			continue
		}
		if endsPast(ws) {
			continue
		}
		if stateLike(ws, r) && c.in.Event == Unknown {
			continue // STATE_EVENT_NAME_NOUN judges it
		}
		// A command: the name starts with a verb (ShipOrder) or ends with
		// one in the present (OrderShip, OrderShipping, OrderShips).
		if past, ok := presentVerb(ws[0], anyVerb); ok && len(ws) > 1 {
			suggest := pascal(append(slices.Clone(ws[1:]), past))
			c.report(r.Pos, c.scope(r.Doc), "%q is named as a command; name the fact that happened with a past-tense verb, such as %q", r.Name, suggest)
			continue
		}
		if past, ok := presentVerb(lastWord(ws), endVerb); ok {
			suggest := pascal(append(slices.Clone(ws[:len(ws)-1]), past))
			c.report(r.Pos, c.scope(r.Doc), "%q names an action, not a fact; name the delta event with a past-tense verb, such as %q", r.Name, suggest)
			continue
		}
		if c.in.Event == Delta {
			c.report(r.Pos, c.scope(r.Doc), "%q is declared a delta event but its name does not end in a past-tense verb; name the fact that happened, entity first and verb last (as in OrderShipped)", r.Name)
		}
	}
}

// changeVerbs say only that something changed, which is what a state
// event's name should not say.
var changeVerbs = map[string]bool{
	"updated": true, "changed": true, "modified": true, "upserted": true, "saved": true,
	"snapshotted": true, "synced": true, "refreshed": true, "update": true, "upsert": true,
	"snapshot": true,
}

// stateLike reports whether a record named ws looks like an entity's whole
// state published under a change verb: OrderUpdated with an order_id
// (or id) field.
func stateLike(ws []string, r *compat.Record) bool {
	if len(ws) < 2 || !changeVerbs[lastWord(ws)] {
		return false
	}
	entity := ws[:len(ws)-1]
	for _, f := range r.Fields {
		fw := words(f.Name)
		if len(fw) == 1 && fw[0] == "id" {
			return true
		}
		if len(fw) >= 2 && isIDWord(lastWord(fw)) && slices.Equal(fw[:len(fw)-1], entity[len(entity)-min(len(entity), len(fw)-1):]) {
			return true
		}
	}
	return false
}

func checkStateNoun(c *pass) {
	if c.in.Event == Delta {
		return
	}
	for _, r := range c.namedTops() {
		ws := words(r.Name)
		if len(ws) < 2 {
			continue
		}
		declared := c.in.Event == State
		last := lastWord(ws)
		_, present := presentVerb(last, anyVerb)
		if !(declared && (endsPast(ws) || present)) && !stateLike(ws, r) {
			continue
		}
		entity := pascal(ws[:len(ws)-1])
		if declared {
			c.report(r.Pos, c.scope(r.Doc), "%q is declared a state event, which carries the entity's whole state: name it for the entity, such as %q, not for a change", r.Name, entity)
			continue
		}
		c.report(r.Pos, c.scope(r.Doc), "%q carries the entity's id and reads as its whole state published on every change: name the state event for the entity, such as %q, or make it a delta event that names what happened", r.Name, entity)
	}
}

// clauses join conditions in a name.
var clauses = map[string]bool{"then": true, "after": true, "before": true, "unless": true, "because": true, "once": true}

func checkConsumerSpecific(c *pass) {
	for _, r := range c.namedTops() {
		ws := words(r.Name)
		hit := ""
		for i, w := range ws {
			if i == 0 {
				continue
			}
			if clauses[w] {
				hit = w
				break
			}
			if (w == "least" || w == "most") && ws[i-1] == "at" {
				hit = "at " + w
				break
			}
		}
		if hit == "" || len(ws) < 4 {
			continue
		}
		c.report(r.Pos, c.scope(r.Doc), "%q chains conditions (%q) that one consumer waits for: publish each fact as its own event (for example AdViewed, ProductPurchased) and let that consumer derive the condition", r.Name, hit)
	}
}

type caseStyle uint8

const (
	styleLower caseStyle = iota // one lower-case word: fits snake and camel
	styleSnake
	styleCamel
	styleOther
)

func styleOf(name string) caseStyle {
	hasUpper, hasUnder := false, false
	for i, r := range name {
		switch {
		case r >= 'A' && r <= 'Z':
			if i == 0 {
				return styleOther
			}
			hasUpper = true
		case r == '_':
			hasUnder = true
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		default:
			return styleOther
		}
	}
	switch {
	case hasUpper && hasUnder:
		return styleOther
	case hasUpper:
		return styleCamel
	case hasUnder:
		return styleSnake
	}
	return styleLower
}

func snake(name string) string { return strings.Join(words(name), "_") }

func camel(name string) string {
	ws := words(name)
	if len(ws) == 0 {
		return name
	}
	return ws[0] + pascal(ws[1:])
}

func checkFieldCase(c *pass) {
	var fields []*compat.Field
	var scopes [][]compat.Doc
	for _, r := range c.outline.Records {
		for _, f := range r.Fields {
			fields = append(fields, f)
			scopes = append(scopes, c.scope(f.Doc, r.Doc))
		}
	}
	if c.idiom().SnakeCaseFields {
		for i, f := range fields {
			if s := styleOf(f.Name); s != styleLower && s != styleSnake {
				c.report(f.Pos, scopes[i], "field %q is not lower_snake_case; rename it %q", f.Name, snake(f.Name))
			}
		}
		return
	}
	n := map[caseStyle]int{}
	for _, f := range fields {
		n[styleOf(f.Name)]++
	}
	want := styleSnake
	if n[styleCamel] > n[styleSnake] {
		want = styleCamel
	}
	for i, f := range fields {
		s := styleOf(f.Name)
		if s == styleLower || s == want {
			continue
		}
		if want == styleCamel {
			c.report(f.Pos, scopes[i], "field %q breaks the camelCase most fields of this schema use; rename it %q", f.Name, camel(f.Name))
		} else {
			c.report(f.Pos, scopes[i], "field %q breaks the snake_case most fields of this schema use; rename it %q", f.Name, snake(f.Name))
		}
	}
}
