package exporter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// fast makes the exporters react in test time: a short lease and poll.
var fast = exporter.Config{LeaseTTL: 900 * time.Millisecond, Poll: 200 * time.Millisecond}

func call(t *testing.T, method, url string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustCall(t *testing.T, method, url string, body any) []byte {
	t.Helper()
	code, b := call(t, method, url, body)
	if code >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, code, b)
	}
	return b
}

func register(t *testing.T, base, subject, schema string, refs ...registry.Reference) int {
	t.Helper()
	b := mustCall(t, http.MethodPost, base+"/subjects/"+subject+"/versions", map[string]any{"schema": schema, "references": refs})
	var out struct{ ID int }
	_ = json.Unmarshal(b, &out)
	return out.ID
}

func record(name string, fields ...string) string {
	fs := ""
	for i, f := range fields {
		if i > 0 {
			fs += ","
		}
		fs += fmt.Sprintf(`{"name":%q,"type":"string","default":""}`, f)
	}
	return fmt.Sprintf(`{"type":"record","name":%q,"fields":[%s]}`, name, fs)
}

// picture is what a registry holds for the subjects of a mapping: every
// version with its id, text, references and deleted flag, under the
// destination's subject names.
func picture(svc *registry.Service, rename func(string) string) map[string][]registry.Schema {
	out := map[string][]registry.Schema{}
	for _, sc := range svc.Schemas(registry.SchemaFilter{Deleted: true}) {
		s := rename(sc.Subject)
		if s == "" {
			continue
		}
		sc.Subject = s
		// The references are the service's own slice: rename a copy.
		refs := make([]registry.Reference, len(sc.References))
		for i, r := range sc.References {
			r.Subject = rename(r.Subject)
			refs[i] = r
		}
		sc.References = refs
		if len(refs) > 0 {
			// The guid hashes the reference subjects too: a renamed
			// reference gives the copy another guid, and the same id.
			sc.GUID = ""
		}
		sc.Timestamp = 0
		out[s] = append(out[s], sc)
	}
	return out
}

// eventually polls cond until it holds; the deadline is a hang guard.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	last := ""
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if poll.UntilCtx(ctx, func() bool {
		ok, msg := cond()
		last = msg
		return ok
	}) != nil {
		t.Fatalf("%s: not reached: %s", what, last)
	}
}

func samePicture(src, dst *registry.Service, rename func(string) string) func() (bool, string) {
	return func() (bool, string) {
		want := picture(src, rename)
		got := picture(dst, func(s string) string { return s })
		if reflect.DeepEqual(want, got) {
			return true, ""
		}
		return false, fmt.Sprintf("source %v\ndestination %v", want, got)
	}
}

func TestExporterCopiesVersionsIDsDeletesAndConfigs(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	register(t, src.URL, "orders-value", record("Order", "a", "b"))
	register(t, src.URL, "customer-value", record("Customer", "n"))
	register(t, src.URL, "skipped", record("Skipped", "s"))
	mustCall(t, http.MethodPut, src.URL+"/config/orders-value", map[string]any{"compatibility": "FULL"})
	mustCall(t, http.MethodDelete, src.URL+"/subjects/orders-value/versions/1", nil)

	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "NONE", "subjects": []string{"orders-*", "customer-value"},
		"subjectRenameFormat": "dr.${subject}", "config": map[string]string{"schema.registry.url": dst.URL},
	})
	rename := func(s string) string {
		if s == "skipped" {
			return ""
		}
		return "dr." + s
	}
	eventually(t, "first export", samePicture(src.Service, dst.Service, rename))
	if got, err := dst.Service.GetConfig("dr.orders-value", false); err != nil || got.Compatibility == nil || *got.Compatibility != "FULL" {
		t.Fatalf("destination config of dr.orders-value = %+v, %v; want FULL", got, err)
	}
	if m, _ := dst.Service.GetMode("dr.orders-value", false); m != registry.Import {
		t.Errorf("destination mode of dr.orders-value = %s, want IMPORT", m)
	}

	// It keeps following: a new version, a subject hard-deleted on the
	// source, a config removed.
	register(t, src.URL, "orders-value", record("Order", "a", "b", "c"))
	mustCall(t, http.MethodDelete, src.URL+"/subjects/customer-value", nil)
	mustCall(t, http.MethodDelete, src.URL+"/subjects/customer-value?permanent=true", nil)
	mustCall(t, http.MethodDelete, src.URL+"/config/orders-value", nil)
	eventually(t, "follow-up export", samePicture(src.Service, dst.Service, rename))
	eventually(t, "config removed", func() (bool, string) {
		_, err := dst.Service.GetConfig("dr.orders-value", false)
		return err != nil, fmt.Sprint(err)
	})

	var st exporter.Status
	eventually(t, "status RUNNING", func() (bool, string) {
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StateRunning && st.Offset > 0, fmt.Sprintf("%+v", st)
	})
}

