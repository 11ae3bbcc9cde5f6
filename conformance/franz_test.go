package conformance

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

func newFranzClient(t *testing.T, srv *registryServer) *sr.Client {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(srv.URL), sr.HTTPClient(srv.HTTPClient()))
	if err != nil {
		t.Fatalf("sr.NewClient: %v", err)
	}
	return cl
}

// requireFranzError fails unless err is a registry response whose code
// franz-go maps to want. franz-go's ResponseError does not unwrap to its
// sentinels, so errors.Is cannot be used: SchemaError() is how its users
// branch on the registry's answer.
func requireFranzError(t *testing.T, err error, want *sr.Error) {
	t.Helper()
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v (%T), want registry error %s (%d)", err, err, want.Name, want.Code)
	}
	if got := re.SchemaError(); got != want {
		t.Fatalf("got %s %s: status %d error_code %d (franz-go reads it as %s), message %q; want error_code %d (%s)",
			re.Method, re.URL, re.StatusCode, re.ErrorCode, got.Name, re.Message, want.Code, want.Name)
	}
}

// requireFranzIncompatible fails unless err is the registry's
// INCOMPATIBLE_SCHEMA answer: HTTP 409 with error_code 40901. franz-go
// v1.8.0 knows only the older code 409 for this error, so the raw response
// is checked rather than SchemaError().
func requireFranzIncompatible(t *testing.T, err error) {
	t.Helper()
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 409 || re.ErrorCode != codeIncompatibleSchema {
		t.Fatalf("want HTTP 409 with error_code %d, got %v", codeIncompatibleSchema, err)
	}
}

func mustCreate(t *testing.T, ctx context.Context, cl *sr.Client, subject string, s sr.Schema) sr.SubjectSchema {
	t.Helper()
	ss, err := cl.CreateSchema(ctx, subject, s)
	if err != nil {
		t.Fatalf("CreateSchema(%q): %v", subject, err)
	}
	return ss
}

