package lint

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// Event says what kind of event a schema describes, when its owner says so.
type Event string

// The kinds of event. A delta event records one fact that happened
// (OrderShipped); a state event carries an entity's whole current state,
// keyed by its id (Order). Unknown lets the rules infer it from names.
const (
	Unknown Event = ""
	Delta   Event = "delta"
	State   Event = "state"
)

// ParseEvent accepts "", delta or state.
func ParseEvent(s string) (Event, error) {
	switch e := Event(strings.ToLower(strings.TrimSpace(s))); e {
	case Unknown, Delta, State:
		return e, nil
	}
	return "", fmt.Errorf("event %q: use delta (a fact that happened) or state (an entity's whole state)", s)
}

// Input is one schema to lint.
type Input struct {
	// Schema is the parsed schema; it must implement compat.Outliner
	// (every format in compat/ does).
	Schema compat.Schema
	Type   compat.Type
	// Subject is the registry subject; a subject ending in -key is linted
	// as a key schema.
	Subject string
	// Key marks a key schema when the subject does not say so.
	Key bool
	// Event is the declared kind of event, or Unknown.
	Event Event
	// Previous is the earlier version of the same stream, if any, with
	// the subject it was registered under; rules about changes
	// (ENUM_MIXED_MEANINGS, TOPIC_NAME_VERSIONED) compare with it.
	Previous        compat.Schema
	PreviousSubject string
	// Topic and PreviousTopic name the topics of Subject and
	// PreviousSubject when they are known (a registry's topic bindings);
	// otherwise they follow from the subjects (TopicOf).
	Topic, PreviousTopic string
	// Format diffs Previous with Schema for TOPIC_NAME_VERSIONED; nil
	// skips that rule.
	Format compat.Format
}

// Finding is one violation of a rule.
type Finding struct {
	Rule string `json:"rule"`
	// Message says what is wrong and what to do instead.
	Message string `json:"message"`
	// Path locates the declaration in the format's terms (/fields/2 for
	// Avro, #/acme.Order/3 for Protobuf, #/properties/id for JSON Schema).
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Run applies rules to in and returns the findings no inline suppression
// silences, sorted by position. A suppression without a reason does not
// silence anything and is itself reported (LINT_IGNORE_REASON_MISSING).
// A schema whose format offers no compat.Outline cannot be judged and
// gives no findings; every format in compat/ offers one.
func Run(in Input, rules []Rule) []Finding {
	ol, ok := in.Schema.(compat.Outliner)
	if !ok {
		return nil
	}
	c := &pass{in: in, outline: ol.Outline()}
	if in.Previous != nil {
		if po, ok := in.Previous.(compat.Outliner); ok {
			c.previous = po.Outline()
		}
	}
	c.key = in.Key || strings.HasSuffix(in.Subject, "-key")
	for _, r := range rules {
		if !r.AppliesTo(in.Type) {
			continue
		}
		c.rule = r
		r.check(c)
	}
	out := c.suppress()
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	return slices.Compact(out)
}

// pass is one run of the rules over one Input: what a handler sees.
type pass struct {
	in       Input
	outline  *compat.Outline
	previous *compat.Outline
	key      bool
	rule     Rule
	found    []found
}

// plainIdiom words the findings on a schema whose format gives no
// compat.Idiom.
var plainIdiom = &compat.Idiom{
	Record:   "record",
	RootPath: "/",
	Doc:      "documentation",
	Time:     map[string]string{"": "give it a type that says it is a time"},
	Decimal:  "use a decimal type, or an integer of minor units",
	PII:      "tag the field PII",
}

// idiom is how the schema's format words what the rules suggest.
func (c *pass) idiom() *compat.Idiom {
	if c.outline.Idiom != nil {
		return c.outline.Idiom
	}
	return plainIdiom
}

type found struct {
	Finding
	// scope is the declaration whose notes can suppress the finding,
	// and the record or enum that holds it.
	scope []compat.Doc
}

func (c *pass) report(p compat.Pos, scope []compat.Doc, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c.rule.Heuristic {
		msg = "(heuristic) " + msg
	}
	c.found = append(c.found, found{Finding: Finding{Rule: c.rule.ID, Message: msg, Path: p.Path, Line: p.Line, Column: p.Column}, scope: scope})
}

// IgnoreDirective is the marker of an inline suppression.
const IgnoreDirective = "charter:lint-ignore"

var ignoreRe = regexp.MustCompile(`charter:lint-ignore[ \t]+([A-Z0-9_,]+)[ \t]*([^\n]*)`)

type suppression struct {
	rules  []string
	reason string
}

func suppressions(d compat.Doc) []suppression {
	var out []suppression
	for _, n := range d.Notes {
		for _, m := range ignoreRe.FindAllStringSubmatch(n, -1) {
			out = append(out, suppression{rules: strings.Split(m[1], ","), reason: strings.TrimSpace(strings.TrimRight(m[2], "*/ \t"))})
		}
	}
	return out
}

// docText is a declaration's documentation without suppression lines,
// which are not documentation.
func docText(d compat.Doc) string {
	var keep []string
	for line := range strings.SplitSeq(d.Text, "\n") {
		if i := strings.Index(line, IgnoreDirective); i >= 0 {
			line = line[:i]
		}
		keep = append(keep, line)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// RuleIgnoreReasonMissing reports a suppression that gives no reason.
const RuleIgnoreReasonMissing = "LINT_IGNORE_REASON_MISSING"

func (c *pass) suppress() []Finding {
	var out []Finding
	for _, f := range c.found {
		silenced := false
		for _, d := range f.scope {
			for _, s := range suppressions(d) {
				if slices.Contains(s.rules, f.Rule) && s.reason != "" {
					silenced = true
				}
			}
		}
		if !silenced {
			out = append(out, f.Finding)
		}
	}
	// Reasonless suppressions, reported on the declaration they sit on.
	check := func(p compat.Pos, d compat.Doc) {
		for _, s := range suppressions(d) {
			if s.reason == "" {
				out = append(out, Finding{Rule: RuleIgnoreReasonMissing, Path: p.Path, Line: p.Line, Column: p.Column,
					Message: fmt.Sprintf("%s %s gives no reason, so it silences nothing: write why after the rule ids, e.g. \"%s %s the upstream system owns this name\"",
						IgnoreDirective, strings.Join(s.rules, ","), IgnoreDirective, strings.Join(s.rules, ","))})
			}
		}
	}
	for _, r := range c.outline.Records {
		check(r.Pos, r.Doc)
		for _, f := range r.Fields {
			check(f.Pos, f.Doc)
		}
	}
	for _, e := range c.outline.Enums {
		check(e.Pos, e.Doc)
	}
	return out
}

// rootDoc is the documentation of the schema's top record, whose
// suppressions cover the whole schema.
func (c *pass) rootDoc() []compat.Doc {
	for _, r := range c.outline.Records {
		if r.Top {
			return []compat.Doc{r.Doc}
		}
	}
	return nil
}

func (c *pass) scope(docs ...compat.Doc) []compat.Doc {
	return append(docs, c.rootDoc()...)
}

// tops are the records the stream's records are instances of.
func (c *pass) tops() []*compat.Record {
	var out []*compat.Record
	for _, r := range c.outline.Records {
		if r.Top {
			out = append(out, r)
		}
	}
	return out
}