func TestExporterStatusJSON(t *testing.T) {
	src := registrytest.Start(t)
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "e1", "config": map[string]string{"schema.registry.url": "http://127.0.0.1:1"}})
	var raw map[string]any
	if err := json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/e1/status", nil), &raw); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	want := map[string]bool{"name": true, "state": true, "offset": true, "ts": true, "trace": true}
	if len(raw) != len(want) {
		t.Fatalf("status keys %v, want name, state, offset, ts, trace", keys)
	}
	for k := range want {
		if _, ok := raw[k]; !ok {
			t.Fatalf("status lacks %s: %v", k, raw)
		}
	}
	if raw["state"] != "STARTING" || raw["name"] != "e1" {
		t.Errorf("status = %v, want e1 STARTING (no instance runs exporters here)", raw)
	}
}

func TestExporterAPIErrors(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(exporter.Config{MaxExporters: 2, LeaseTTL: time.Hour}))
	good := map[string]string{"schema.registry.url": "http://127.0.0.1:1"}
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "one", "config": good})
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   int
		msg    string
	}{
		{"no name", "POST", "/exporters", map[string]any{"config": good}, 409, 40950, "Missing or invalid exporter name: the name is empty"},
		{"bad name", "POST", "/exporters", map[string]any{"name": "a/b", "config": good}, 409, 40950, "Missing or invalid exporter name 'a/b': use letters, digits, '_', '-' and '.', starting with a letter, digit or '_'"},
		{"no config", "POST", "/exporters", map[string]any{"name": "two"}, 409, 40951, "Missing or invalid exporter config: schema.registry.url is required"},
		{"unknown key", "POST", "/exporters", map[string]any{"name": "two", "config": map[string]string{"schema.registry.url": "http://x", "color": "red"}}, 409, 40951,
			"Missing or invalid exporter config: unknown key color; supported keys are basic.auth.credentials.source, basic.auth.user.info, bearer.auth.credentials.source, bearer.auth.token, schema.registry.ssl.ca.location, schema.registry.ssl.certificate.location, schema.registry.ssl.endpoint.identification.algorithm, schema.registry.ssl.key.location, schema.registry.url"},
		{"keystore", "POST", "/exporters", map[string]any{"name": "two", "config": map[string]string{"schema.registry.url": "http://x", "schema.registry.ssl.truststore.location": "/t.jks"}}, 409, 40951,
			"Missing or invalid exporter config: schema.registry.ssl.truststore.location is not supported: give PEM files with schema.registry.ssl.ca.location, schema.registry.ssl.certificate.location and schema.registry.ssl.key.location"},
		{"not a url", "POST", "/exporters", map[string]any{"name": "two", "config": map[string]string{"schema.registry.url": "ftp://x"}}, 409, 40951, `Missing or invalid exporter config: schema.registry.url "ftp://x" is not an http(s) URL`},
		{"bad rename", "POST", "/exporters", map[string]any{"name": "two", "subjectRenameFormat": "fixed", "config": good}, 409, 40952, "Invalid exporter subjects: subjectRenameFormat 'fixed' must contain ${subject} exactly once"},
		{"empty subject", "POST", "/exporters", map[string]any{"name": "two", "subjects": []string{""}, "config": good}, 409, 40952, `Invalid exporter subjects: "" is not a subject name or pattern`},
		{"bad context type", "POST", "/exporters", map[string]any{"name": "two", "contextType": "SOME", "config": good}, 422, 42212, "Exporter 'two': invalid contextType 'SOME': use AUTO, CUSTOM or NONE"},
		{"custom without context", "POST", "/exporters", map[string]any{"name": "two", "contextType": "CUSTOM", "config": good}, 422, 42212, "Exporter 'two': contextType CUSTOM needs a context"},
		{"context without custom", "POST", "/exporters", map[string]any{"name": "two", "context": "x", "config": good}, 422, 42212, "Exporter 'two': context is only for contextType CUSTOM, not AUTO"},
		{"kek rename", "POST", "/exporters", map[string]any{"name": "two", "kekRenameFormat": "k_${kek}", "config": good}, 422, 42212, "Exporter 'two': kekRenameFormat is not supported: charter's exporters copy schemas, not encryption keys"},
		{"custom global context", "POST", "/exporters", map[string]any{"name": "two", "contextType": "CUSTOM", "context": ".__GLOBAL", "config": good}, 422, 42212, "Exporter 'two': invalid context '.__GLOBAL': it holds configs and modes, not subjects"},
		{"exists", "POST", "/exporters", map[string]any{"name": "one", "config": good}, 409, 40960, "Exporter 'one' already exists"},
		{"not found", "GET", "/exporters/nope", nil, 404, 40450, "Exporter 'nope' not found"},
		{"status not found", "GET", "/exporters/nope/status", nil, 404, 40450, "Exporter 'nope' not found"},
		{"pause not found", "PUT", "/exporters/nope/pause", nil, 404, 40450, "Exporter 'nope' not found"},
		{"delete not found", "DELETE", "/exporters/nope", nil, 404, 40450, "Exporter 'nope' not found"},
		{"pause invalid name", "PUT", "/exporters/%C2%88/pause", nil, 404, 40450, "Exporter '\u0088' not found"},
		{"delete invalid name", "DELETE", "/exporters/a%2Cb", nil, 404, 40450, "Exporter 'a,b' not found"},
		{"update running", "PUT", "/exporters/one", map[string]any{"subjects": []string{"x"}}, 409, 40963, "Exporter 'one' not paused: pause it first"},
		{"reset running", "PUT", "/exporters/one/reset", nil, 409, 40963, "Exporter 'one' not paused: pause it first"},
		{"config running", "PUT", "/exporters/one/config", map[string]string{"schema.registry.url": "http://y"}, 409, 40963, "Exporter 'one' not paused: pause it first"},
		{"resume running", "PUT", "/exporters/one/resume", nil, 409, 40961, "Exporter 'one' already running"},
		{"resume not found", "PUT", "/exporters/nope/resume", nil, 404, 40450, "Exporter 'nope' not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, b := call(t, c.method, src.URL+c.path, c.body)
			var e struct {
				Code int    `json:"error_code"`
				Msg  string `json:"message"`
			}
			_ = json.Unmarshal(b, &e)
			if status != c.status || e.Code != c.code || e.Msg != c.msg {
				t.Errorf("%s %s = %d %d %q, want %d %d %q", c.method, c.path, status, e.Code, e.Msg, c.status, c.code, c.msg)
			}
		})
	}
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "two", "config": good})
	status, b := call(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "three", "config": good})
	if status != 409 || !bytes.Contains(b, []byte(`"error_code":40964`)) {
		t.Errorf("third exporter over a limit of 2 = %d %s, want 409 40964", status, b)
	}

	// Paused, it takes updates; secrets are hidden and kept.
	mustCall(t, http.MethodPut, src.URL+"/exporters/one/pause", nil)
	mustCall(t, http.MethodPut, src.URL+"/exporters/one/config", map[string]string{"basic.auth.user.info": "u:secret"})
	var cfg map[string]string
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/one/config", nil), &cfg)
	if cfg["basic.auth.user.info"] != "[hidden]" || cfg["schema.registry.url"] != good["schema.registry.url"] {
		t.Errorf("config = %v, want the URL and the user info hidden", cfg)
	}
	mustCall(t, http.MethodPut, src.URL+"/exporters/one", map[string]any{"subjects": []string{"a*"}, "config": cfg})
	var def exporter.Exporter
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/one", nil), &def)
	if !reflect.DeepEqual(def.Subjects, []string{"a*"}) || def.ContextType != exporter.ContextAuto || def.SubjectRenameFormat != "${subject}" {
		t.Errorf("definition = %+v", def)
	}
	mustCall(t, http.MethodPut, src.URL+"/exporters/one/reset", nil)
	var st exporter.Status
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/one/status", nil), &st)
	if st.State != exporter.StatePaused || st.Offset != 0 {
		t.Errorf("status after reset = %+v, want PAUSED at 0", st)
	}
	var names []string
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters", nil), &names)
	if !reflect.DeepEqual(names, []string{"one", "two"}) {
		t.Errorf("GET /exporters = %v", names)
	}
	if code, _ := call(t, http.MethodDelete, src.URL+"/exporters/two", nil); code != http.StatusNoContent {
		t.Errorf("DELETE = %d, want 204", code)
	}

	// Every change is audited, secrets hidden.
	trail := string(mustCall(t, http.MethodGet, src.URL+"/v1/audit?limit=100", nil))
	for _, op := range []string{"exporter.created", "exporter.paused", "exporter.updated", "exporter.reset", "exporter.deleted"} {
		if !bytes.Contains([]byte(trail), []byte(`"operation":"`+op+`"`)) {
			t.Errorf("the audit trail has no %s entry", op)
		}
	}
	if bytes.Contains([]byte(trail), []byte("secret")) {
		t.Error("the audit trail shows the exporter's password")
	}
}

