package conformance

import (
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
)

// Confluent's error codes as its clients see them.
const (
	codeSubjectNotFound          = 40401
	codeVersionNotFound          = 40402
	codeSchemaNotFound           = 40403
	codeSubjectSoftDeleted       = 40404
	codeSubjectNotSoftDeleted    = 40405
	codeSubjectCompatibilityNone = 40408
	codeIncompatibleSchema       = 40901
	codeInvalidSchema            = 42201
	codeOperationNotPermitted    = 42205
	codeReferenceExists          = 42206
)

// newConfluentClient returns confluent-kafka-go's REST client for srv. Its
// caches are its own, so a test that must reach the server uses a fresh one.
func newConfluentClient(t *testing.T, srv *registryServer) schemaregistry.Client {
	t.Helper()
	cfg := schemaregistry.NewConfig(srv.URL)
	cfg.HTTPClient = srv.HTTPClient()
	cfg.MaxRetries = 0
	c, err := schemaregistry.NewClient(cfg)
	if err != nil {
		t.Fatalf("schemaregistry.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// requireConfluentCode fails unless err is the registry error code want.
func requireConfluentCode(t *testing.T, err error, want int) {
	t.Helper()
	var re *rest.Error
	if !errors.As(err, &re) {
		t.Fatalf("got error %v (%T), want registry error_code %d", err, err, want)
	}
	if re.Code != want {
		t.Fatalf("got error_code %d (%q), want %d", re.Code, re.Message, want)
	}
}

// requireConfluentIncompatible fails unless err is the registry's
// INCOMPATIBLE_SCHEMA answer: HTTP 409 with error_code 40901, the code
// current Confluent releases send (older ones sent 409).
func requireConfluentIncompatible(t *testing.T, err error) {
	t.Helper()
	requireConfluentCode(t, err, codeIncompatibleSchema)
}

func avroInfo(schema string, refs ...schemaregistry.Reference) schemaregistry.SchemaInfo {
	return schemaregistry.SchemaInfo{Schema: schema, References: refs}
}

func mustRegister(t *testing.T, c schemaregistry.Client, subject string, info schemaregistry.SchemaInfo) int {
	t.Helper()
	id, err := c.Register(subject, info, false)
	if err != nil {
		t.Fatalf("Register(%q): %v", subject, err)
	}
	return id
}

func TestConfluentClientRegisterAndRead(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)

	registrations := []struct {
		name    string
		subject string
		schema  string
		wantID  int
	}{
		{"first schema gets id 1", "orders-value", orderV1, 1},
		{"same text again is idempotent", "orders-value", orderV1, 1},
		{"same schema in other layout is the same schema", "orders-value", orderV1Spaced, 1},
		{"new schema gets the next id", "orders-value", orderV2, 2},
		{"same schema in another subject shares its id", "audit-value", orderV1, 1},
	}
	for _, r := range registrations {
		t.Run(r.name, func(t *testing.T) {
			// A fresh client each time: the client caches registrations.
			got := mustRegister(t, newConfluentClient(t, srv), r.subject, avroInfo(r.schema))
			if got != r.wantID {
				t.Fatalf("Register(%q) = id %d, want %d", r.subject, got, r.wantID)
			}
		})
	}

	t.Run("GetBySubjectAndID", func(t *testing.T) {
		for _, tc := range []struct {
			subject string
			id      int
			want    string
		}{{"orders-value", 1, orderV1}, {"", 2, orderV2}, {"audit-value", 1, orderV1}} {
			info, err := c.GetBySubjectAndID(tc.subject, tc.id)
			if err != nil {
				t.Fatalf("GetBySubjectAndID(%q, %d): %v", tc.subject, tc.id, err)
			}
			if info.SchemaType != "" && info.SchemaType != "AVRO" {
				t.Fatalf("schemaType = %q, want AVRO or omitted", info.SchemaType)
			}
			requireSameAvro(t, info.Schema, tc.want)
		}
		_, err := c.GetBySubjectAndID("", 99)
		requireConfluentCode(t, err, codeSchemaNotFound)
	})

	t.Run("GetLatestSchemaMetadata", func(t *testing.T) {
		md, err := c.GetLatestSchemaMetadata("orders-value")
		if err != nil {
			t.Fatal(err)
		}
		if md.ID != 2 || md.Version != 2 || md.Subject != "orders-value" {
			t.Fatalf("latest = id %d version %d subject %q, want id 2 version 2 subject orders-value", md.ID, md.Version, md.Subject)
		}
		requireSameAvro(t, md.Schema, orderV2)
		_, err = c.GetLatestSchemaMetadata("no-such-subject")
		requireConfluentCode(t, err, codeSubjectNotFound)
	})

	t.Run("GetSchemaMetadata", func(t *testing.T) {
		for _, tc := range []struct {
			version, wantID int
			want            string
		}{{1, 1, orderV1}, {2, 2, orderV2}} {
			md, err := c.GetSchemaMetadata("orders-value", tc.version)
			if err != nil {
				t.Fatalf("GetSchemaMetadata(orders-value, %d): %v", tc.version, err)
			}
			if md.ID != tc.wantID || md.Version != tc.version || md.Subject != "orders-value" {
				t.Fatalf("version %d = id %d version %d subject %q", tc.version, md.ID, md.Version, md.Subject)
			}
			requireSameAvro(t, md.Schema, tc.want)
		}
		_, err := c.GetSchemaMetadata("orders-value", 3)
		requireConfluentCode(t, err, codeVersionNotFound)
	})

	t.Run("GetAllSubjects", func(t *testing.T) {
		got, err := c.GetAllSubjects()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"audit-value", "orders-value"}; !slices.Equal(got, want) {
			t.Fatalf("GetAllSubjects = %q, want %q", got, want)
		}
	})

	t.Run("GetAllVersions", func(t *testing.T) {
		got, err := c.GetAllVersions("orders-value")
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 2}; !slices.Equal(got, want) {
			t.Fatalf("GetAllVersions = %v, want %v", got, want)
		}
		_, err = c.GetAllVersions("no-such-subject")
		requireConfluentCode(t, err, codeSubjectNotFound)
	})

	t.Run("GetSubjectsAndVersionsByID", func(t *testing.T) {
		got, err := c.GetSubjectsAndVersionsByID(1)
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Subject < got[j].Subject })
		want := []schemaregistry.SubjectAndVersion{{Subject: "audit-value", Version: 1}, {Subject: "orders-value", Version: 1}}
		if !slices.Equal(got, want) {
			t.Fatalf("GetSubjectsAndVersionsByID(1) = %+v, want %+v", got, want)
		}
	})

	t.Run("GetVersion", func(t *testing.T) {
		v, err := c.GetVersion("orders-value", avroInfo(orderV2), false)
		if err != nil {
			t.Fatal(err)
		}
		if v != 2 {
			t.Fatalf("GetVersion(orderV2) = %d, want 2", v)
		}
	})
}

