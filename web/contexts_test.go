package web

import (
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

// TestCatalogueInContexts: the subject list filters by schema context and
// links every context; a context's subject page shows its own schema even
// though the default context holds another under the same id, and its
// references link to the subject of its context.
func TestCatalogueInContexts(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, `{"type":"record","name":"DefaultOrder","fields":[{"name":"default_field","type":"string"}]}`)
	h.register(":.staging:customer", compat.Avro, `{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"staging_name","type":"string"}]}`)
	h.register(":.staging:orders-value", compat.Avro, `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"staging_field","type":"shop.Customer"}]}`,
		func(r *registry.RegisterRequest) {
			r.References = []registry.Reference{{Name: "shop.Customer", Subject: "customer", Version: 1}}
		})

	all := h.ok("/ui/subjects")
	contains(t, all, `>orders-value</a>`, `>:.staging:orders-value</a>`, `>:.staging:customer</a>`,
		`aria-label="Schema contexts"`, `href="/ui/subjects?context=.staging"`)
	staging := h.ok("/ui/subjects?context=.staging")
	contains(t, staging, "Subjects in context <code>.staging</code>", `>:.staging:orders-value</a>`, `>:.staging:customer</a>`)
	lacks(t, staging, `>orders-value</a>`)
	if got := h.ok("/ui/subjects?context=:.staging:"); got != staging {
		t.Error("?context=:.staging: and ?context=.staging list differently")
	}
	def := h.ok("/ui/subjects?context=.")
	contains(t, def, `>orders-value</a>`)
	lacks(t, def, `>:.staging:orders-value</a>`)
	if r := h.get("/ui/subjects?context=a:b"); r.status != 400 {
		t.Errorf("?context=a:b = %d, want 400", r.status)
	}

	// :.staging:customer is id 1 of .staging, orders-value id 1 of the
	// default context: each page shows its own schema and fields.
	page := h.ok("/ui/subjects/:.staging:customer")
	contains(t, page, "staging_name")
	lacks(t, page, "default_field")
	page = h.ok("/ui/subjects/orders-value")
	contains(t, page, "default_field")
	lacks(t, page, "staging_name")
	page = h.ok("/ui/subjects/:.staging:orders-value")
	contains(t, page, `href="/ui/subjects/:.staging:customer#v1"`)
	page = h.ok("/ui/subjects/:.staging:customer")
	contains(t, page, "Referenced by", `href="/ui/subjects/:.staging:orders-value#v1"`)
}