// An id the destination already gives another schema is a clash: the
// exporter stops in ERROR and says why, rather than renumbering.
func TestExporterReportsIDClash(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, dst.URL, "local-value", record("Local", "x"))
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "NONE", "config": map[string]string{"schema.registry.url": dst.URL},
	})
	var st exporter.Status
	eventually(t, "ERROR with the clash", func() (bool, string) {
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StateError && bytes.Contains([]byte(st.Trace), []byte("id 1")), fmt.Sprintf("%+v", st)
	})
	if _, err := dst.Service.Version("orders-value", 1, true); err == nil {
		t.Error("the clashing version was written to the destination")
	}
}

// A version's references come along, renamed like every subject, even
// when the filter does not name the referenced subject.
func TestExporterBringsReferences(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "common-money", `{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"cents","type":"long"}]}`)
	register(t, src.URL, "orders-value", `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":"acme.Money"}]}`,
		registry.Reference{Name: "acme.Money", Subject: "common-money", Version: 1})
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "refs", "contextType": "NONE", "subjects": []string{"orders-*"}, "subjectRenameFormat": "b.${subject}",
		"config": map[string]string{"schema.registry.url": dst.URL},
	})
	eventually(t, "orders-value and its reference exported", samePicture(src.Service, dst.Service, func(s string) string { return "b." + s }))
	sc, err := dst.Service.Version("b.orders-value", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.References) != 1 || sc.References[0].Subject != "b.common-money" {
		t.Errorf("destination references = %+v, want b.common-money", sc.References)
	}
}

