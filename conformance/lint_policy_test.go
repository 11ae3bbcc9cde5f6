package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
)

// A badly named event: a command, not a fact; with no docs and an
// untyped timestamp.
const shipOrder = `{"type":"record","name":"ShipOrder","fields":[{"name":"order_id","type":"string"},{"name":"placed_at","type":"long"}]}`

// The same event done right, with only the docs missing.
const orderShipped = `{"type":"record","name":"OrderShipped","fields":[{"name":"order_id","type":"string"},{"name":"shipped_at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`

type lintFinding struct {
	Rule, Message, Path string
	Line, Column        int
}

func rulesOf(fs []lintFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestLintPolicyOverHTTP registers through franz-go's schema registry
// client under each lint mode a subject's config can set: off (the
// default) registers anything, warn registers and reports the findings in
// the response and the audit, enforce refuses with 422/42250 and lists
// them; a verbose compatibility test returns them beside its messages; a
// topic's policy covers its subjects.
func TestLintPolicyOverHTTP(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()

	// off: nothing is linted.
	mustCreate(t, ctx, cl, "off-value", sr.Schema{Schema: shipOrder})
	var raw map[string]any
	srv.call(t, "POST", "/subjects/off-value/versions", map[string]string{"schema": shipOrder}, 200, &raw)
	if _, ok := raw["lint"]; ok {
		t.Errorf("lint off: the response has lint: %v", raw)
	}

	// warn: registered, findings returned and audited.
	srv.call(t, "PUT", "/config/warn-value", map[string]any{"lint": "warn"}, 200, nil)
	var cfg struct {
		Lint struct{ Mode string }
	}
	srv.call(t, "GET", "/config/warn-value", nil, 200, &cfg)
	if cfg.Lint.Mode != "warn" {
		t.Fatalf("config: %+v", cfg)
	}
	ss := mustCreate(t, ctx, cl, "warn-value", sr.Schema{Schema: shipOrder})
	if ss.Version != 1 || ss.ID == 0 {
		t.Fatalf("warn: franz-go got %+v", ss)
	}
	var warned struct {
		ID   int
		Lint []lintFinding
	}
	srv.call(t, "POST", "/subjects/warn-value/versions", map[string]string{"schema": shipOrder}, 200, &warned)
	// Registering the same schema again writes nothing and lints nothing.
	if warned.ID != ss.ID || warned.Lint != nil {
		t.Errorf("re-registration: %+v", warned)
	}
	srv.call(t, "POST", "/subjects/warn-value/versions", map[string]string{"schema": strings.Replace(shipOrder, `"fields":[`, `"fields":[{"name":"note","type":"string","default":""},`, 1)}, 200, &warned)
	got := strings.Join(rulesOf(warned.Lint), ",")
	for _, want := range []string{"EVENT_NAME_PAST_TENSE", "FIELD_DOC_MISSING", "RECORD_DOC_MISSING", "TIMESTAMP_WITHOUT_LOGICAL_TYPE"} {
		if !strings.Contains(got, want) {
			t.Errorf("warn: findings %s lack %s", got, want)
		}
	}
	for _, f := range warned.Lint {
		if f.Line == 0 || f.Column == 0 || f.Message == "" {
			t.Errorf("finding without position or message: %+v", f)
		}
	}
	var audit []struct {
		Operation string
		Version   int
		Lint      []lintFinding
	}
	srv.call(t, "GET", "/v1/audit?subject=warn-value", nil, 200, &audit)
	found := false
	for _, e := range audit {
		if e.Operation == "schema.registered" && e.Version == 2 && len(e.Lint) == len(warned.Lint) {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry with the findings of version 2: %+v", audit)
	}

	// enforce, without the docs rules: refused, listing the findings.
	srv.call(t, "PUT", "/config/strict-value", map[string]any{"lint": map[string]any{"mode": "enforce", "except": []string{"DOCS"}}}, 200, nil)
	_, err := cl.CreateSchema(ctx, "strict-value", sr.Schema{Schema: shipOrder})
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 422 || re.ErrorCode != 42250 {
		t.Fatalf("enforce: want 422 with error_code 42250, got %v", err)
	}
	if !strings.Contains(re.Message, `violates the lint policy (enforce) of subject "strict-value"`) || !strings.Contains(re.Message, "EVENT_NAME_PAST_TENSE") {
		t.Errorf("enforce: message %q", re.Message)
	}
	var body struct {
		ErrorCode int `json:"error_code"`
		Lint      []lintFinding
	}
	if err := json.Unmarshal(re.Raw, &body); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rulesOf(body.Lint), ","); got != "EVENT_NAME_PAST_TENSE,TIMESTAMP_WITHOUT_LOGICAL_TYPE" {
		t.Errorf("enforce: findings %s", got)
	}
	if _, err := cl.SchemaByVersion(ctx, "strict-value", -1); err == nil {
		t.Errorf("enforce: a refused schema was registered")
	}
	// A clean schema passes enforce.
	if ss := mustCreate(t, ctx, cl, "strict-value", sr.Schema{Schema: orderShipped}); ss.Version != 1 {
		t.Errorf("enforce, clean schema: %+v", ss)
	}

	// verbose compatibility: lint findings beside the messages; the
	// breaking change also earns TOPIC_NAME_VERSIONED.
	var res struct {
		IsCompatible bool     `json:"is_compatible"`
		Messages     []string `json:"messages"`
		Lint         *[]lintFinding
	}
	srv.call(t, "POST", "/compatibility/subjects/strict-value/versions/latest?verbose=true", map[string]string{"schema": shipOrder}, 200, &res)
	if res.IsCompatible || len(res.Messages) == 0 || res.Lint == nil || strings.Join(rulesOf(*res.Lint), ",") != "EVENT_NAME_PAST_TENSE,TOPIC_NAME_VERSIONED,TIMESTAMP_WITHOUT_LOGICAL_TYPE" {
		t.Errorf("verbose compatibility: %+v", res)
	}
	res.Lint = nil
	srv.call(t, "POST", "/compatibility/subjects/strict-value/versions/latest?verbose=true", map[string]string{"schema": orderShipped}, 200, &res)
	if !res.IsCompatible || res.Lint == nil || len(*res.Lint) != 0 {
		t.Errorf("verbose compatibility, clean: %+v", res)
	}
	res.Lint = nil
	srv.call(t, "POST", "/compatibility/subjects/off-value/versions/latest?verbose=true", map[string]string{"schema": shipOrder}, 200, &res)
	if res.Lint != nil {
		t.Errorf("verbose compatibility, lint off: %+v", res)
	}

	// A topic's policy covers its subjects that have none of their own.
	srv.call(t, "POST", "/v1/catalog/teams", map[string]any{"name": "shipping"}, 200, nil)
	srv.call(t, "POST", "/v1/catalog/topics", map[string]any{"name": "parcels", "owner": "shipping", "lint": map[string]any{"mode": "enforce", "use": []string{"NAMING"}}}, 200, nil)
	_, err = cl.CreateSchema(ctx, "parcels-value", sr.Schema{Schema: shipOrder})
	if !errors.As(err, &re) || re.StatusCode != 422 || re.ErrorCode != 42250 {
		t.Fatalf("topic policy enforce: want 422 with error_code 42250, got %v", err)
	}
	if ss := mustCreate(t, ctx, cl, "parcels-value", sr.Schema{Schema: orderShipped}); ss.Version != 1 {
		t.Errorf("topic policy, clean schema: %+v", ss)
	}

	// A bad policy is refused.
	var e struct {
		ErrorCode int `json:"error_code"`
		Message   string
	}
	srv.call(t, "PUT", "/config/x-value", map[string]any{"lint": map[string]any{"mode": "enforce", "use": []string{"NOPE"}}}, 422, &e)
	if e.ErrorCode != 42212 || !strings.Contains(e.Message, `"NOPE" is neither a lint rule nor a category`) {
		t.Errorf("bad policy: %+v", e)
	}
	srv.call(t, "PUT", "/config/x-value", map[string]any{"lint": "loud"}, 422, &e)
	if e.ErrorCode != 42212 {
		t.Errorf("bad mode: %+v", e)
	}
}
