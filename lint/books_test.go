package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
)

func parse(t *testing.T, f compat.Format, text string) compat.Schema {
	t.Helper()
	s, err := f.Parse(text, nil)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return s
}

func ruleIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func findingOf(t *testing.T, fs []Finding, id string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.Rule == id {
			return f
		}
	}
	t.Fatalf("no %s finding among %v", id, fs)
	return Finding{}
}

// The books' own examples, linted with every rule.

func TestBookConsumerSpecificEventIsFlagged(t *testing.T) {
	s := parse(t, avro.New(), `{"type":"record","name":"userSawAtLeastThreeAdsThenPurchasedIt","doc":"x",
"fields":[{"name":"user_id","type":"string","doc":"x"}]}`)
	fs := Run(Input{Schema: s, Type: compat.Avro, Subject: "ads-value"}, Rules())
	f := findingOf(t, fs, "EVENT_NAME_CONSUMER_SPECIFIC")
	if f.Line != 1 || f.Column != 25 || !strings.Contains(f.Message, "(heuristic)") {
		t.Errorf("finding %+v", f)
	}
}

const signupBefore = `{"type":"record","name":"UserSignedUp","doc":"A user signed up.","fields":[
{"name":"user_id","type":"string","doc":"The user."},
{"name":"method_of_signup","doc":"How they signed up.","type":{"type":"enum","name":"MethodOfSignup","doc":"How.",
 "symbols":["UNKNOWN","EMAIL","GOOGLE","FACEBOOK"],"default":"UNKNOWN"}}]}`

func TestBookMethodOfSignupGainingViaMobileApp(t *testing.T) {
	f := avro.New()
	before := parse(t, f, signupBefore)
	after := parse(t, f, strings.Replace(signupBefore, `"FACEBOOK"]`, `"FACEBOOK","VIA_MOBILE_APP"]`, 1))
	if fs := Run(Input{Schema: before, Type: compat.Avro}, Rules()); len(fs) != 0 {
		t.Fatalf("the enum before the change: %v", fs)
	}
	fs := Run(Input{Schema: after, Type: compat.Avro, Previous: before}, Rules())
	if !slices.Equal(ruleIDs(fs), []string{"ENUM_MIXED_MEANINGS"}) {
		t.Fatalf("findings %v", fs)
	}
	if fs[0].Line != 4 || fs[0].Column != 51 || fs[0].Path != "/fields/1/type/symbols/4" {
		t.Errorf("finding at %d:%d %s", fs[0].Line, fs[0].Column, fs[0].Path)
	}
	// A later change to an enum that was already mixed is not news.
	later := parse(t, f, strings.Replace(signupBefore, `"FACEBOOK"]`, `"FACEBOOK","VIA_MOBILE_APP","APPLE"]`, 1))
	if fs := Run(Input{Schema: later, Type: compat.Avro, Previous: after}, Rules()); len(fs) != 0 {
		t.Errorf("an enum already mixed: %v", fs)
	}
}

func TestBookAccessURIOnlyNotification(t *testing.T) {
	s := parse(t, jsonschema.New(), `{"title":"AccountStatementReady","description":"x","type":"object","properties":{
"account_id":{"type":"string","description":"x"},
"access_uri":{"type":"string","format":"uri","description":"x"},
"created_at":{"type":"string","format":"date-time","description":"x"}}}`)
	fs := Run(Input{Schema: s, Type: compat.JSON}, Rules())
	if !slices.Equal(ruleIDs(fs), []string{"NOTIFICATION_URI_ONLY"}) {
		t.Fatalf("findings %v", fs)
	}
}

func TestBookBeforeAfterEnvelope(t *testing.T) {
	s := parse(t, protobuf.New(), `syntax = "proto3";
package shop;
// A row of the users table.
message User {
  // The id.
  string user_id = 1;
}
// A change captured from the users table.
message UserChange {
  // The row before.
  User before = 1;
  // The row after.
  User after = 2;
  // c, u or d.
  string op = 3;
}
`)
	fs := Run(Input{Schema: s, Type: compat.Protobuf}, Rules())
	f := findingOf(t, fs, "ENVELOPE_BEFORE_AFTER")
	if f.Line != 9 || f.Column != 1 || f.Path != "#/shop.UserChange" {
		t.Errorf("finding %+v", f)
	}
}

