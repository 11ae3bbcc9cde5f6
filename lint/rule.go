package lint

import (
	"slices"

	"github.com/charter-registry/charter/compat"
)

// Category groups rules so that a configuration can select them together.
type Category string

// The categories. Every rule is in DEFAULT, which is what an empty "use"
// selects, and in one topical category; the heuristic rules are also in
// HEURISTIC, so a team can turn all guessing off at once.
const (
	CategoryDefault   Category = "DEFAULT"
	CategoryNaming    Category = "NAMING"
	CategoryDocs      Category = "DOCS"
	CategoryEvolution Category = "EVOLUTION"
	CategoryShape     Category = "SHAPE"
	CategoryKeys      Category = "KEYS"
	CategoryTypes     Category = "TYPES"
	CategoryPrivacy   Category = "PRIVACY"
	CategoryHeuristic Category = "HEURISTIC"
)

// Categories lists every category.
func Categories() []Category {
	return []Category{CategoryDefault, CategoryNaming, CategoryDocs, CategoryEvolution, CategoryShape,
		CategoryKeys, CategoryTypes, CategoryPrivacy, CategoryHeuristic}
}

// Rule is one lint rule: data that says what it is for, plus its handler.
type Rule struct {
	ID      string `json:"id"`
	Purpose string `json:"purpose"`
	// Categories always include DEFAULT and, for heuristics, HEURISTIC.
	Categories []Category `json:"categories"`
	// Formats are the schema types the rule makes sense for.
	Formats []compat.Type `json:"formats"`
	// Heuristic rules guess from names; their messages begin
	// "(heuristic)".
	Heuristic bool `json:"heuristic,omitempty"`
	check     func(*pass)
	// everyFormat marks a rule that reads only the outline, so that it
	// checks a format beside those Formats lists too.
	everyFormat bool
}

// AppliesTo reports whether the rule checks schemas of type t.
func (r Rule) AppliesTo(t compat.Type) bool { return r.everyFormat || slices.Contains(r.Formats, t) }

// InCategory reports whether the rule is in category c.
func (r Rule) InCategory(c Category) bool { return slices.Contains(r.Categories, c) }

var allFormats = []compat.Type{compat.Avro, compat.Protobuf, compat.JSON}

func rule(id string, cat Category, heuristic bool, formats []compat.Type, purpose string, check func(*pass)) Rule {
	cats := []Category{CategoryDefault, cat}
	if heuristic {
		cats = append(cats, CategoryHeuristic)
	}
	every := slices.Equal(formats, allFormats)
	return Rule{ID: id, Purpose: purpose, Categories: cats, Formats: formats, Heuristic: heuristic, check: check, everyFormat: every}
}