func TestFranzSchemaLifecycle(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()

	for _, tc := range []struct {
		name        string
		subject     string
		schema      string
		wantID      int
		wantVersion int
	}{
		{"first schema", "orders-value", orderV1, 1, 1},
		{"compatible second version", "orders-value", orderV2, 2, 2},
		{"subject name with a slash", "team/orders-value", orderV1, 1, 1},
	} {
		t.Run("CreateSchema "+tc.name, func(t *testing.T) {
			ss := mustCreate(t, ctx, cl, tc.subject, sr.Schema{Schema: tc.schema})
			if ss.Subject != tc.subject || ss.ID != tc.wantID || ss.Version != tc.wantVersion || ss.Type != sr.TypeAvro {
				t.Fatalf("CreateSchema = subject %q id %d version %d type %s, want %q id %d version %d AVRO",
					ss.Subject, ss.ID, ss.Version, ss.Type, tc.subject, tc.wantID, tc.wantVersion)
			}
			requireSameAvro(t, ss.Schema.Schema, tc.schema)
		})
	}

	t.Run("SchemaByID", func(t *testing.T) {
		for id, want := range map[int]string{1: orderV1, 2: orderV2} {
			s, err := cl.SchemaByID(ctx, id)
			if err != nil {
				t.Fatalf("SchemaByID(%d): %v", id, err)
			}
			if s.Type != sr.TypeAvro {
				t.Fatalf("SchemaByID(%d) type = %s, want AVRO", id, s.Type)
			}
			requireSameAvro(t, s.Schema, want)
		}
		_, err := cl.SchemaByID(ctx, 404)
		requireFranzError(t, err, sr.ErrSchemaNotFound)
	})

	t.Run("SchemaByVersion", func(t *testing.T) {
		for _, tc := range []struct{ version, wantID, wantVersion int }{{-1, 2, 2}, {1, 1, 1}, {2, 2, 2}} {
			ss, err := cl.SchemaByVersion(ctx, "orders-value", tc.version)
			if err != nil {
				t.Fatalf("SchemaByVersion(%d): %v", tc.version, err)
			}
			if ss.ID != tc.wantID || ss.Version != tc.wantVersion || ss.Subject != "orders-value" {
				t.Fatalf("SchemaByVersion(%d) = id %d version %d subject %q", tc.version, ss.ID, ss.Version, ss.Subject)
			}
		}
		_, err := cl.SchemaByVersion(ctx, "orders-value", 3)
		requireFranzError(t, err, sr.ErrVersionNotFound)
		_, err = cl.SchemaByVersion(ctx, "nobody", -1)
		requireFranzError(t, err, sr.ErrSubjectNotFound)
	})

	t.Run("Subjects", func(t *testing.T) {
		got, err := cl.Subjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"orders-value", "team/orders-value"}; !slices.Equal(got, want) {
			t.Fatalf("Subjects = %q, want %q", got, want)
		}
	})

	t.Run("SubjectVersions", func(t *testing.T) {
		got, err := cl.SubjectVersions(ctx, "orders-value")
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 2}; !slices.Equal(got, want) {
			t.Fatalf("SubjectVersions = %v, want %v", got, want)
		}
	})

	t.Run("SubjectsByID and SchemaVersionsByID", func(t *testing.T) {
		subjects, err := cl.SubjectsByID(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(subjects)
		if want := []string{"orders-value", "team/orders-value"}; !slices.Equal(subjects, want) {
			t.Fatalf("SubjectsByID(1) = %q, want %q", subjects, want)
		}
		versions, err := cl.SchemaVersionsByID(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 1 || versions[0].Subject != "orders-value" || versions[0].Version != 2 {
			t.Fatalf("SchemaVersionsByID(2) = %+v, want [orders-value 2]", versions)
		}
	})

	t.Run("Schemas of a subject", func(t *testing.T) {
		all, err := cl.Schemas(ctx, "orders-value")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Version != 1 || all[0].ID != 1 || all[1].Version != 2 || all[1].ID != 2 {
			t.Fatalf("Schemas(orders-value) = %+v, want versions 1 and 2 with ids 1 and 2", all)
		}
	})

	t.Run("SchemaTextByID", func(t *testing.T) {
		text, err := cl.SchemaTextByID(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		requireSameAvro(t, text, orderV2)
	})

	t.Run("LookupSchema", func(t *testing.T) {
		ss, err := cl.LookupSchema(ctx, "orders-value", sr.Schema{Schema: orderV1Spaced})
		if err != nil {
			t.Fatal(err)
		}
		if ss.ID != 1 || ss.Version != 1 || ss.Subject != "orders-value" {
			t.Fatalf("LookupSchema = id %d version %d subject %q, want 1 1 orders-value", ss.ID, ss.Version, ss.Subject)
		}
		_, err = cl.LookupSchema(ctx, "orders-value", sr.Schema{Schema: orderNoDefault})
		requireFranzError(t, err, sr.ErrSchemaNotFound)
	})
}

func TestFranzCheckCompatibility(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV1})
	verbose := sr.WithParams(ctx, sr.Verbose)

	for _, tc := range []struct {
		name    string
		schema  string
		version int // -1 latest, -2 every version the level selects
		want    bool
		// wantIn are fragments that some verbose message must contain.
		wantIn []string
	}{
		{name: "added field with default vs latest", schema: orderV2, version: -1, want: true},
		{name: "added field with default vs all", schema: orderV2, version: -2, want: true},
		{name: "added field with default vs version 1", schema: orderV2, version: 1, want: true},
		{
			name: "added field without default", schema: orderNoDefault, version: -1, want: false,
			wantIn: []string{"READER_FIELD_MISSING_DEFAULT_VALUE", "customer"},
		},
		{
			name: "added field without default vs all", schema: orderNoDefault, version: -2, want: false,
			wantIn: []string{"READER_FIELD_MISSING_DEFAULT_VALUE", "customer"},
		},
		{
			name: "double changed to string", schema: orderAmountString, version: 1, want: false,
			wantIn: []string{"TYPE_MISMATCH", "/fields/1/type"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := cl.CheckCompatibility(verbose, "orders-value", tc.version, sr.Schema{Schema: tc.schema})
			if err != nil {
				t.Fatal(err)
			}
			if res.Is != tc.want {
				t.Fatalf("is_compatible = %v, want %v (messages %q)", res.Is, tc.want, res.Messages)
			}
			if tc.want {
				if len(res.Messages) != 0 {
					t.Fatalf("compatible schema came with messages %q", res.Messages)
				}
				return
			}
			for _, frag := range tc.wantIn {
				if !slices.ContainsFunc(res.Messages, func(m string) bool { return strings.Contains(m, frag) }) {
					t.Fatalf("verbose messages %q do not mention %q", res.Messages, frag)
				}
			}
			if !slices.Contains(res.Messages, "{compatibility: 'BACKWARD'}") {
				t.Fatalf("verbose messages %q do not name the level as {compatibility: 'BACKWARD'}", res.Messages)
			}
			quiet, err := cl.CheckCompatibility(ctx, "orders-value", tc.version, sr.Schema{Schema: tc.schema})
			if err != nil {
				t.Fatal(err)
			}
			if quiet.Is || len(quiet.Messages) != 0 {
				t.Fatalf("without verbose = %v %q, want false and no messages", quiet.Is, quiet.Messages)
			}
		})
	}
}

