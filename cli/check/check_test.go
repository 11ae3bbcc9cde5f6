package check

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/cli/annotation"
	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// fixed is a Baseline with one earlier version per subject.
type fixed struct {
	level compat.Level
	old   map[string]string
}

func (b fixed) Previous(_ context.Context, f *project.File) (Previous, error) {
	out := Previous{Level: b.level}
	if text, ok := b.old[f.Subject]; ok {
		out.Versions = []Version{{Version: 1, Type: f.Type, Text: text, Label: "version 1"}}
	}
	return out, nil
}

func load(t *testing.T, files map[string]string, cfg string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		writeFile(t, dir, name, text)
	}
	c, err := project.ParseConfig([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), c, project.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const avroV1 = `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}`

func TestCheckerRules(t *testing.T) {
	cfg := "schemas:\n  - {path: \"*.*\", subject: \"{name}\"}\n"
	cases := []struct {
		name      string
		file      string
		text      string
		baseline  Baseline
		wantRules []string
		wantLine  int
	}{
		{"parse error", "r.avsc", "{\n  \"type\": \"record\",\n  \"name\": \"R\",\n  \"fields\": [{\"name\": \"a\", \"type\": \"nope\"}]\n}", nil, []string{RuleInvalidSchema}, 4},
		{"parse only passes", "r.avsc", avroV1, nil, nil, 0},
		{"new subject passes", "r.avsc", avroV1, fixed{level: compat.Full, old: map[string]string{}}, nil, 0},
		{"level NONE passes", "r.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`,
			fixed{level: compat.None, old: map[string]string{"r": avroV1}}, nil, 0},
		{"BACKWARD allows removing a field", "r.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`,
			fixed{level: compat.Backward, old: map[string]string{"r": avroV1}}, nil, 0},
		{"FORWARD does not", "r.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`,
			fixed{level: compat.Forward, old: map[string]string{"r": avroV1}}, []string{"READER_FIELD_MISSING_DEFAULT_VALUE"}, 1},
		{"FULL reports a protobuf type change once", "p.proto", "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
			fixed{level: compat.Full, old: map[string]string{"p": "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n}\n"}}, []string{"FIELD_WIRE_COMPATIBLE_TYPE"}, 3},
		{"JSON narrowing", "j.json", "{\"properties\": {\n\"a\": {\"type\": \"integer\"}}}",
			fixed{level: compat.Backward, old: map[string]string{"j": `{"properties": {"a": {"type": "number"}}}`}}, []string{"TYPE_NARROWED"}, 2},
		{"JSON required added is at its entry", "j.json", "{\"type\": \"object\",\n\"properties\": {\"a\": {\"type\": \"string\"}},\n\"required\": [\n  \"a\"]}",
			fixed{level: compat.Backward, old: map[string]string{"j": `{"type": "object", "properties": {"a": {"type": "string"}}}`}}, []string{"REQUIRED_ATTRIBUTE_ADDED"}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := load(t, map[string]string{c.file: c.text}, cfg)
			ch := &Checker{Formats: charter.Formats(), Baseline: c.baseline}
			set, err := ch.Check(context.Background(), p, p.Files)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			var failing []annotation.Annotation
			for _, a := range set.Annotations {
				if a.Fails() {
					failing = append(failing, a)
				}
			}
			for _, a := range failing {
				rules = append(rules, a.Rule)
				if a.File != c.file || a.Subject == "" || a.Message == "" {
					t.Errorf("annotation lacks file, subject or message: %+v", a)
				}
			}
			if strings.Join(rules, ",") != strings.Join(c.wantRules, ",") {
				t.Fatalf("rules %v, want %v: %+v", rules, c.wantRules, set.Annotations)
			}
			if len(failing) > 0 && failing[0].Line != c.wantLine {
				t.Errorf("line %d, want %d", failing[0].Line, c.wantLine)
			}
			if len(set.Files) != 1 {
				t.Errorf("files %v", set.Files)
			}
		})
	}
}