// Into a context of its own the same id is no clash: ids are per context
// on the destination, so a registry that holds schemas of its own takes
// another's copy beside them.
func TestExporterContextAvoidsIDClash(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, dst.URL, "local-value", record("Local", "x"))
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "CUSTOM", "context": "src", "config": map[string]string{"schema.registry.url": dst.URL},
	})
	eventually(t, "exported into .src", func() (bool, string) {
		sc, err := dst.Service.Version(":.src:orders-value", 1, true)
		return err == nil && sc.ID == 1, fmt.Sprintf("%+v %v", sc, err)
	})
	if sc, err := dst.Service.Version("local-value", 1, false); err != nil || sc.ID != 1 {
		t.Errorf("the destination's own local-value = %+v, %v; want id 1 untouched", sc, err)
	}
}

// After a failover the standby takes writes of its own in an exported
// subject. When the exporter runs again (the lost region is back with its
// exporter), it must not hard-delete those versions as if the source had
// deleted them: an id above every id the source assigned cannot be one it
// exported. It stops in ERROR and the destination keeps its versions.
func TestExporterKeepsTheDestinationsOwnVersions(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "NONE", "config": map[string]string{"schema.registry.url": dst.URL},
	})
	eventually(t, "first export", samePicture(src.Service, dst.Service, func(s string) string { return s }))
	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/pause", nil)

	// Failover: the standby gets its writes back and registers version 2.
	mustCall(t, http.MethodDelete, dst.URL+"/mode/orders-value", nil)
	own := register(t, dst.URL, "orders-value", record("Order", "a", "b"))

	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/resume", nil)
	var st exporter.Status
	eventually(t, "ERROR naming the destination's own version", func() (bool, string) {
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StateError && bytes.Contains([]byte(st.Trace), []byte("orders-value version 2")), fmt.Sprintf("%+v", st)
	})
	if sc, err := dst.Service.Version("orders-value", 2, false); err != nil || sc.ID != own {
		t.Errorf("the destination's own version 2 (id %d) = %+v, %v; want it kept", own, sc, err)
	}
}