func TestFranzCompatibilityConfig(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV1})

	one := func(t *testing.T, rs []sr.CompatibilityResult) sr.CompatibilityResult {
		t.Helper()
		if len(rs) != 1 {
			t.Fatalf("got %d results, want 1", len(rs))
		}
		return rs[0]
	}

	t.Run("global default", func(t *testing.T) {
		r := one(t, cl.Compatibility(ctx))
		if r.Err != nil || r.Level != sr.CompatBackward {
			t.Fatalf("global = %s, %v; want BACKWARD", r.Level, r.Err)
		}
	})
	t.Run("subject without its own level", func(t *testing.T) {
		requireFranzError(t, one(t, cl.Compatibility(ctx, "orders-value")).Err, sr.ErrSubjectLevelCompatibilityNotConfigured)
		r := one(t, cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), "orders-value"))
		if r.Err != nil || r.Level != sr.CompatBackward {
			t.Fatalf("defaultToGlobal = %s, %v; want BACKWARD", r.Level, r.Err)
		}
	})
	for _, level := range []sr.CompatibilityLevel{
		sr.CompatNone, sr.CompatBackward, sr.CompatBackwardTransitive, sr.CompatForward,
		sr.CompatForwardTransitive, sr.CompatFull, sr.CompatFullTransitive,
	} {
		t.Run("set subject "+level.String(), func(t *testing.T) {
			set := one(t, cl.SetCompatibility(ctx, sr.SetCompatibility{Level: level}, "orders-value"))
			if set.Err != nil || set.Level != level {
				t.Fatalf("SetCompatibility = %s, %v; want %s", set.Level, set.Err, level)
			}
			got := one(t, cl.Compatibility(ctx, "orders-value"))
			if got.Err != nil || got.Level != level {
				t.Fatalf("Compatibility = %s, %v; want %s", got.Level, got.Err, level)
			}
		})
	}
	t.Run("set global", func(t *testing.T) {
		set := one(t, cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatForwardTransitive}))
		if set.Err != nil || set.Level != sr.CompatForwardTransitive {
			t.Fatalf("SetCompatibility(global) = %s, %v", set.Level, set.Err)
		}
		got := one(t, cl.Compatibility(ctx))
		if got.Err != nil || got.Level != sr.CompatForwardTransitive {
			t.Fatalf("global = %s, %v; want FORWARD_TRANSITIVE", got.Level, got.Err)
		}
	})
	t.Run("the subject level is enforced", func(t *testing.T) {
		one(t, cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}, "orders-value"))
		_, err := cl.CreateSchema(ctx, "orders-value", sr.Schema{Schema: orderNoDefault})
		requireFranzIncompatible(t, err)
	})
	t.Run("reset subject level", func(t *testing.T) {
		// Confluent answers DELETE /config/{subject} with the old config
		// under "compatibilityLevel"; franz-go decodes the key
		// "compatibility" there, so its Level stays empty against Confluent
		// too. The raw answer is checked instead.
		var old map[string]string
		srv.call(t, "DELETE", "/config/orders-value", nil, 200, &old)
		if old["compatibilityLevel"] != "FULL" {
			t.Fatalf("DELETE /config/orders-value = %v, want compatibilityLevel FULL", old)
		}
		one(t, cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}, "orders-value"))
		if r := one(t, cl.ResetCompatibility(ctx, "orders-value")); r.Err != nil {
			t.Fatalf("ResetCompatibility: %v", r.Err)
		}
		requireFranzError(t, one(t, cl.Compatibility(ctx, "orders-value")).Err, sr.ErrSubjectLevelCompatibilityNotConfigured)
	})
}

