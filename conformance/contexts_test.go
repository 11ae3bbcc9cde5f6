package conformance

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/twmb/franz-go/pkg/sr"
)

// Schema contexts through the real clients: confluent-kafka-go's REST
// client and franz-go's pkg/sr read and write context-qualified subjects,
// each context with its own ids, and a client whose base URL is
// /contexts/{context} works in that context without qualifying anything.

const (
	ctxOrderA = `{"type":"record","name":"OrderA","namespace":"ctx","fields":[{"name":"id","type":"string"}]}`
	ctxOrderB = `{"type":"record","name":"OrderB","namespace":"ctx","fields":[{"name":"id","type":"string"}]}`
)

func newConfluentClientAt(t *testing.T, srv *registryServer, base string) schemaregistry.Client {
	t.Helper()
	cfg := schemaregistry.NewConfig(base)
	cfg.HTTPClient = srv.HTTPClient()
	cfg.MaxRetries = 0
	c, err := schemaregistry.NewClient(cfg)
	if err != nil {
		t.Fatalf("schemaregistry.NewClient(%s): %v", base, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestConfluentClientContexts(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	// Each context has its own ids: both first schemas get id 1.
	if id := mustRegister(t, c, ":.staging:orders-value", avroInfo(ctxOrderA)); id != 1 {
		t.Fatalf("first id in .staging = %d, want 1", id)
	}
	if id := mustRegister(t, c, "orders-value", avroInfo(ctxOrderB)); id != 1 {
		t.Fatalf("first id in the default context = %d, want 1", id)
	}
	reader := newConfluentClient(t, srv)
	staged, err := reader.GetBySubjectAndID(":.staging:orders-value", 1)
	if err != nil {
		t.Fatal(err)
	}
	requireSameAvro(t, staged.Schema, ctxOrderA)
	plain, err := reader.GetBySubjectAndID("orders-value", 1)
	if err != nil {
		t.Fatal(err)
	}
	requireSameAvro(t, plain.Schema, ctxOrderB)
	subjects, err := reader.GetAllSubjects()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(subjects, []string{":.staging:orders-value", "orders-value"}) {
		t.Fatalf("GetAllSubjects = %q, want every context's, sorted as strings", subjects)
	}
	contexts, err := reader.GetAllContexts()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(contexts, []string{".", ".staging"}) {
		t.Fatalf("GetAllContexts = %q", contexts)
	}
	md, err := reader.GetLatestSchemaMetadata(":.staging:orders-value")
	if err != nil || md.ID != 1 || md.Version != 1 {
		t.Fatalf("latest of :.staging:orders-value = %+v, %v", md, err)
	}
	// A context's compatibility level, set through the client.
	if _, err := c.UpdateCompatibility(":.staging:", schemaregistry.None); err != nil {
		t.Fatal(err)
	}
	if lvl, err := reader.GetCompatibility(":.staging:"); err != nil || lvl != schemaregistry.None {
		t.Fatalf("GetCompatibility(:.staging:) = %v, %v", lvl, err)
	}
	// The default context's BACKWARD still refuses what .staging now takes.
	mustRegister(t, c, ":.staging:orders-value", avroInfo(ctxOrderB))
	_, err = c.Register("orders-value", avroInfo(ctxOrderA), false)
	requireConfluentIncompatible(t, err)

	// A client whose base URL is the context's works in it unqualified.
	scoped := newConfluentClientAt(t, srv, srv.URL+"/contexts/.staging")
	if id := mustRegister(t, scoped, "payments-value", avroInfo(ctxOrderA)); id != 1 {
		t.Fatalf("scoped registration = id %d, want .staging's existing id 1", id)
	}
	if _, err := reader.GetLatestSchemaMetadata(":.staging:payments-value"); err != nil {
		t.Fatalf("the scoped client did not register in .staging: %v", err)
	}
	if info, err := newConfluentClientAt(t, srv, srv.URL+"/contexts/.staging").GetBySubjectAndID("", 2); err != nil {
		t.Fatal(err)
	} else {
		requireSameAvro(t, info.Schema, ctxOrderB)
	}
	scopedSubjects, err := scoped.GetAllSubjects()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scopedSubjects, []string{":.staging:orders-value", ":.staging:payments-value"}) {
		t.Fatalf("scoped GetAllSubjects = %q", scopedSubjects)
	}
	// A context that still holds subjects cannot be deleted.
	srv.call(t, http.MethodDelete, "/contexts/.staging", nil, http.StatusUnprocessableEntity, nil)
}

func TestFranzContexts(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	// franz-go's context scoping: the subject is qualified by the route.
	staged := mustCreate(t, sr.InContext(ctx, ".staging"), cl, "orders-value", sr.Schema{Schema: ctxOrderA})
	plain := mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: ctxOrderB})
	if staged.ID != 1 || plain.ID != 1 || staged.Subject != ":.staging:orders-value" {
		t.Fatalf("created %+v and %+v, want id 1 in each context", staged, plain)
	}
	// A qualified subject name works as well. (CreateSchema with one reads
	// the id back from /schemas/ids/{id}/versions without a subject, which
	// is the default context's id, here and in Confluent alike, so a
	// qualified name goes through RegisterSchema.)
	id, err := cl.RegisterSchema(ctx, ":.staging:orders-value", sr.Schema{Schema: ctxOrderA}, -1, -1)
	if err != nil || id != 1 {
		t.Fatalf("RegisterSchema(:.staging:orders-value) = %d, %v; want the existing id 1", id, err)
	}
	s, err := cl.SchemaByID(sr.WithParams(ctx, sr.Subject(":.staging:orders-value")), 1)
	if err != nil {
		t.Fatal(err)
	}
	requireSameAvro(t, s.Schema, ctxOrderA)
	s, err = cl.SchemaByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	requireSameAvro(t, s.Schema, ctxOrderB)
	contexts, err := cl.Contexts(ctx)
	if err != nil || !slices.Equal(contexts, []string{".", ".staging"}) {
		t.Fatalf("Contexts = %q, %v", contexts, err)
	}
	subjects, err := cl.Subjects(ctx)
	if err != nil || !slices.Equal(subjects, []string{":.staging:orders-value", "orders-value"}) {
		t.Fatalf("Subjects = %q, %v", subjects, err)
	}
	subjects, err = cl.Subjects(sr.WithParams(ctx, sr.SubjectPrefix(":.staging:")))
	if err != nil || !slices.Equal(subjects, []string{":.staging:orders-value"}) {
		t.Fatalf("Subjects under :.staging: = %q, %v", subjects, err)
	}
	ss, err := cl.SchemaByVersion(ctx, ":.staging:orders-value", -1)
	if err != nil || ss.ID != 1 || ss.Subject != ":.staging:orders-value" {
		t.Fatalf("latest of :.staging:orders-value = %+v, %v", ss, err)
	}
	// Deleting the context's only subject, then the context.
	if _, err := cl.DeleteSubject(ctx, ":.staging:orders-value", sr.SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteSubject(ctx, ":.staging:orders-value", sr.HardDelete); err != nil {
		t.Fatal(err)
	}
	srv.call(t, http.MethodDelete, "/contexts/.staging", nil, http.StatusNoContent, nil)
	if contexts, err := cl.Contexts(ctx); err != nil || !slices.Equal(contexts, []string{"."}) {
		t.Fatalf("Contexts after the delete = %q, %v", contexts, err)
	}
	// franz-go's own context scoping (DefaultSchemaContext, InContext)
	// prefixes its paths with /contexts/{context}.
	scoped, err := sr.NewClient(sr.URLs(srv.URL), sr.HTTPClient(srv.HTTPClient()), sr.DefaultSchemaContext(".prod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustCreate(t, ctx, scoped, "orders-value", sr.Schema{Schema: ctxOrderB}); got.ID != 1 || got.Subject != ":.prod:orders-value" {
		t.Fatalf("scoped CreateSchema = %+v, want :.prod:orders-value id 1", got)
	}
	subjects, err = cl.Subjects(sr.InContext(ctx, ".prod"))
	if err != nil || !slices.Equal(subjects, []string{":.prod:orders-value"}) {
		t.Fatalf("Subjects in .prod = %q, %v", subjects, err)
	}
	s, err = scoped.SchemaByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	requireSameAvro(t, s.Schema, ctxOrderB)
}