// The same with ids that overlap (both sides took registrations): the
// source's new schema comes with an id the standby gave its own version.
// The import clashes before anything is deleted, so the standby keeps its
// version and the id keeps meaning its schema there.
func TestExporterKeepsTheDestinationsOwnVersionsWhenIDsOverlap(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "NONE", "config": map[string]string{"schema.registry.url": dst.URL},
	})
	eventually(t, "first export", samePicture(src.Service, dst.Service, func(s string) string { return s }))
	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/pause", nil)

	mustCall(t, http.MethodDelete, dst.URL+"/mode/orders-value", nil)
	own := register(t, dst.URL, "orders-value", record("Order", "a", "b"))
	if other := register(t, src.URL, "payments-value", record("Payment", "p")); other != own {
		t.Fatalf("the source's new id %d, the destination's %d: the test needs them equal", other, own)
	}

	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/resume", nil)
	var st exporter.Status
	eventually(t, "ERROR with the clash", func() (bool, string) {
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StateError && bytes.Contains([]byte(st.Trace), []byte("import payments-value version 1: destination POST")) &&
			bytes.Contains([]byte(st.Trace), []byte(fmt.Sprintf("id %d", own))), fmt.Sprintf("%+v", st)
	})
	if sc, err := dst.Service.Version("orders-value", 2, false); err != nil || sc.ID != own {
		t.Errorf("the destination's own version 2 (id %d) = %+v, %v; want it kept", own, sc, err)
	}
}