func TestCheckerWarnsWhenTheOldVersionDoesNotParse(t *testing.T) {
	p := load(t, map[string]string{"r.avsc": avroV1}, "schemas:\n  - {path: r.avsc, subject: r}\n")
	var warnings []string
	ch := &Checker{Formats: charter.Formats(), Baseline: fixed{level: compat.Backward, old: map[string]string{"r": "{broken"}},
		Warn: func(m string) { warnings = append(warnings, m) }}
	set, err := ch.Check(context.Background(), p, p.Files)
	if err != nil || len(set.Annotations) != 0 || len(warnings) != 1 {
		t.Errorf("err %v annotations %v warnings %v", err, set.Annotations, warnings)
	}
}

// fakeRegistry serves a subject's config and versions the way Confluent
// does, and counts requests.
func fakeRegistry(t *testing.T, level string, versions map[string][]confluent.Schema) (*client.Client, *[]string) {
	t.Helper()
	return fakeRegistryConfig(t, map[string]any{"compatibilityLevel": level}, versions)
}

// fakeRegistryConfig is fakeRegistry answering config for every config
// request.
func fakeRegistryConfig(t *testing.T, config map[string]any, versions map[string][]confluent.Schema) (*client.Client, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path)
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		write := func(v any) { _ = json.NewEncoder(w).Encode(v) }
		switch {
		case parts[0] == "config":
			write(config)
		case parts[0] == "subjects" && len(parts) == 2 && r.Method == http.MethodPost:
			// A lookup: the schema as text, compared as given.
			var req confluent.Schema
			_ = json.NewDecoder(r.Body).Decode(&req)
			for _, v := range versions[parts[1]] {
				if v.Schema == req.Schema {
					write(v)
					return
				}
			}
			w.WriteHeader(404)
			if _, ok := versions[parts[1]]; !ok {
				write(map[string]any{"error_code": 40401, "message": "Subject not found"})
				return
			}
			write(map[string]any{"error_code": 40403, "message": "Schema not found"})
		case parts[0] == "subjects" && len(parts) == 3:
			vs, ok := versions[parts[1]]
			if !ok {
				w.WriteHeader(404)
				write(map[string]any{"error_code": 40401, "message": "Subject not found"})
				return
			}
			var out []int
			for _, v := range vs {
				out = append(out, v.Version)
			}
			write(out)
		case parts[0] == "subjects" && len(parts) == 4:
			vs, ok := versions[parts[1]]
			if !ok {
				w.WriteHeader(404)
				write(map[string]any{"error_code": 40401, "message": "Subject not found"})
				return
			}
			for i, v := range vs {
				if parts[3] == "latest" && i == len(vs)-1 || parts[3] == itoa(v.Version) {
					write(v)
					return
				}
			}
			w.WriteHeader(404)
			write(map[string]any{"error_code": 40402, "message": "Version not found"})
		default:
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.URLs(srv.URL), client.Retries(0))
	if err != nil {
		t.Fatal(err)
	}
	return c, &seen
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRegistryBaseline(t *testing.T) {
	money := `{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"c","type":"long"}]}`
	v1 := `{"type":"record","name":"R","namespace":"acme","fields":[{"name":"m","type":"Money"},{"name":"x","type":"int"}]}`
	v2 := `{"type":"record","name":"R","namespace":"acme","fields":[{"name":"m","type":"Money"},{"name":"x","type":"long"}]}`
	refs := []confluent.Reference{{Name: "acme.Money", Subject: "money", Version: 1}}
	versions := map[string][]confluent.Schema{
		"money": {{Version: 1, ID: 1, Schema: money}},
		"r":     {{Version: 1, ID: 2, Schema: v1, References: refs}, {Version: 2, ID: 3, Schema: v2, References: refs}},
	}
	f := &project.File{Subject: "r", Type: compat.Avro}

	c, seen := fakeRegistry(t, "BACKWARD", versions)
	prev, err := NewRegistry(c).Previous(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Level != compat.Backward || len(prev.Versions) != 1 || prev.Versions[0].Version != 2 {
		t.Fatalf("non-transitive: %+v", prev)
	}
	if d := prev.Versions[0].Deps; len(d) != 1 || d[0].Name != "acme.Money" || d[0].Schema != money {
		t.Errorf("references: %+v", d)
	}
	if strings.Contains(strings.Join(*seen, " "), "/subjects/r/versions/1") {
		t.Errorf("a non-transitive level fetched old versions: %v", *seen)
	}

	c, _ = fakeRegistry(t, "FULL_TRANSITIVE", versions)
	prev, err = NewRegistry(c).Previous(context.Background(), f)
	if err != nil || len(prev.Versions) != 2 || prev.Versions[0].Version != 1 {
		t.Fatalf("transitive: %+v %v", prev, err)
	}

	c, _ = fakeRegistry(t, "BACKWARD", versions)
	prev, err = NewRegistry(c).Previous(context.Background(), &project.File{Subject: "new", Type: compat.Avro})
	if err != nil || len(prev.Versions) != 0 {
		t.Errorf("a new subject: %+v %v", prev, err)
	}
}

func TestDiffListsBothDirections(t *testing.T) {
	fm := charter.Formats()[0]
	oldText := "{\"type\":\"record\",\"name\":\"R\",\"fields\":[\n{\"name\":\"a\",\"type\":\"int\"},\n{\"name\":\"b\",\"type\":\"string\"}]}"
	newText := "{\"type\":\"record\",\"name\":\"R\",\"fields\":[\n{\"name\":\"a\",\"type\":\"long\"}]}"
	o, err := fm.Parse(oldText, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := fm.Parse(newText, nil)
	if err != nil {
		t.Fatal(err)
	}
	changes := Diff(fm, o, n, compat.Options{})
	var got []string
	for _, c := range changes {
		got = append(got, c.Direction+":"+c.Rule)
	}
	// int -> long reads old data and b's removal is skipped by new readers
	// (both compatible); old readers break on the long and on the missing b.
	want := "BACKWARD:TYPE_PROMOTED,BACKWARD:FIELD_REMOVED,FORWARD:TYPE_MISMATCH,FORWARD:READER_FIELD_MISSING_DEFAULT_VALUE"
	if strings.Join(got, ",") != want {
		t.Errorf("changes %v, want %s", got, want)
	}
	for _, c := range changes {
		if c.Direction == "FORWARD" && (c.Compatible || c.Line == 0) {
			t.Errorf("forward change without position or marked compatible: %+v", c)
		}
		if c.Direction == "BACKWARD" && !c.Compatible {
			t.Errorf("backward change marked breaking: %+v", c)
		}
	}
}

// A file importing one that charter.yaml maps to no subject fails the
// check, with or without a baseline, since charter register would refuse
// it at the merge.
func TestCheckerRefusesAReferenceCharterYamlDoesNotMap(t *testing.T) {
	files := map[string]string{
		"proto/lib/money.proto": "syntax = \"proto3\";\npackage lib;\nmessage Money { int64 cents = 1; }\n",
		"proto/app.proto":       "syntax = \"proto3\";\npackage app;\nimport \"lib/money.proto\";\nmessage Order { lib.Money total = 1; }\n",
	}
	unmapped := load(t, files, "importPaths: [proto]\nschemas:\n  - {path: proto/app.proto, subject: app-value}\n")
	mapped := load(t, files, "importPaths: [proto]\nschemas:\n  - {path: proto/app.proto, subject: app-value}\n  - {path: proto/lib/money.proto, subject: money}\n")
	for _, baseline := range []Baseline{nil, fixed{level: compat.Backward}} {
		ch := &Checker{Formats: charter.Formats(), Baseline: baseline}
		set, err := ch.Check(context.Background(), unmapped, unmapped.Files)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Annotations) != 1 || set.Annotations[0].Rule != RuleReferenceNotMapped || set.Annotations[0].File != "proto/app.proto" ||
			!strings.Contains(set.Annotations[0].Message, "proto/lib/money.proto") {
			t.Errorf("baseline %v: %+v, want one %s on proto/app.proto naming proto/lib/money.proto", baseline, set.Annotations, RuleReferenceNotMapped)
		}
		set, err = ch.Check(context.Background(), mapped, mapped.Files)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range set.Annotations {
			if a.Rule == RuleReferenceNotMapped {
				t.Errorf("baseline %v: a mapped reference reported: %+v", baseline, a)
			}
		}
	}
}