func TestFranzDeleteSubject(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV1})
	mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV2})
	showDeleted := sr.WithParams(ctx, sr.ShowDeleted)

	subjects := func(t *testing.T, ctx context.Context) []string {
		t.Helper()
		s, err := cl.Subjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("hard before soft is refused", func(t *testing.T) {
		_, err := cl.DeleteSubject(ctx, "orders-value", sr.HardDelete)
		requireFranzError(t, err, sr.ErrSubjectNotSoftDeleted)
	})
	t.Run("soft delete", func(t *testing.T) {
		v, err := cl.DeleteSubject(ctx, "orders-value", sr.SoftDelete)
		if err != nil || !slices.Equal(v, []int{1, 2}) {
			t.Fatalf("soft DeleteSubject = %v, %v; want [1 2]", v, err)
		}
		if s := subjects(t, ctx); len(s) != 0 {
			t.Fatalf("Subjects = %q, want none", s)
		}
		if s := subjects(t, showDeleted); !slices.Equal(s, []string{"orders-value"}) {
			t.Fatalf("Subjects(deleted=true) = %q, want [orders-value]", s)
		}
		vs, err := cl.SubjectVersions(showDeleted, "orders-value")
		if err != nil || !slices.Equal(vs, []int{1, 2}) {
			t.Fatalf("SubjectVersions(deleted=true) = %v, %v; want [1 2]", vs, err)
		}
		_, err = cl.SubjectVersions(ctx, "orders-value")
		requireFranzError(t, err, sr.ErrSubjectNotFound)
		ss, err := cl.SchemaByVersion(showDeleted, "orders-value", 1)
		if err != nil || ss.ID != 1 {
			t.Fatalf("SchemaByVersion(1, deleted=true) = id %d, %v; want 1", ss.ID, err)
		}
	})
	t.Run("soft delete twice is refused", func(t *testing.T) {
		_, err := cl.DeleteSubject(ctx, "orders-value", sr.SoftDelete)
		requireFranzError(t, err, sr.ErrSubjectSoftDeleted)
	})
	t.Run("hard delete", func(t *testing.T) {
		v, err := cl.DeleteSubject(ctx, "orders-value", sr.HardDelete)
		if err != nil || !slices.Equal(v, []int{1, 2}) {
			t.Fatalf("hard DeleteSubject = %v, %v; want [1 2]", v, err)
		}
		if s := subjects(t, showDeleted); len(s) != 0 {
			t.Fatalf("Subjects(deleted=true) = %q, want none", s)
		}
		_, err = cl.SubjectVersions(showDeleted, "orders-value")
		requireFranzError(t, err, sr.ErrSubjectNotFound)
	})
	t.Run("delete one version soft then hard", func(t *testing.T) {
		mustCreate(t, ctx, cl, "audit-value", sr.Schema{Schema: orderV1})
		mustCreate(t, ctx, cl, "audit-value", sr.Schema{Schema: orderV2})
		requireFranzError(t, cl.DeleteSchema(ctx, "audit-value", 2, sr.HardDelete), sr.ErrSchemaVersionNotSoftDeleted)
		if err := cl.DeleteSchema(ctx, "audit-value", 2, sr.SoftDelete); err != nil {
			t.Fatal(err)
		}
		requireFranzError(t, cl.DeleteSchema(ctx, "audit-value", 2, sr.SoftDelete), sr.ErrSchemaVersionSoftDeleted)
		if err := cl.DeleteSchema(ctx, "audit-value", 2, sr.HardDelete); err != nil {
			t.Fatal(err)
		}
		vs, err := cl.SubjectVersions(showDeleted, "audit-value")
		if err != nil || !slices.Equal(vs, []int{1}) {
			t.Fatalf("SubjectVersions(deleted=true) = %v, %v; want [1]", vs, err)
		}
	})
}