// The exporter deletes on the destination only what it wrote there. A
// version it exported and the source hard-deleted goes; a version the
// standby registered itself stays, even when the standby gave it an id the
// source once used (and hard-deleted), which no rule on ids can tell from
// an exported one: the exporter's records say which versions it wrote.
func TestExporterDeletesOnlyWhatItWrote(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	register(t, src.URL, "orders-value", record("Order", "a", "b"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
		"name": "dr", "contextType": "NONE", "subjects": []string{"orders-value"}, "config": map[string]string{"schema.registry.url": dst.URL},
	})
	same := func(s string) string {
		if s == "orders-value" {
			return s
		}
		return ""
	}
	eventually(t, "first export", samePicture(src.Service, dst.Service, same))

	// A version it exported and the source hard-deleted is purged.
	mustCall(t, http.MethodDelete, src.URL+"/subjects/orders-value/versions/2", nil)
	mustCall(t, http.MethodDelete, src.URL+"/subjects/orders-value/versions/2?permanent=true", nil)
	eventually(t, "version 2 purged", samePicture(src.Service, dst.Service, same))

	// The source uses an id in a subject it does not export and
	// hard-deletes it; the standby, failed over, registers a version of its
	// own under the same id.
	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/pause", nil)
	eventually(t, "PAUSED", func() (bool, string) {
		var st exporter.Status
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StatePaused, fmt.Sprintf("%+v", st)
	})
	once := register(t, src.URL, "scratch-value", record("Scratch", "s"))
	mustCall(t, http.MethodDelete, src.URL+"/subjects/scratch-value", nil)
	mustCall(t, http.MethodDelete, src.URL+"/subjects/scratch-value?permanent=true", nil)
	mustCall(t, http.MethodDelete, dst.URL+"/mode/orders-value", nil)
	own := register(t, dst.URL, "orders-value", record("Order", "a", "c"))
	if own != once {
		t.Fatalf("the standby's own id %d, the id the source used and deleted %d: the test needs them equal", own, once)
	}
	vs, err := dst.Service.Versions("orders-value", false, false)
	if err != nil || len(vs) != 2 {
		t.Fatalf("destination versions = %v, %v; want the exported one and the standby's own", vs, err)
	}
	ownVersion := vs[1]

	mustCall(t, http.MethodPut, src.URL+"/exporters/dr/resume", nil)
	var st exporter.Status
	eventually(t, "ERROR naming the standby's own version", func() (bool, string) {
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/dr/status", nil), &st)
		return st.State == exporter.StateError && bytes.Contains([]byte(st.Trace), []byte(fmt.Sprintf("orders-value version %d (id %d) was not written by this exporter", ownVersion, own))), fmt.Sprintf("%+v", st)
	})
	if sc, err := dst.Service.Version("orders-value", ownVersion, false); err != nil || sc.ID != own {
		t.Errorf("the standby's own version %d (id %d) = %+v, %v; want it kept", ownVersion, own, sc, err)
	}
	if sc, err := dst.Service.Version("orders-value", 1, false); err != nil || sc.ID != 1 {
		t.Errorf("the exported version 1 = %+v, %v; want it kept", sc, err)
	}
}

