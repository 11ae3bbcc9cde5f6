package cli_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

type registeredLine struct {
	File    string `json:"file"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
}

func register(t *testing.T, reg *liveRegistry, repo *gitRepo) map[string]registeredLine {
	t.Helper()
	r := charterRun(t, "register", "--config", repo.config(), "--registry", reg.url, "--output", "json")
	if r.code != 0 {
		t.Fatalf("register: %s", r)
	}
	var lines []registeredLine
	if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil {
		t.Fatalf("register output: %v\n%s", err, r.stdout)
	}
	out := map[string]registeredLine{}
	for _, l := range lines {
		out[l.Subject] = l
	}
	return out
}

// TestRegistryFlow registers each commit on "merge", checks the breaking
// commit against the live registry, and moves the registry to a second,
// empty charter with export and import.
func TestRegistryFlow(t *testing.T) {
	reg := startRegistry(t)
	repo := newGitRepo(t)

	repo.commit("1", "Avro, Protobuf and JSON schemas")
	first := register(t, reg, repo)
	if len(first) != 6 {
		t.Fatalf("want 6 subjects registered, got %v", first)
	}
	for s, l := range first {
		if l.Version != 1 || l.ID <= 0 {
			t.Errorf("%s: %+v", s, l)
		}
	}
	// References arrive registered, so the registry resolved them.
	_, body := reg.get(t, "/subjects/payment-value/versions/1")
	if !strings.Contains(body, `"references":[{"name":"acme/currency.proto","subject":"currency-value","version":1}]`) {
		t.Errorf("payment-value references: %s", body)
	}
	// Registering is idempotent.
	if again := register(t, reg, repo); !sameRegistration(first, again) {
		t.Errorf("second register changed versions or ids:\n%v\n%v", first, again)
	}

	// The registry's level for orders-value is what charter.yaml says
	// offline: FULL.
	r := charterRun(t, "config", "orders-value", "--set", "full", "--registry", reg.url)
	if r.code != 0 || r.stdout != "orders-value: FULL\n" {
		t.Fatalf("config --set: %s", r)
	}
	r = charterRun(t, "config", "payment-value", "--registry", reg.url)
	if r.code != 0 || r.stdout != "payment-value: BACKWARD (inherited from the global config)\n" {
		t.Errorf("config of a subject without its own: %s", r)
	}

	repo.commit("2", "a compatible change to each")
	r = charterRun(t, "check", "--config", repo.config(), "--registry", reg.url)
	if r.code != 0 {
		t.Fatalf("check --registry on the compatible commit: %s", r)
	}
	second := register(t, reg, repo)
	for _, s := range []string{"orders-value", "payment-value", "customer-value"} {
		if second[s].Version != 2 {
			t.Errorf("%s after commit 2: %+v", s, second[s])
		}
	}
	for _, s := range []string{"price-value", "currency-value", "address-value"} {
		if second[s] != first[s] {
			t.Errorf("%s changed although its file did not: %+v then %+v", s, first[s], second[s])
		}
	}

	repo.commit("3", "a breaking change to each")
	r = charterRun(t, "check", "--config", repo.config(), "--registry", reg.url, "--format", "github-actions")
	if r.code != 100 {
		t.Fatalf("check --registry on the breaking commit: want exit 100, %s", r)
	}
	assertBreaking(t, r.stdout)
	golden(t, "check-registry.github-actions.txt", strings.ReplaceAll(r.stdout, reg.url, "REGISTRY"))
	// The pull-request summary and GitLab's report, from the same check.
	for format, name := range map[string]string{"markdown": "check-registry.markdown.md", "gitlab-code-quality": "check-registry.gitlab-code-quality.json"} {
		r := charterRun(t, "check", "--config", repo.config(), "--registry", reg.url, "--format", format)
		if r.code != 100 {
			t.Fatalf("check --format %s on the breaking commit: want exit 100, %s", format, r)
		}
		golden(t, name, strings.ReplaceAll(r.stdout, reg.url, "REGISTRY"))
	}
	// The registry agrees: registering the breaking commit is refused.
	if r := charterRun(t, "register", "--config", repo.config(), "--registry", reg.url); r.code == 0 || !strings.Contains(errString(r.err), "incompatible") {
		t.Errorf("register of the breaking commit: %s", r)
	}

	// The thin wrappers.
	r = charterRun(t, "subjects", "--registry", reg.url)
	if r.code != 0 || r.stdout != "address-value\ncurrency-value\ncustomer-value\norders-value\npayment-value\nprice-value\n" {
		t.Errorf("subjects: %s", r)
	}
	r = charterRun(t, "get", "orders-value", "1", "--registry", reg.url, "--output", "json")
	var got struct {
		Subject string
		Version int
		ID      int
		Schema  string
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || got.Version != 1 || got.ID != first["orders-value"].ID || !strings.Contains(got.Schema, `"quantity"`) {
		t.Errorf("get --output json: %s", r)
	}
	r = charterRun(t, "get", "--id", strconv.Itoa(first["price-value"].ID), "--registry", reg.url)
	if r.code != 0 || !strings.Contains(r.stdout, `"name":"Price"`) {
		t.Errorf("get --id: %s", r)
	}
	r = charterRun(t, "diff", "payment-value", "1", "2", "--registry", reg.url)
	if r.code != 0 || !strings.Contains(r.stdout, "compatible") || strings.Contains(r.stdout, "breaking") {
		t.Errorf("diff of compatible versions: %s", r)
	}

	// Export, then import into a second, empty charter.
	if code, body := reg.send(t, "DELETE", "/subjects/orders-value/versions/1", ""); code != 200 {
		t.Fatalf("soft-delete: %d %s", code, body)
	}
	if code, body := reg.send(t, "PUT", "/mode/price-value", `{"mode":"READONLY"}`); code != 200 {
		t.Fatalf("subject mode: %d %s", code, body)
	}
	dir := t.TempDir() + "/export"
	r = charterRun(t, "export", dir, "--registry", reg.url)
	if r.code != 0 || !strings.Contains(r.stdout, "exported 6 subjects and 9 versions") {
		t.Fatalf("export: %s", r)
	}
	target := startRegistry(t)
	r = charterRun(t, "import", dir, "--registry", target.url)
	if r.code != 0 || !strings.Contains(r.stdout, "imported 9 versions (1 soft-deleted)") {
		t.Fatalf("import: %s", r)
	}
	assertSameRegistry(t, reg, target)
}

func sameRegistration(a, b map[string]registeredLine) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// assertSameRegistry compares every id, subject, version, config and mode
// of two registries.
func assertSameRegistry(t *testing.T, a, b *liveRegistry) {
	t.Helper()
	_, body := a.get(t, "/schemas/ids/1?fetchMaxId=true")
	var first struct {
		MaxID int `json:"maxId"`
	}
	if err := json.Unmarshal([]byte(body), &first); err != nil || first.MaxID == 0 {
		t.Fatalf("max id: %v %s", err, body)
	}
	for id := 1; id <= first.MaxID+1; id++ {
		p := "/schemas/ids/" + strconv.Itoa(id)
		ca, ba := a.get(t, p)
		cb, bb := b.get(t, p)
		if ca != cb || ba != bb {
			t.Errorf("GET %s differs:\n source %d %s\n target %d %s", p, ca, ba, cb, bb)
		}
	}
	paths := []string{"/subjects", "/subjects?deleted=true", "/config", "/mode"}
	_, subjects := a.get(t, "/subjects?deleted=true")
	var names []string
	if err := json.Unmarshal([]byte(subjects), &names); err != nil {
		t.Fatal(err)
	}
	for _, s := range names {
		paths = append(paths, "/subjects/"+s+"/versions?deleted=true", "/subjects/"+s+"/versions",
			"/config/"+s, "/mode/"+s)
		_, vs := a.get(t, "/subjects/"+s+"/versions?deleted=true")
		var versions []int
		if err := json.Unmarshal([]byte(vs), &versions); err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			paths = append(paths, "/subjects/"+s+"/versions/"+strconv.Itoa(v)+"?deleted=true")
		}
	}
	for _, p := range paths {
		ca, ba := a.get(t, p)
		cb, bb := b.get(t, p)
		if ca != cb || stripTS(ba) != stripTS(bb) {
			t.Errorf("GET %s differs:\n source %d %s\n target %d %s", p, ca, ba, cb, bb)
		}
	}
}

// stripTS drops registration timestamps, which an import cannot keep.
func stripTS(body string) string {
	var v map[string]any
	if json.Unmarshal([]byte(body), &v) != nil {
		return body
	}
	delete(v, "ts")
	b, _ := json.Marshal(v)
	return string(b)
}
