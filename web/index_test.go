package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
)

func TestLargeIndexRebuildsInTheBackground(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	first := h.cat.index()
	// Pretend the build was slow, as it is with many thousands of subjects.
	slow := *first
	slow.built, slow.builtAt, slow.large = time.Hour, time.Now(), true
	h.cat.idx.Store(&slow)
	h.register("payments-value", compat.Protobuf, protoPayment)
	if got := h.cat.index(); got != &slow {
		t.Fatal("a large index was rebuilt on the request path")
	}
	// Once four build times have passed, a request starts one background
	// build and is still served the old index.
	slow.builtAt = time.Now().Add(-5 * time.Hour)
	if got := h.cat.index(); got != &slow {
		t.Fatal("the request waited for the rebuild")
	}
	h.cat.Close()
	next := h.cat.idx.Load()
	if next == &slow || next.bySubject["payments-value"] == nil {
		t.Fatal("the background build did not replace the index")
	}
	if !strings.Contains(h.ok("/ui/search?q=payment_ref"), "payments-value") {
		t.Error("search does not see the rebuilt index")
	}
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		name, q string
		want    int
	}{
		{"customer_id", "customer_id", 0},
		{"customer_id", "customer", 1},
		{"order.customer_id", "customer", 2},
		{"orders-value", "value", 2},
		{"recustomer", "customer", 3},
		{"orders", "payments", -1},
	} {
		if got := rank(tc.name, tc.q); got != tc.want {
			t.Errorf("rank(%q, %q) = %d, want %d", tc.name, tc.q, got, tc.want)
		}
	}
}

func TestSideBySidePairsChanges(t *testing.T) {
	left := renderText("json", "a\nb\nc\nd")
	right := renderText("json", "a\nB\nc\nd\ne")
	rows := sideBySide(left, right)
	var kinds []string
	for _, r := range rows {
		kinds = append(kinds, r.Kind)
	}
	if got := strings.Join(kinds, ","); got != "same,changed,same,same,added" {
		t.Errorf("rows %s", got)
	}
	if rows[1].LeftNo != 2 || rows[1].RightNo != 2 || rows[4].LeftOK || rows[4].RightNo != 5 {
		t.Errorf("line numbers: %+v", rows)
	}
}

func renderText(syntax, text string) *rendered {
	text = normalizeNewlines(text)
	return &rendered{text: splitLines(text), lines: highlightLines(syntax, text)}
}

var tags = regexp.MustCompile(`<span class="[a-z0-9]+">|</span>`)

// FuzzHighlight checks that highlighting any text keeps one fragment per
// line, that every fragment is only span elements around escaped text, and
// that unescaping it gives the line back.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{
		`{"type":"record","name":"R","doc":"<script>alert(1)</script>","fields":[]}`,
		"syntax = \"proto3\";\n// </span><script>\nmessage M { string a = 1; }\n",
		"", "\n", "a\r\nb", "\x00<&>\"'", `{"a":"\u003cscript\u003e"}`,
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, proto bool) {
		syntax := "json"
		if proto {
			syntax = "protobuf"
		}
		text = normalizeNewlines(text)
		lines := splitLines(text)
		out := highlightLines(syntax, text)
		if len(out) != len(lines) {
			t.Fatalf("%d fragments for %d lines", len(out), len(lines))
		}
		for i, frag := range out {
			bare := tags.ReplaceAllString(string(frag), "")
			if strings.ContainsAny(bare, "<>") {
				t.Fatalf("line %d: unescaped markup in %q", i, frag)
			}
			// Invalid UTF-8 shows as U+FFFD, one per byte, as a []rune
			// conversion gives it.
			want := string([]rune(lines[i]))
			if got := html.UnescapeString(bare); got != want {
				t.Fatalf("line %d: %q renders as %q", i, lines[i], got)
			}
		}
	})
}

// FuzzSideBySide checks that the rows of any diff give back both texts.
func FuzzSideBySide(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Add("", "x")
	f.Add("same", "same")
	f.Add("{\n  \"a\": 1\n}", "{\n  \"a\": 2,\n  \"b\": 3\n}")
	f.Fuzz(func(t *testing.T, a, b string) {
		left, right := renderText("json", a), renderText("json", b)
		var gotL, gotR []string
		for _, r := range sideBySide(left, right) {
			if r.LeftOK {
				gotL = append(gotL, left.text[r.LeftNo-1])
			}
			if r.RightOK {
				gotR = append(gotR, right.text[r.RightNo-1])
			}
			if r.Kind == "same" && left.text[r.LeftNo-1] != right.text[r.RightNo-1] {
				t.Fatalf("row marked same holds %q and %q", left.text[r.LeftNo-1], right.text[r.RightNo-1])
			}
		}
		if strings.Join(gotL, "\n") != strings.Join(left.text, "\n") || strings.Join(gotR, "\n") != strings.Join(right.text, "\n") {
			t.Fatalf("rows do not give back the texts:\n%q\n%q", gotL, gotR)
		}
	})
}

// FuzzSearch checks that any query renders a results fragment without
// markup from the query and without panicking.
func FuzzSearch(f *testing.F) {
	h := newHarness(f)
	h.register("orders-value", compat.Avro, avroOrderV1)
	h.register("payments-value", compat.Protobuf, protoPayment)
	h.register("shipments-value", compat.JSON, jsonShipment)
	for _, q := range []string{"order", "<script>", "%", "a.b", "", " ", "\xff", "orders-value"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest(http.MethodGet, "/ui/search?fragment=1&q="+urlQuery(q), nil)
		rec := httptest.NewRecorder()
		h.e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if strings.Contains(strings.ToLower(rec.Body.String()), "<script") {
			t.Fatalf("script element in results for %q", q)
		}
	})
}