func TestConfluentClientLookupSchema(t *testing.T) {
	srv := startRegistry(t)
	mustRegister(t, newConfluentClient(t, srv), "orders-value", avroInfo(orderV1))
	mustRegister(t, newConfluentClient(t, srv), "orders-value", avroInfo(orderV2))

	for _, tc := range []struct {
		name     string
		subject  string
		schema   string
		wantID   int
		wantVer  int
		wantCode int
	}{
		{name: "exact text of version 1", subject: "orders-value", schema: orderV1, wantID: 1, wantVer: 1},
		{name: "version 1 in another layout", subject: "orders-value", schema: orderV1Spaced, wantID: 1, wantVer: 1},
		{name: "version 2", subject: "orders-value", schema: orderV2, wantID: 2, wantVer: 2},
		{name: "schema the subject never held", subject: "orders-value", schema: orderNoDefault, wantCode: codeSchemaNotFound},
		{name: "unknown subject", subject: "no-such-subject", schema: orderV1, wantCode: codeSubjectNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConfluentClient(t, srv)
			md, err := c.GetIDFullResponse(tc.subject, avroInfo(tc.schema), false)
			if tc.wantCode != 0 {
				requireConfluentCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatalf("GetIDFullResponse: %v", err)
			}
			if md.ID != tc.wantID || md.Version != tc.wantVer || md.Subject != tc.subject {
				t.Fatalf("lookup = id %d version %d subject %q, want id %d version %d subject %q", md.ID, md.Version, md.Subject, tc.wantID, tc.wantVer, tc.subject)
			}
			id, err := newConfluentClient(t, srv).GetID(tc.subject, avroInfo(tc.schema), false)
			if err != nil || id != tc.wantID {
				t.Fatalf("GetID = %d, %v; want %d", id, err, tc.wantID)
			}
		})
	}
}