// Rules returns every rule, sorted by id. The slice is new on every call.
func Rules() []Rule {
	rs := []Rule{
		rule("EVENT_NAME_PAST_TENSE", CategoryNaming, false, allFormats,
			"A delta event records a fact that happened, so it is named with a past-tense verb (OrderShipped), not as a command (ShipOrder) or an action in progress. Without a declared event kind, only names that contain a command verb are judged.",
			checkPastTense),
		rule("STATE_EVENT_NAME_NOUN", CategoryNaming, true, allFormats,
			"A state event carries an entity's whole current state, so it is named for the entity (Order), not for a change (OrderUpdated). Heuristic when the event kind is not declared: a name ending in a generic change verb whose record carries the entity's id.",
			checkStateNoun),
		rule("EVENT_NAME_CONSUMER_SPECIFIC", CategoryNaming, true, allFormats,
			"An event names one business fact, not the condition one consumer waits for (userSawAtLeastThreeAdsThenPurchasedIt): publish the facts and let each consumer derive its own condition. Heuristic: names that chain clauses with then, after, before, unless, because, once or at least/at most.",
			checkConsumerSpecific),
		rule("FIELD_NAME_CASE", CategoryNaming, false, allFormats,
			"Field names follow one convention: lower_snake_case in Protobuf (as buf requires), and in Avro and JSON Schema the convention most of the schema's fields already use.",
			checkFieldCase),
		rule("RECORD_DOC_MISSING", CategoryDocs, false, allFormats,
			"Every record, message or object says what it is: Avro \"doc\", a Protobuf comment, JSON Schema \"description\".",
			checkRecordDoc),
		rule("FIELD_DOC_MISSING", CategoryDocs, false, allFormats,
			"Every field says what it holds, in which unit and from which source: Avro \"doc\", a Protobuf comment, JSON Schema \"description\".",
			checkFieldDoc),
		rule("ENUM_DEFAULT_MISSING", CategoryEvolution, false, []compat.Type{compat.Avro, compat.Protobuf},
			"An enum has a fallback symbol, so that a reader on an older schema survives a symbol added later: an Avro enum \"default\", a Protobuf zero value named *_UNSPECIFIED or *_UNKNOWN. (JSON Schema has no fallback symbol, so the rule does not apply.)",
			checkEnumDefault),
		rule("ENUM_MIXED_MEANINGS", CategoryEvolution, true, allFormats,
			"An enum answers one question. A hybrid such as method_of_signup with EMAIL, GOOGLE and then VIA_MOBILE_APP mixes how with where, and every consumer has to untangle it. Heuristic: symbols that start with a channel preposition (VIA_, BY_, FROM_, THROUGH_, USING_) beside symbols that do not.",
			checkEnumMixed),
		rule("TOPIC_NAME_VERSIONED", CategoryEvolution, false, allFormats,
			"A breaking change starts a new stream: its successor topic carries the major version in its name (orders.v2), and the old topic keeps its readers until they move. Applies when the previous version of the stream is known.",
			checkTopicVersioned),
		rule("ENVELOPE_BEFORE_AFTER", CategoryShape, false, allFormats,
			"A record with the entity's state twice (before/after, old/new) is a change-data-capture envelope that exposes the source's storage model: publish the new state as a state event, or a delta event that names what happened.",
			checkEnvelope),
		rule("NOTIFICATION_URI_ONLY", CategoryShape, false, allFormats,
			"An event that carries only a link (access_uri) makes every consumer call back for the state, coupling them to the producer's API and to its state at read time: carry the state in the event.",
			checkURIOnly),
		rule("STATE_EVENT_ID_MISSING", CategoryKeys, false, allFormats,
			"A state event carries the entity's id (order_id) beside its state, the same value as its key, so a consumer that stores or joins it need not read the key. Applies to schemas declared state events.",
			checkStateID),
		rule("STREAM_SINGLE_EVENT_TYPE", CategoryShape, false, []compat.Type{compat.Avro, compat.JSON},
			"A stream carries one event type, so consumers know what they read: a top-level union (Avro) or oneOf/anyOf (JSON Schema) of several records puts several types in one stream.",
			checkSingleType),
		rule("KEY_NOT_ID", CategoryKeys, false, allFormats,
			"A key is the entity's id (order_id): it decides partitioning, ordering and compaction. Anything else in a key belongs in the value. Applies to key schemas (a subject ending in -key).",
			checkKeyID),
		rule("KEY_NULLABLE", CategoryKeys, false, allFormats,
			"A key is never null: null keys all land in one partition and cannot be compacted. Applies to key schemas.",
			checkKeyNullable),
		rule("TIMESTAMP_WITHOUT_LOGICAL_TYPE", CategoryTypes, false, allFormats,
			"A time says what it is: an Avro timestamp-millis/micros or date logicalType, google.protobuf.Timestamp, a JSON Schema format date-time or date; not a bare number or string whose unit and zone each consumer must guess.",
			checkTimestamp),
		rule("FIELD_TYPE_NARROWEST", CategoryTypes, true, allFormats,
			"A field has the narrowest type that fits: money as decimal, not float or double; counts as integers; flags as booleans. Heuristic: judged from the field's name.",
			checkNarrowest),
		rule("PII_UNTAGGED", CategoryPrivacy, true, allFormats,
			"Personal data is tagged PII, so that rules can encrypt, mask or drop it: \"confluent:tags\": [\"PII\"] in Avro and JSON Schema, [(confluent.field_meta).tags = \"PII\"] in Protobuf. Heuristic: field names that look personal (email, phone, first_name, date_of_birth, ...).",
			checkPII),
	}
	slices.SortFunc(rs, func(a, b Rule) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return rs
}

// Lookup returns the rule with id.
func Lookup(id string) (Rule, bool) {
	for _, r := range Rules() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