func TestFranzImportMode(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()

	oneMode := func(t *testing.T, rs []sr.ModeResult) sr.ModeResult {
		t.Helper()
		if len(rs) != 1 {
			t.Fatalf("got %d results, want 1", len(rs))
		}
		return rs[0]
	}

	t.Run("default global mode", func(t *testing.T) {
		m := oneMode(t, cl.Mode(ctx))
		if m.Err != nil || m.Mode != sr.ModeReadWrite {
			t.Fatalf("global mode = %s, %v; want READWRITE", m.Mode, m.Err)
		}
	})
	t.Run("explicit id outside IMPORT is refused", func(t *testing.T) {
		_, err := cl.CreateSchemaWithIDAndVersion(ctx, "imported-value", sr.Schema{Schema: orderV1}, 42, 3)
		requireFranzError(t, err, sr.ErrOperationNotPermitted)
	})
	t.Run("subject to IMPORT", func(t *testing.T) {
		m := oneMode(t, cl.SetMode(ctx, sr.ModeImport, "imported-value"))
		if m.Err != nil || m.Mode != sr.ModeImport {
			t.Fatalf("SetMode = %s, %v; want IMPORT", m.Mode, m.Err)
		}
		m = oneMode(t, cl.Mode(ctx, "imported-value"))
		if m.Err != nil || m.Mode != sr.ModeImport {
			t.Fatalf("Mode(subject) = %s, %v; want IMPORT", m.Mode, m.Err)
		}
	})
	t.Run("import keeps the given id and version", func(t *testing.T) {
		ss, err := cl.CreateSchemaWithIDAndVersion(ctx, "imported-value", sr.Schema{Schema: orderV1}, 42, 3)
		if err != nil {
			t.Fatal(err)
		}
		if ss.ID != 42 || ss.Version != 3 || ss.Subject != "imported-value" {
			t.Fatalf("imported = id %d version %d subject %q, want 42 3 imported-value", ss.ID, ss.Version, ss.Subject)
		}
		s, err := cl.SchemaByID(ctx, 42)
		if err != nil {
			t.Fatal(err)
		}
		requireSameAvro(t, s.Schema, orderV1)
	})
	t.Run("import cannot reuse an id for another schema", func(t *testing.T) {
		_, err := cl.CreateSchemaWithIDAndVersion(ctx, "imported-value", sr.Schema{Schema: orderV2}, 42, 4)
		requireFranzError(t, err, sr.ErrOperationNotPermitted)
	})
	t.Run("back to READWRITE, ids continue above the imported one", func(t *testing.T) {
		m := oneMode(t, cl.SetMode(ctx, sr.ModeReadWrite, "imported-value"))
		if m.Err != nil || m.Mode != sr.ModeReadWrite {
			t.Fatalf("SetMode = %s, %v; want READWRITE", m.Mode, m.Err)
		}
		ss := mustCreate(t, ctx, cl, "imported-value", sr.Schema{Schema: orderV2})
		if ss.ID != 43 || ss.Version != 4 {
			t.Fatalf("next registration = id %d version %d, want 43 4", ss.ID, ss.Version)
		}
	})
	t.Run("READONLY subject refuses writes", func(t *testing.T) {
		m := oneMode(t, cl.SetMode(ctx, sr.ModeReadOnly, "frozen-value"))
		if m.Err != nil || m.Mode != sr.ModeReadOnly {
			t.Fatalf("SetMode = %s, %v; want READONLY", m.Mode, m.Err)
		}
		_, err := cl.CreateSchema(ctx, "frozen-value", sr.Schema{Schema: orderV1})
		requireFranzError(t, err, sr.ErrOperationNotPermitted)
		if r := oneMode(t, cl.ResetMode(ctx, "frozen-value")); r.Err != nil {
			t.Fatalf("ResetMode: %v", r.Err)
		}
		requireFranzError(t, oneMode(t, cl.Mode(ctx, "frozen-value")).Err, sr.ErrSubjectLevelModeNotConfigured)
		mustCreate(t, ctx, cl, "frozen-value", sr.Schema{Schema: orderV1})
	})
	t.Run("global IMPORT over existing subjects needs force", func(t *testing.T) {
		requireFranzError(t, oneMode(t, cl.SetMode(ctx, sr.ModeImport)).Err, sr.ErrOperationNotPermitted)
		m := oneMode(t, cl.SetMode(sr.WithParams(ctx, sr.Force), sr.ModeImport))
		if m.Err != nil || m.Mode != sr.ModeImport {
			t.Fatalf("SetMode(force) = %s, %v; want IMPORT", m.Mode, m.Err)
		}
		m = oneMode(t, cl.Mode(ctx))
		if m.Err != nil || m.Mode != sr.ModeImport {
			t.Fatalf("global mode = %s, %v; want IMPORT", m.Mode, m.Err)
		}
	})
}

