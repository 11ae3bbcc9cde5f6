package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/testdata"
)

// TestConfluentRegistryFlows replays the REST sequences in
// compat-cases.json's registry_flows, each on an empty registry.
func TestConfluentRegistryFlows(t *testing.T) {
	raw, err := os.ReadFile(testdata.Shared(t, "testdata/confluent/avro/compat-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Schemas map[string]string `json:"schemas"`
		Flows   []struct {
			Name          string `json:"name"`
			Subject       string `json:"subject"`
			InitialGlobal string `json:"initial_global_compatibility"`
			Steps         []struct {
				Op            string            `json:"op"`
				Schema        string            `json:"schema"`
				SchemaLiteral string            `json:"schema_literal"`
				Metadata      json.RawMessage   `json:"metadata"`
				Query         map[string]string `json:"query"`
				Body          json.RawMessage   `json:"body"`
				Version       string            `json:"version"`
				Expect        struct {
					Status          int            `json:"status"`
					ErrorCode       int            `json:"error_code"`
					ID              int            `json:"id"`
					MessageContains string         `json:"message_contains"`
					BodyContains    map[string]any `json:"body_contains"`
					IsCompatible    *bool          `json:"is_compatible"`
				} `json:"expect"`
			} `json:"steps"`
		} `json:"registry_flows"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Flows) == 0 {
		t.Fatal("no registry_flows in compat-cases.json")
	}
	for _, flow := range cases.Flows {
		t.Run(flow.Name, func(t *testing.T) {
			h := newHarness(t)
			if r := h.do("PUT", "/config", map[string]string{"compatibility": flow.InitialGlobal}); r.status != 200 {
				t.Fatalf("set global level: %d %s", r.status, r.body)
			}
			subject := url.PathEscape(flow.Subject)
			for i, st := range flow.Steps {
				schema := st.SchemaLiteral
				if st.Schema != "" {
					var ok bool
					if schema, ok = cases.Schemas[st.Schema]; !ok {
						t.Fatalf("step %d: unknown schema %q", i, st.Schema)
					}
				}
				body := map[string]any{"schema": schema}
				if len(st.Metadata) > 0 {
					body["metadata"] = st.Metadata
				}
				q := url.Values{}
				for k, v := range st.Query {
					q.Set(k, v)
				}
				qs := ""
				if len(q) > 0 {
					qs = "?" + q.Encode()
				}
				var r response
				switch st.Op {
				case "register":
					r = h.do("POST", "/subjects/"+subject+"/versions"+qs, body)
				case "put_config":
					r = h.do("PUT", "/config"+qs, []byte(st.Body))
				case "get_config":
					r = h.do("GET", "/config"+qs, nil)
				case "test_compatibility":
					path := "/compatibility/subjects/" + subject + "/versions"
					if st.Version != "" {
						path += "/" + st.Version
					}
					r = h.do("POST", path+qs, body)
				default:
					t.Fatalf("step %d: unknown op %q", i, st.Op)
				}
				where := fmt.Sprintf("step %d (%s %s)", i, st.Op, st.Schema)
				if r.status != st.Expect.Status {
					t.Fatalf("%s: status %d, want %d: %s", where, r.status, st.Expect.Status, r.body)
				}
				if st.Expect.ErrorCode != 0 {
					if got := r.errorCode(t); got != st.Expect.ErrorCode {
						t.Fatalf("%s: error_code %d, want %d: %s", where, got, st.Expect.ErrorCode, r.body)
					}
				}
				if st.Expect.MessageContains != "" && !strings.Contains(string(r.body), st.Expect.MessageContains) {
					t.Fatalf("%s: body lacks %q: %s", where, st.Expect.MessageContains, r.body)
				}
				var got map[string]any
				if st.Expect.ID != 0 || len(st.Expect.BodyContains) > 0 || st.Expect.IsCompatible != nil {
					r.json(t, &got)
				}
				if st.Expect.ID != 0 && got["id"] != float64(st.Expect.ID) {
					t.Fatalf("%s: id %v, want %d", where, got["id"], st.Expect.ID)
				}
				for k, v := range st.Expect.BodyContains {
					if fmt.Sprint(got[k]) != fmt.Sprint(v) {
						t.Fatalf("%s: %s=%v, want %v (body %s)", where, k, got[k], v, r.body)
					}
				}
				if st.Expect.IsCompatible != nil && got["is_compatible"] != *st.Expect.IsCompatible {
					t.Fatalf("%s: is_compatible=%v, want %v", where, got["is_compatible"], *st.Expect.IsCompatible)
				}
			}
		})
	}
}
