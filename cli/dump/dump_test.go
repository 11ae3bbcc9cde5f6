package dump

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

func sample() Registry {
	return Registry{
		Config: Config(`{"compatibilityLevel":"BACKWARD"}`),
		Mode:   "READWRITE",
		Subjects: []Subject{
			{Subject: "orders-value", Config: Config(`{"compatibilityLevel":"FULL"}`), Versions: []Version{
				{Version: 1, ID: 3, Schema: `{"type":"string"}`, Deleted: true},
				{Version: 2, ID: 4, Schema: `{"type":"long"}`, References: []confluent.Reference{{Name: "x", Subject: "Orders-Value", Version: 1}}},
			}},
			{Subject: "Orders-Value", Mode: "READONLY", Versions: []Version{{Version: 1, ID: 1, SchemaType: "JSON", Schema: `{}`, Metadata: []byte(`{"properties":{"owner":"team-a"}}`)}}},
			{Subject: ":.ctx:a/b c", Versions: []Version{{Version: 1, ID: 2, Schema: `"int"`}}},
		},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	want := sample()
	if err := Write(dir, want, false); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "subjects"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		low := strings.ToLower(e.Name())
		if seen[low] || strings.ContainsAny(e.Name(), `/\:`) || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("unsafe or colliding file name %q", e.Name())
		}
		seen[low] = true
	}
	if len(entries) != 3 {
		t.Errorf("%d subject files", len(entries))
	}

	if err := Write(dir, want, false); err == nil {
		t.Error("wrote over an earlier export without overwrite")
	}
	if err := Write(dir, Registry{}, true); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(dir); err != nil || len(got.Subjects) != 0 {
		t.Errorf("overwrite left %v %v", got.Subjects, err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(other, want, true); err == nil {
		t.Error("overwrote a directory that is not an export")
	}
}

func TestReadRejects(t *testing.T) {
	cases := map[string]struct{ index, subject, want string }{
		"format":        {`{"format":2,"subjects":[]}`, "", "not supported"},
		"escaping file": {`{"format":1,"subjects":[{"subject":"a","file":"subjects/../../x.json"}]}`, "", "under subjects/"},
		"duplicate":     {`{"format":1,"subjects":[{"subject":"a","file":"subjects/a.json"},{"subject":"a","file":"subjects/b.json"}]}`, "", "twice"},
		"wrong subject": {`{"format":1,"subjects":[{"subject":"a","file":"subjects/a.json"}]}`, `{"subject":"b","versions":[]}`, "lists it"},
		"bad version":   {`{"format":1,"subjects":[{"subject":"a","file":"subjects/a.json"}]}`, `{"subject":"a","versions":[{"version":0,"id":1,"schema":""}]}`, "positive"},
		"bad reference": {`{"format":1,"subjects":[{"subject":"a","file":"subjects/a.json"}]}`, `{"subject":"a","versions":[{"version":1,"id":1,"schema":"","references":[{"name":"x"}]}]}`, "references[0]"},
		"bad config":    {`{"format":1,"config":[1],"subjects":[]}`, "", "JSON object"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "subjects"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "registry.json"), []byte(c.index), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.subject != "" {
				if err := os.WriteFile(filepath.Join(dir, "subjects", "a.json"), []byte(c.subject), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Read(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestOrderPutsReferencesFirst(t *testing.T) {
	r := sample()
	items, err := order(r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.subject+"@"+itoa(it.schema.Version))
	}
	// By id (1, 2, 3, 4), and id 4 needs Orders-Value@1 (id 1) first.
	want := "Orders-Value@1 :.ctx:a/b c@1 orders-value@1 orders-value@2"
	if strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", got, want)
	}
	r.Subjects[1].Versions[0].References = []confluent.Reference{{Name: "y", Subject: "orders-value", Version: 2}}
	if _, err := order(r); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a reference cycle: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func FuzzParseSubject(f *testing.F) {
	f.Add([]byte(`{"subject":"a","config":{"compatibilityLevel":"FULL"},"mode":"READONLY","versions":[{"version":1,"id":1,"schema":"\"int\""}]}`))
	f.Add([]byte(`{"subject":"a","versions":[{"version":1,"id":1,"schema":"","references":[{"name":"x","subject":"b","version":1}]}]}`))
	f.Add([]byte(`{"format":1,"subjects":[{"subject":"a","file":"subjects/a.json"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := ParseSubject(b); err == nil {
			if s.Subject == "" {
				t.Fatal("accepted an empty subject")
			}
			for _, v := range s.Versions {
				if v.Version <= 0 || v.ID <= 0 {
					t.Fatalf("accepted version %d id %d", v.Version, v.ID)
				}
			}
		}
		if idx, err := parseIndex(b); err == nil {
			for _, e := range idx.Subjects {
				if !strings.HasPrefix(e.File, "subjects/") && !strings.HasPrefix(filepath.ToSlash(filepath.Clean(e.File)), "subjects/") {
					t.Fatalf("accepted file %q", e.File)
				}
			}
		}
	})
}

func TestSetConfigRenamesTheLevel(t *testing.T) {
	var body, method, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, method, path = string(b), r.Method, r.URL.EscapedPath()
		_, _ = w.Write([]byte(`{"compatibility":"FULL"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	out, err := SetConfig(context.Background(), c, "s", Config(`{"compatibilityLevel":"FULL","normalize":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	if sent["compatibility"] != "FULL" || sent["compatibilityLevel"] != nil || sent["normalize"] != true {
		t.Errorf("body %v", sent)
	}
	if out.Level() != "FULL" || method != "PUT" || path != "/config/s" {
		t.Errorf("%s %s %s", out.Level(), method, path)
	}
}