func TestConfluentClientTestCompatibility(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	mustRegister(t, c, "orders-value", avroInfo(orderV1))

	for _, tc := range []struct {
		name    string
		schema  string
		version int // 0 tests against the subject (all versions the level selects)
		want    bool
	}{
		{"added field with default, against version 1", orderV2, 1, true},
		{"added field with default, against latest", orderV2, -1, true},
		{"added field with default, against the subject", orderV2, 0, true},
		{"added field without default, against version 1", orderNoDefault, 1, false},
		{"added field without default, against the subject", orderNoDefault, 0, false},
		{"changed field type double to string", orderAmountString, 1, false},
		{"identical schema", orderV1Spaced, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bool
			var err error
			if tc.version == 0 {
				got, err = c.TestSubjectCompatibility("orders-value", avroInfo(tc.schema))
			} else {
				got, err = c.TestCompatibility("orders-value", tc.version, avroInfo(tc.schema))
			}
			if err != nil {
				t.Fatalf("compatibility test: %v", err)
			}
			if got != tc.want {
				t.Fatalf("is_compatible = %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("unknown version", func(t *testing.T) {
		_, err := c.TestCompatibility("orders-value", 7, avroInfo(orderV2))
		requireConfluentCode(t, err, codeVersionNotFound)
	})
}

func TestConfluentClientCompatibilityConfig(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	mustRegister(t, c, "orders-value", avroInfo(orderV1))

	t.Run("global default is BACKWARD", func(t *testing.T) {
		got, err := c.GetDefaultCompatibility()
		if err != nil {
			t.Fatal(err)
		}
		if got != schemaregistry.Backward {
			t.Fatalf("GetDefaultCompatibility = %s, want BACKWARD", got.String())
		}
	})

	t.Run("subject without its own level", func(t *testing.T) {
		_, err := c.GetCompatibility("orders-value")
		requireConfluentCode(t, err, codeSubjectCompatibilityNone)
		cfg, err := c.GetConfig("orders-value", true)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.CompatibilityLevel != schemaregistry.Backward {
			t.Fatalf("GetConfig(defaultToGlobal) level = %s, want BACKWARD", cfg.CompatibilityLevel.String())
		}
	})

	levels := []schemaregistry.Compatibility{
		schemaregistry.None, schemaregistry.Backward, schemaregistry.Forward, schemaregistry.Full,
		schemaregistry.BackwardTransitive, schemaregistry.ForwardTransitive, schemaregistry.FullTransitive,
	}
	for _, level := range levels {
		t.Run("subject level "+level.String(), func(t *testing.T) {
			set, err := c.UpdateCompatibility("orders-value", level)
			if err != nil {
				t.Fatal(err)
			}
			if set != level {
				t.Fatalf("UpdateCompatibility answered %s, want %s", set.String(), level.String())
			}
			got, err := c.GetCompatibility("orders-value")
			if err != nil {
				t.Fatal(err)
			}
			if got != level {
				t.Fatalf("GetCompatibility = %s, want %s", got.String(), level.String())
			}
			global, err := c.GetDefaultCompatibility()
			if err != nil || global != schemaregistry.Backward {
				t.Fatalf("global level = %s, %v; a subject update must not change it", global.String(), err)
			}
		})
	}

	t.Run("FULL refuses a field without default", func(t *testing.T) {
		if _, err := c.UpdateCompatibility("orders-value", schemaregistry.Full); err != nil {
			t.Fatal(err)
		}
		_, err := c.Register("orders-value", avroInfo(orderNoDefault), false)
		requireConfluentIncompatible(t, err)
		id, err := c.Register("orders-value", avroInfo(orderV2), false)
		if err != nil || id != 2 {
			t.Fatalf("Register(orderV2) under FULL = %d, %v; want id 2", id, err)
		}
	})

	t.Run("global level NONE lets any change through", func(t *testing.T) {
		set, err := c.UpdateDefaultCompatibility(schemaregistry.None)
		if err != nil || set != schemaregistry.None {
			t.Fatalf("UpdateDefaultCompatibility = %s, %v; want NONE", set.String(), err)
		}
		got, err := c.GetDefaultCompatibility()
		if err != nil || got != schemaregistry.None {
			t.Fatalf("GetDefaultCompatibility = %s, %v; want NONE", got.String(), err)
		}
		mustRegister(t, c, "payments-value", avroInfo(orderV1))
		md, err := c.RegisterFullResponse("payments-value", avroInfo(orderAmountString), false)
		if err != nil || md.Version != 2 {
			t.Fatalf("incompatible schema under NONE = version %d, %v; want version 2", md.Version, err)
		}
		// The subject's own FULL still wins over the global NONE.
		_, err = c.Register("orders-value", avroInfo(orderAmountString), false)
		requireConfluentIncompatible(t, err)
	})
}

func TestConfluentClientDeleteSubject(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	mustRegister(t, c, "orders-value", avroInfo(orderV1))
	mustRegister(t, c, "orders-value", avroInfo(orderV2))

	steps := []struct {
		name      string
		permanent bool
		want      []int
		wantCode  int
	}{
		{name: "permanent before soft is refused", permanent: true, wantCode: codeSubjectNotSoftDeleted},
		{name: "soft delete returns every version", permanent: false, want: []int{1, 2}},
		{name: "soft delete twice is refused", permanent: false, wantCode: codeSubjectSoftDeleted},
		{name: "permanent after soft returns every version", permanent: true, want: []int{1, 2}},
		{name: "nothing left to delete", permanent: true, wantCode: codeSubjectNotFound},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := c.DeleteSubject("orders-value", s.permanent)
			if s.wantCode != 0 {
				requireConfluentCode(t, err, s.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, s.want) {
				t.Fatalf("DeleteSubject = %v, want %v", got, s.want)
			}
		})
		if s.name == "soft delete returns every version" {
			t.Run("soft-deleted subject is hidden but kept", func(t *testing.T) {
				fresh := newConfluentClient(t, srv)
				subjects, err := fresh.GetAllSubjects()
				if err != nil || len(subjects) != 0 {
					t.Fatalf("GetAllSubjects = %q, %v; want none", subjects, err)
				}
				_, err = fresh.GetAllVersions("orders-value")
				requireConfluentCode(t, err, codeSubjectNotFound)
				_, err = fresh.GetLatestSchemaMetadata("orders-value")
				requireConfluentCode(t, err, codeSubjectNotFound)
				md, err := fresh.GetSchemaMetadataIncludeDeleted("orders-value", 1, true)
				if err != nil || md.ID != 1 || md.Version != 1 {
					t.Fatalf("deleted version 1 = id %d version %d, %v; want id 1 version 1", md.ID, md.Version, err)
				}
				// The id stays resolvable: consumers still read old records.
				info, err := fresh.GetBySubjectAndID("", 2)
				if err != nil {
					t.Fatalf("GetBySubjectAndID(2) after soft delete: %v", err)
				}
				requireSameAvro(t, info.Schema, orderV2)
			})
		}
	}

	t.Run("hard-deleted subject is gone", func(t *testing.T) {
		_, err := newConfluentClient(t, srv).GetSchemaMetadataIncludeDeleted("orders-value", 1, true)
		requireConfluentCode(t, err, codeSubjectNotFound)
	})

	t.Run("subject starts again at version 1", func(t *testing.T) {
		md, err := newConfluentClient(t, srv).RegisterFullResponse("orders-value", avroInfo(orderV1), false)
		if err != nil {
			t.Fatal(err)
		}
		if md.Version != 1 {
			t.Fatalf("re-registered version = %d, want 1", md.Version)
		}
		v, err := newConfluentClient(t, srv).GetAllVersions("orders-value")
		if err != nil || !slices.Equal(v, []int{1}) {
			t.Fatalf("GetAllVersions = %v, %v; want [1]", v, err)
		}
	})

	t.Run("DeleteSubjectVersion", func(t *testing.T) {
		mustRegister(t, c, "orders-value", avroInfo(orderV2))
		got, err := c.DeleteSubjectVersion("orders-value", 2, false)
		if err != nil || got != 2 {
			t.Fatalf("DeleteSubjectVersion(2) = %d, %v; want 2", got, err)
		}
		fresh := newConfluentClient(t, srv)
		v, err := fresh.GetAllVersions("orders-value")
		if err != nil || !slices.Equal(v, []int{1}) {
			t.Fatalf("GetAllVersions = %v, %v; want [1]", v, err)
		}
		md, err := fresh.GetLatestSchemaMetadata("orders-value")
		if err != nil || md.Version != 1 {
			t.Fatalf("latest after deleting version 2 = version %d, %v; want 1", md.Version, err)
		}
	})
}

func TestConfluentClientReferences(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	addressID := mustRegister(t, c, "address-value", avroInfo(addressAvro))
	ref := schemaregistry.Reference{Name: "com.acme.Address", Subject: "address-value", Version: 1}

	t.Run("unresolved type without a reference is invalid", func(t *testing.T) {
		_, err := c.Register("customer-value", avroInfo(customerAvro), false)
		requireConfluentCode(t, err, codeInvalidSchema)
	})

	t.Run("reference to a missing version is invalid", func(t *testing.T) {
		bad := ref
		bad.Version = 9
		_, err := c.Register("customer-value", avroInfo(customerAvro, bad), false)
		requireConfluentCode(t, err, codeInvalidSchema)
	})

	var customerID int
	t.Run("register with reference", func(t *testing.T) {
		customerID = mustRegister(t, c, "customer-value", avroInfo(customerAvro, ref))
		if customerID == addressID {
			t.Fatalf("customer got the address's id %d", customerID)
		}
	})

	t.Run("references are served back", func(t *testing.T) {
		fresh := newConfluentClient(t, srv)
		md, err := fresh.GetLatestSchemaMetadata("customer-value")
		if err != nil {
			t.Fatal(err)
		}
		if md.ID != customerID || !slices.Equal(md.References, []schemaregistry.Reference{ref}) {
			t.Fatalf("latest customer = id %d refs %+v, want id %d refs [%+v]", md.ID, md.References, customerID, ref)
		}
		requireSameAvro(t, md.Schema, customerAvro, addressAvro)
		info, err := fresh.GetBySubjectAndID("", customerID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(info.References, []schemaregistry.Reference{ref}) {
			t.Fatalf("GetBySubjectAndID refs = %+v, want [%+v]", info.References, ref)
		}
	})

	t.Run("lookup with reference", func(t *testing.T) {
		id, err := newConfluentClient(t, srv).GetID("customer-value", avroInfo(customerAvro, ref), false)
		if err != nil || id != customerID {
			t.Fatalf("GetID = %d, %v; want %d", id, err, customerID)
		}
	})

	t.Run("referencedby lists the dependant", func(t *testing.T) {
		var ids []int
		srv.call(t, "GET", "/subjects/address-value/versions/1/referencedby", nil, 200, &ids)
		if !slices.Equal(ids, []int{customerID}) {
			t.Fatalf("referencedby = %v, want [%d]", ids, customerID)
		}
	})

	t.Run("referenced subject cannot be deleted", func(t *testing.T) {
		_, err := c.DeleteSubject("address-value", false)
		requireConfluentCode(t, err, codeReferenceExists)
	})
}

func TestConfluentClientSubjectNames(t *testing.T) {
	srv := startRegistry(t)
	names := []string{
		"a/b",
		"team/orders/value",
		"with space-value",
		"café-value",
		"100%-value",
		"q?x-value",
		"hash#tag-value",
		"plus+sign-value",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c := newConfluentClient(t, srv)
			id := mustRegister(t, c, name, avroInfo(orderV1))
			md, err := c.GetLatestSchemaMetadata(name)
			if err != nil {
				t.Fatalf("GetLatestSchemaMetadata: %v", err)
			}
			if md.Subject != name || md.ID != id || md.Version != 1 {
				t.Fatalf("latest = subject %q id %d version %d, want subject %q id %d version 1", md.Subject, md.ID, md.Version, name, id)
			}
			if v, err := c.GetAllVersions(name); err != nil || !slices.Equal(v, []int{1}) {
				t.Fatalf("GetAllVersions = %v, %v; want [1]", v, err)
			}
			if got, err := newConfluentClient(t, srv).GetID(name, avroInfo(orderV1), false); err != nil || got != id {
				t.Fatalf("GetID = %d, %v; want %d", got, err, id)
			}
			if ok, err := c.TestCompatibility(name, 1, avroInfo(orderV2)); err != nil || !ok {
				t.Fatalf("TestCompatibility = %v, %v; want true", ok, err)
			}
			if _, err := c.UpdateCompatibility(name, schemaregistry.Full); err != nil {
				t.Fatalf("UpdateCompatibility: %v", err)
			}
			if lvl, err := c.GetCompatibility(name); err != nil || lvl != schemaregistry.Full {
				t.Fatalf("GetCompatibility = %s, %v; want FULL", lvl.String(), err)
			}
			subjects, err := c.GetAllSubjects()
			if err != nil || !slices.Contains(subjects, name) {
				t.Fatalf("GetAllSubjects = %q, %v; want it to contain %q", subjects, err, name)
			}
			if v, err := c.DeleteSubject(name, false); err != nil || !slices.Equal(v, []int{1}) {
				t.Fatalf("soft DeleteSubject = %v, %v; want [1]", v, err)
			}
			if v, err := c.DeleteSubject(name, true); err != nil || !slices.Equal(v, []int{1}) {
				t.Fatalf("permanent DeleteSubject = %v, %v; want [1]", v, err)
			}
		})
	}
}
