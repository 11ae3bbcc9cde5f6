package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"
	"gopkg.in/yaml.v3"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
	"github.com/charter-registry/charter/storage/memory"
)

// specPath is the OpenAPI document at the repository root.
const specPath = "../openapi.yaml"

// specMethods are the keys of an OpenAPI path item that name operations.
var specMethods = map[string]string{
	"get": http.MethodGet, "put": http.MethodPut, "post": http.MethodPost,
	"delete": http.MethodDelete, "options": http.MethodOptions, "head": http.MethodHead,
	"patch": http.MethodPatch, "trace": http.MethodTrace,
}

func newSpecServer(t *testing.T, cfg api.Config) *api.Server {
	t.Helper()
	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(), Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	return api.New(svc, cfg)
}

func readSpec(t *testing.T) ([]byte, map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("read the OpenAPI document: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", specPath, err)
	}
	return raw, doc
}

// specOperation is one operation of the document with where it sits.
type specOperation struct {
	method, path string
	pathItem     map[string]any
	op           map[string]any
}

func (o specOperation) String() string { return o.method + " " + o.path }

func operations(t *testing.T, doc map[string]any) []specOperation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("the document has no paths object")
	}
	var out []specOperation
	for _, p := range sortedKeys(paths) {
		item, ok := paths[p].(map[string]any)
		if !ok {
			t.Errorf("path %s: not an object", p)
			continue
		}
		for _, k := range sortedKeys(item) {
			m, ok := specMethods[k]
			if !ok {
				continue
			}
			op, ok := item[k].(map[string]any)
			if !ok {
				t.Errorf("%s %s: the operation is not an object", m, p)
				continue
			}
			out = append(out, specOperation{method: m, path: p, pathItem: item, op: op})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIMatchesRoutes fails when a route is served but not documented,
// or documented but not served, listing every difference both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, doc := readSpec(t)
	srv := newSpecServer(t, api.Config{})

	routes := srv.Routes()
	gets := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodGet {
			gets[r.Path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range routes {
		switch {
		case r.Method == http.MethodHead && gets[r.Path]:
			// Every GET route answers HEAD (the info description says so);
			// only a HEAD route of its own would need documenting.
			continue
		case r.Method == echo.RouteNotFound || r.Method == echo.RouteAny:
			// echo's own entries, should any appear, are not operations.
			continue
		case r.Path == "/ui" || strings.HasPrefix(r.Path, "/ui/"):
			// The web catalogue serves HTML pages, not API operations.
			continue
		case !slices.Contains(sortedValues(specMethods), r.Method):
			t.Errorf("route %s %s has a method OpenAPI cannot describe", r.Method, r.Path)
			continue
		}
		served[r.Method+" "+r.Path] = true
	}
	if len(served) == 0 {
		t.Fatal("the server reports no routes")
	}
	documented := map[string]bool{}
	for _, o := range operations(t, doc) {
		documented[o.String()] = true
	}

	var missing, extra []string
	for _, k := range sortedKeys(served) {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for _, k := range sortedKeys(documented) {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d routes are served but not in openapi.yaml:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("%d operations are in openapi.yaml but not served:\n  %s", len(extra), strings.Join(extra, "\n  "))
	}
	t.Logf("%d routes served, %d operations documented", len(served), len(documented))
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIDocumentIsComplete checks the document itself: every $ref
// resolves, every operation has an id, a success response and an error
// response in the ErrorResponse shape, and path parameters match the path
// template.
func TestOpenAPIDocumentIsComplete(t *testing.T) {
	_, doc := readSpec(t)
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}

	refs := 0
	walkRefs(doc, "#", func(where, ref string) {
		refs++
		if _, err := resolve(doc, ref); err != nil {
			t.Errorf("%s: $ref %q: %v", where, ref, err)
		}
	})
	if refs == 0 {
		t.Error("the document has no $ref at all; components are expected to be shared")
	}

	ops := operations(t, doc)
	if len(ops) == 0 {
		t.Fatal("the document has no operations")
	}
	ids := map[string]string{}
	for _, o := range ops {
		id, _ := o.op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", o)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q is also used by %s", o, id, prev)
		} else {
			ids[id] = o.String()
		}
		if s, _ := o.op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", o)
		}
		checkResponses(t, doc, o)
		checkPathParams(t, doc, o)
	}
}

func checkResponses(t *testing.T, doc map[string]any, o specOperation) {
	t.Helper()
	responses, ok := o.op["responses"].(map[string]any)
	if !ok || len(responses) == 0 {
		t.Errorf("%s: no responses", o)
		return
	}
	success, errorShaped := false, false
	for code, r := range responses {
		if len(code) == 3 && code[0] == '2' {
			success = true
			continue
		}
		resp, err := deref(doc, r)
		if err != nil {
			t.Errorf("%s: response %s: %v", o, code, err)
			continue
		}
		if refersToErrorResponse(doc, resp) {
			errorShaped = true
		}
	}
	if !success {
		t.Errorf("%s: no 2xx response", o)
	}
	if !errorShaped {
		t.Errorf("%s: no error response with an ErrorResponse body", o)
	}
}

func refersToErrorResponse(doc map[string]any, resp any) bool {
	m, ok := resp.(map[string]any)
	if !ok {
		return false
	}
	content, _ := m["content"].(map[string]any)
	for _, media := range content {
		mm, _ := media.(map[string]any)
		schema, _ := mm["schema"].(map[string]any)
		if ref, _ := schema["$ref"].(string); ref == "#/components/schemas/ErrorResponse" {
			return true
		}
	}
	return false
}

func checkPathParams(t *testing.T, doc map[string]any, o specOperation) {
	t.Helper()
	inTemplate := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(o.path, -1) {
		inTemplate[m[1]] = true
	}
	declared := map[string]bool{}
	for _, list := range []any{o.pathItem["parameters"], o.op["parameters"]} {
		params, _ := list.([]any)
		for i, p := range params {
			param, err := deref(doc, p)
			if err != nil {
				t.Errorf("%s: parameter %d: %v", o, i, err)
				continue
			}
			pm, _ := param.(map[string]any)
			name, _ := pm["name"].(string)
			in, _ := pm["in"].(string)
			if name == "" || in == "" {
				t.Errorf("%s: parameter %d has no name or no location", o, i)
				continue
			}
			if _, ok := pm["schema"].(map[string]any); !ok {
				t.Errorf("%s: parameter %s has no schema", o, name)
			}
			if d, _ := pm["description"].(string); d == "" {
				t.Errorf("%s: parameter %s has no description", o, name)
			}
			if in != "path" {
				continue
			}
			declared[name] = true
			if !inTemplate[name] {
				t.Errorf("%s: path parameter %s is not in the path template", o, name)
			}
			if req, _ := pm["required"].(bool); !req {
				t.Errorf("%s: path parameter %s must be required", o, name)
			}
		}
	}
	for name := range inTemplate {
		if !declared[name] {
			t.Errorf("%s: path parameter {%s} is not declared", o, name)
		}
	}
}

// deref follows v's $ref, if it has one, to what it names.
func deref(doc map[string]any, v any) (any, error) {
	for range 8 {
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v, nil
		}
		next, err := resolve(doc, ref)
		if err != nil {
			return nil, err
		}
		v = next
	}
	return nil, errors.New("$ref chain is too long")
}