func TestFranzSchemaReferences(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	address := mustCreate(t, ctx, cl, "address-value", sr.Schema{Schema: addressAvro})
	ref := sr.SchemaReference{Name: "com.acme.Address", Subject: "address-value", Version: 1}
	customer := mustCreate(t, ctx, cl, "customer-value", sr.Schema{Schema: customerAvro, References: []sr.SchemaReference{ref}})

	if !slices.Equal(customer.References, []sr.SchemaReference{ref}) {
		t.Fatalf("created customer references = %+v, want [%+v]", customer.References, ref)
	}
	requireSameAvro(t, customer.Schema.Schema, customerAvro, addressAvro)

	for _, version := range []int{1, -1} {
		got, err := cl.SchemaReferences(ctx, "address-value", version)
		if err != nil {
			t.Fatalf("SchemaReferences(%d): %v", version, err)
		}
		if len(got) != 1 || got[0].Subject != "customer-value" || got[0].Version != 1 || got[0].ID != customer.ID ||
			!slices.Equal(got[0].References, []sr.SchemaReference{ref}) {
			t.Fatalf("SchemaReferences(address-value, %d) = %+v, want customer-value v1 id %d", version, got, customer.ID)
		}
	}

	usages, err := cl.SchemaUsagesByID(ctx, address.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(usages) != 1 || usages[0].Subject != "address-value" || usages[0].Version != 1 {
		t.Fatalf("SchemaUsagesByID(%d) = %+v, want address-value v1", address.ID, usages)
	}

	_, err = cl.DeleteSubject(ctx, "address-value", sr.SoftDelete)
	requireFranzError(t, err, sr.ErrReferenceExists)
}

// order is the Go form of orderV1 for hamba/avro.
type order struct {
	ID     string  `avro:"id"`
	Amount float64 `avro:"amount"`
}

// orderWithCurrency is the Go form of orderV2.
type orderWithCurrency struct {
	ID       string  `avro:"id"`
	Amount   float64 `avro:"amount"`
	Currency string  `avro:"currency"`
}

// TestFranzSerdeAvroRoundTrip encodes with sr.Serde and hamba/avro under the
// id charter assigned, and decodes with the schema text charter serves for
// that id, as a consumer that never saw the producer's schema would.
func TestFranzSerdeAvroRoundTrip(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	v1 := mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV1})
	v2 := mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV2})

	producerSchema := parseAvro(t, orderV1)
	served, err := cl.SchemaByID(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	consumerSchema := parseAvro(t, served.Schema)

	serde := sr.NewSerde()
	serde.Register(v1.ID, order{},
		sr.EncodeFn(func(v any) ([]byte, error) { return avro.Marshal(producerSchema, v) }),
		sr.DecodeFn(func(b []byte, v any) error { return avro.Unmarshal(consumerSchema, b, v) }),
	)

	for _, in := range []order{
		{ID: "o-1", Amount: 12.5},
		{ID: "", Amount: 0},
		{ID: "ünïcødé", Amount: -1e300},
	} {
		b, err := serde.Encode(in)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", in, err)
		}
		if len(b) < 5 || b[0] != 0 || int(binary.BigEndian.Uint32(b[1:5])) != v1.ID {
			t.Fatalf("wire header = % x, want 00 then id %d big-endian", b[:min(5, len(b))], v1.ID)
		}
		body, err := avro.Marshal(producerSchema, in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b[5:], body) {
			t.Fatalf("payload after the header = % x, want the plain Avro encoding % x", b[5:], body)
		}
		id, _, err := serde.DecodeID(b)
		if err != nil || id != v1.ID {
			t.Fatalf("DecodeID = %d, %v; want %d", id, err, v1.ID)
		}
		var out order
		if err := serde.Decode(b, &out); err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if out != in {
			t.Fatalf("round trip = %+v, want %+v", out, in)
		}

		// A consumer on version 2 reads version 1 data through schema
		// resolution; the default it fills in comes from the served text.
		readerServed, err := cl.SchemaByID(ctx, v2.ID)
		if err != nil {
			t.Fatal(err)
		}
		resolved, err := avro.NewSchemaCompatibility().Resolve(parseAvro(t, readerServed.Schema), consumerSchema)
		if err != nil {
			t.Fatalf("resolve v2 reader against v1 writer: %v", err)
		}
		var upgraded orderWithCurrency
		if err := avro.Unmarshal(resolved, b[5:], &upgraded); err != nil {
			t.Fatalf("decode v1 data as v2: %v", err)
		}
		if want := (orderWithCurrency{ID: in.ID, Amount: in.Amount, Currency: "EUR"}); upgraded != want {
			t.Fatalf("v1 data read as v2 = %+v, want %+v", upgraded, want)
		}
	}
}

// TestFranzAllSchemas checks GET /schemas, which franz-go's AllSchemas reads.
func TestFranzAllSchemas(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	mustCreate(t, ctx, cl, "b-value", sr.Schema{Schema: orderV1})
	mustCreate(t, ctx, cl, "a-value", sr.Schema{Schema: orderV1})
	mustCreate(t, ctx, cl, "a-value", sr.Schema{Schema: orderV2})

	all, err := cl.AllSchemas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type sv struct {
		subject     string
		version, id int
	}
	var got []sv
	for _, s := range all {
		got = append(got, sv{s.Subject, s.Version, s.ID})
	}
	sort.Slice(got, func(i, j int) bool {
		if got[i].subject != got[j].subject {
			return got[i].subject < got[j].subject
		}
		return got[i].version < got[j].version
	})
	want := []sv{{"a-value", 1, 1}, {"a-value", 2, 2}, {"b-value", 1, 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("AllSchemas = %+v, want %+v", got, want)
	}
	latest, err := cl.AllSchemas(sr.WithParams(ctx, sr.LatestOnly))
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 2 {
		t.Fatalf("AllSchemas(latestOnly) returned %d schemas, want 2 (one per subject)", len(latest))
	}
}