// The eventified User: a state event named for the entity, keyed by its
// id, documented, with a timestamp type, a defaulted enum and tagged
// personal data. Every rule passes it, in every format.
func TestBookEventifiedUserPassesClean(t *testing.T) {
	cases := []struct {
		f    compat.Format
		text string
	}{
		{avro.New(), `{"type":"record","name":"User","namespace":"shop","doc":"A user's current state, published on every change.",
"fields":[
 {"name":"user_id","type":"string","doc":"The user's id; also the key."},
 {"name":"email","type":"string","doc":"Where we write to.","confluent:tags":["PII"]},
 {"name":"status","doc":"Whether the account can be used.","type":{"type":"enum","name":"UserStatus","doc":"Account states.",
   "symbols":["UNKNOWN","ACTIVE","SUSPENDED"],"default":"UNKNOWN"}},
 {"name":"updated_at","doc":"When this state was reached.","type":{"type":"long","logicalType":"timestamp-millis"}}]}`},
		{protobuf.New(), `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "confluent/meta.proto";
// A user's current state, published on every change.
message User {
  // The user's id; also the key.
  string user_id = 1;
  // Where we write to.
  string email = 2 [(confluent.field_meta).tags = "PII"];
  // Whether the account can be used.
  UserStatus status = 3;
  // When this state was reached.
  google.protobuf.Timestamp updated_at = 4;
}
// Account states.
enum UserStatus {
  USER_STATUS_UNSPECIFIED = 0;
  USER_STATUS_ACTIVE = 1;
}
`},
		{jsonschema.New(), `{"title":"User","description":"A user's current state.","type":"object","properties":{
"userId":{"type":"string","description":"The id."},
"email":{"type":"string","description":"Where we write to.","confluent:tags":["PII"]},
"updatedAt":{"type":"string","format":"date-time","description":"When."}}}`},
	}
	for _, c := range cases {
		s := parse(t, c.f, c.text)
		if fs := Run(Input{Schema: s, Type: c.f.Type(), Subject: "users-value", Event: State}, Rules()); len(fs) != 0 {
			t.Errorf("%s: %v", c.f.Type(), fs)
		}
	}
	key := parse(t, avro.New(), `"string"`)
	if fs := Run(Input{Schema: key, Type: compat.Avro, Subject: "users-key"}, Rules()); len(fs) != 0 {
		t.Errorf("key: %v", fs)
	}
}

func TestBreakingSuccessorOnVersionedTopicPasses(t *testing.T) {
	f := avro.New()
	old := parse(t, f, `{"type":"record","name":"OrderPlaced","doc":"x","fields":[{"name":"order_id","type":"string","doc":"x"}]}`)
	next := parse(t, f, `{"type":"record","name":"OrderPlaced","doc":"x","fields":[{"name":"order_id","type":"long","doc":"x"}]}`)
	in := Input{Schema: next, Type: compat.Avro, Format: f, Previous: old, PreviousSubject: "orders-value"}
	for subject, want := range map[string]int{"orders-value": 1, "orders.v2-value": 0, "orders-v2-value": 0, "orders-new-value": 1, "orders.v1-value": 1} {
		in.Subject = subject
		if fs := Run(in, only(t, "TOPIC_NAME_VERSIONED")); len(fs) != want {
			t.Errorf("%s: %v", subject, fs)
		}
	}
}

func TestInlineSuppression(t *testing.T) {
	const tmpl = `{"type":"record","name":"OrderPlaced","doc":"Placed.","fields":[
{"name":"placed_at","type":"long","doc":"DOC"}]}`
	f := avro.New()
	run := func(doc string) []Finding {
		return Run(Input{Schema: parse(t, f, strings.Replace(tmpl, "DOC", doc, 1)), Type: compat.Avro}, Rules())
	}
	if ids := ruleIDs(run("When.")); !slices.Equal(ids, []string{"TIMESTAMP_WITHOUT_LOGICAL_TYPE"}) {
		t.Fatalf("without suppression: %v", ids)
	}
	if fs := run("When. charter:lint-ignore TIMESTAMP_WITHOUT_LOGICAL_TYPE the mainframe writes epoch seconds"); len(fs) != 0 {
		t.Errorf("with a reason: %v", fs)
	}
	// Without a reason nothing is silenced, and the suppression itself
	// is reported; a doc that is only a suppression is no doc.
	fs := run("charter:lint-ignore TIMESTAMP_WITHOUT_LOGICAL_TYPE")
	if ids := ruleIDs(fs); !slices.Equal(ids, []string{"FIELD_DOC_MISSING", "LINT_IGNORE_REASON_MISSING", "TIMESTAMP_WITHOUT_LOGICAL_TYPE"}) {
		t.Errorf("without a reason: %v", ids)
	}
	// A suppression on the record covers its fields.
	rec := strings.Replace(tmpl, `"doc":"Placed."`, `"doc":"Placed. charter:lint-ignore TIMESTAMP_WITHOUT_LOGICAL_TYPE,FIELD_DOC_MISSING legacy feed"`, 1)
	if fs := Run(Input{Schema: parse(t, f, strings.Replace(rec, "DOC", "", 1)), Type: compat.Avro}, Rules()); len(fs) != 0 {
		t.Errorf("record-wide: %v", fs)
	}
}

func TestInlineSuppressionProtobufAndJSON(t *testing.T) {
	p := parse(t, protobuf.New(), `syntax = "proto3";
package acme;
// Placed.
message OrderPlaced {
  // When. charter:lint-ignore TIMESTAMP_WITHOUT_LOGICAL_TYPE epoch seconds from the till
  int64 placed_at = 1;
}
`)
	if fs := Run(Input{Schema: p, Type: compat.Protobuf}, Rules()); len(fs) != 0 {
		t.Errorf("protobuf: %v", fs)
	}
	j := parse(t, jsonschema.New(), `{"title":"OrderPlaced","description":"Placed.","type":"object","properties":{
"placedAt":{"type":"integer","description":"When.","$comment":"charter:lint-ignore TIMESTAMP_WITHOUT_LOGICAL_TYPE epoch seconds from the till"}}}`)
	if fs := Run(Input{Schema: j, Type: compat.JSON}, Rules()); len(fs) != 0 {
		t.Errorf("json: %v", fs)
	}
}