// walkRefs calls fn for every $ref in v with the JSON pointer of its holder.
func walkRefs(v any, where string, fn func(where, ref string)) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			fn(where, ref)
		}
		for _, k := range sortedKeys(x) {
			walkRefs(x[k], where+"/"+escapePointer(k), fn)
		}
	case []any:
		for i, e := range x {
			walkRefs(e, fmt.Sprintf("%s/%d", where, i), fn)
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// resolve follows a local JSON pointer ("#/components/schemas/X").
func resolve(doc map[string]any, ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, errors.New("only local references (#/...) are used in this document")
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("no %q", tok)
		}
	}
	return cur, nil
}

// TestOpenAPIServed fetches the document through the handler, configured
// with the embedded copy as charter serve does: it must be the file, served
// as YAML. Without a document the route answers 404 in the error shape.
func TestOpenAPIServed(t *testing.T) {
	raw, _ := readSpec(t)

	rec := httptest.NewRecorder()
	newSpecServer(t, api.Config{OpenAPI: charter.OpenAPI()}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.yaml: status %d, body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type = %q, want application/yaml", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), raw) {
		t.Errorf("the served document (%d bytes) differs from %s (%d bytes)", rec.Body.Len(), specPath, len(raw))
	}

	rec = httptest.NewRecorder()
	newSpecServer(t, api.Config{}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /openapi.yaml without a document: status %d, want 404", rec.Code)
	}
	var body struct {
		ErrorCode *int   `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.ErrorCode == nil || *body.ErrorCode != 404 || body.Message == "" {
		t.Errorf("GET /openapi.yaml without a document: body %s, want error_code 404", rec.Body)
	}
}

// TestOpenAPILintSelectorsAreTheRules: the spec enumerates every lint
// category and rule id a lint policy may name, and nothing else.
func TestOpenAPILintSelectorsAreTheRules(t *testing.T) {
	_, doc := readSpec(t)
	sel := doc["components"].(map[string]any)["schemas"].(map[string]any)["LintSelector"].(map[string]any)
	var got []string
	for _, v := range sel["enum"].([]any) {
		got = append(got, v.(string))
	}
	var want []string
	for _, c := range lint.Categories() {
		want = append(want, string(c))
	}
	for _, r := range lint.Rules() {
		want = append(want, r.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml LintSelector enum =\n  %v\nwant the lint categories and rules (add a new rule id there)\n  %v", got, want)
	}
}

// TestOpenAPIOperationsAreTheAuditedOnes: the spec's Operation enum, which
// the operation filter of /v1/audit is checked against, names exactly the
// operations the registry, governance and the DEK registry audit.
func TestOpenAPIOperationsAreTheAuditedOnes(t *testing.T) {
	_, doc := readSpec(t)
	op := doc["components"].(map[string]any)["schemas"].(map[string]any)["Operation"].(map[string]any)
	var got, want []string
	for _, v := range op["enum"].([]any) {
		got = append(got, v.(string))
	}
	for _, o := range slices.Concat(registry.Operations(), governance.Operations(), dek.Operations(), exporter.Operations()) {
		want = append(want, string(o))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml Operation enum =\n  %v\nwant registry.Operations, governance.Operations and dek.Operations\n  %v", got, want)
	}
}