// Pausing a paused exporter answers as the first pause and writes
// nothing; resuming a running one is 40961; each pause and resume that
// changes something is audited. Context types are taken in any case and
// answered in capitals.
func TestExporterPauseResumeAndContextTypeCase(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	cfg := map[string]string{"schema.registry.url": dst.URL}
	for name, ct := range map[string]string{"c": "custom", "n": "none", "a": "Auto"} {
		body := map[string]any{"name": name, "contextType": ct, "config": cfg}
		if name == "c" {
			body["context"] = "east"
		}
		mustCall(t, http.MethodPost, src.URL+"/exporters", body)
	}
	for name, want := range map[string]exporter.ContextType{"c": exporter.ContextCustom, "n": exporter.ContextNone, "a": exporter.ContextAuto} {
		var def exporter.Exporter
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/"+name, nil), &def)
		if def.ContextType != want {
			t.Errorf("exporter %s contextType = %q, want %q", name, def.ContextType, want)
		}
	}
	status := func(name string) exporter.Status {
		var st exporter.Status
		_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/"+name+"/status", nil), &st)
		return st
	}
	eventually(t, "c RUNNING", func() (bool, string) {
		st := status("c")
		return st.State == exporter.StateRunning, fmt.Sprintf("%+v", st)
	})
	answer := func(method, path string, body any) string {
		code, b := call(t, method, src.URL+path, body)
		return fmt.Sprintf("%d %s", code, bytes.TrimSpace(b))
	}
	if got, want := answer(http.MethodPut, "/exporters/c/resume", nil), `409 {"error_code":40961,"message":"Exporter 'c' already running"}`; got != want {
		t.Errorf("resume of a running exporter = %s, want %s", got, want)
	}
	for i := range 2 {
		if got, want := answer(http.MethodPut, "/exporters/c/pause", nil), `200 {"name":"c"}`; got != want {
			t.Errorf("pause %d = %s, want %s", i+1, got, want)
		}
	}
	if st := status("c"); st.State != exporter.StatePaused {
		t.Errorf("status after the pauses = %+v, want PAUSED", st)
	}
	// Paused, an update takes a context type in small letters too, and
	// keeps the context when it names CUSTOM again.
	mustCall(t, http.MethodPut, src.URL+"/exporters/c", map[string]any{"contextType": "custom"})
	var def exporter.Exporter
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/c", nil), &def)
	if def.ContextType != exporter.ContextCustom || def.Context != ".east" {
		t.Errorf("after updating contextType to custom: %q %q, want CUSTOM .east", def.ContextType, def.Context)
	}
	if got, want := answer(http.MethodPut, "/exporters/c/resume", nil), `200 {"name":"c"}`; got != want {
		t.Errorf("resume of a paused exporter = %s, want %s", got, want)
	}
	eventually(t, "c RUNNING again", func() (bool, string) {
		st := status("c")
		return st.State == exporter.StateRunning, fmt.Sprintf("%+v", st)
	})

	var trail []struct {
		Operation string          `json:"operation"`
		Before    json.RawMessage `json:"before"`
	}
	_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/v1/audit?limit=1000", nil), &trail)
	ops := map[string]int{}
	for _, e := range trail {
		if bytes.Contains(e.Before, []byte(`"name":"c"`)) {
			ops[e.Operation]++
		}
	}
	want := map[string]int{"exporter.paused": 1, "exporter.updated": 1, "exporter.resumed": 1}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("audit entries of exporter c = %v, want %v (a second pause writes none)", ops, want)
	}
}

// A deleted exporter's series leave the registry's /metrics: its gauges
// and its counters; another exporter's stay.
func TestExporterMetricsGoWithTheExporter(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	for _, name := range []string{"gone", "kept"} {
		mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{
			"name": name, "contextType": "CUSTOM", "context": name, "config": map[string]string{"schema.registry.url": dst.URL},
		})
	}
	series := func(name string) []string {
		var out []string
		for _, line := range bytes.Split(mustCall(t, http.MethodGet, src.URL+"/metrics", nil), []byte("\n")) {
			if !bytes.HasPrefix(line, []byte("#")) && bytes.Contains(line, []byte(`exporter="`+name+`"`)) {
				out = append(out, string(line))
			}
		}
		return out
	}
	has := func(lines []string, metric string) bool {
		for _, l := range lines {
			if strings.HasPrefix(l, metric+"{") {
				return true
			}
		}
		return false
	}
	for _, name := range []string{"gone", "kept"} {
		eventually(t, name+" exported and counted", func() (bool, string) {
			s := series(name)
			return has(s, "charter_exporter_operations_total") && has(s, "charter_exporter_offset") && has(s, "charter_exporter_state"), strings.Join(s, "\n")
		})
	}
	mustCall(t, http.MethodDelete, src.URL+"/exporters/gone", nil)
	eventually(t, "no series of the deleted exporter", func() (bool, string) {
		s := series("gone")
		return len(s) == 0, strings.Join(s, "\n")
	})
	if s := series("kept"); !has(s, "charter_exporter_operations_total") || !has(s, "charter_exporter_offset") {
		t.Errorf("the other exporter's series = %v, want its counters and gauges", s)
	}
}
