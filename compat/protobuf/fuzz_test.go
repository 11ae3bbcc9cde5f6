package protobuf

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		`syntax = "proto3"; message A { string x = 1; }`,
		`syntax = "proto2"; message A { required int32 x = 1; optional group G = 2 { optional int32 y = 3; } extensions 10 to max; }`,
		nestedSchema,
		`syntax = "proto3"; import "google/type/date.proto"; import "confluent/meta.proto"; message A { google.type.Date d = 1 [(confluent.field_meta).doc = "x"]; }`,
		`syntax = "proto3"; import "dep.proto"; message A { dep.D d = 1; }`,
		`syntax = "proto3"; message A { oneof o { string a = 1; int32 b = 2; } map<string, A> m = 3; }`,
		`edition = "2023"; message A { int32 x = 1; }`,
		"message {{{{",
		base64.StdEncoding.EncodeToString([]byte{0x0a, 0x01, 0x61}),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	deps := []compat.Dependency{{Name: "dep.proto", Schema: `syntax = "proto3"; package dep; message D { int64 v = 1; }`}}
	format := New()
	base, err := format.Parse(`syntax = "proto3"; message A { string x = 1; }`, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, deps)
		if err != nil {
			var pe *compat.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, not a *compat.ParseError", err, err)
			}
			return
		}
		ps := s.(*Schema)
		_ = ps.Normalized()
		_ = ps.FieldNames()
		if _, err := ps.Serialized(); err != nil {
			t.Fatalf("Serialized: %v", err)
		}
		format.Diff(base, s, compat.Options{})
		format.Diff(s, base, compat.Options{})
		format.Diff(s, s, compat.Options{})
		again, err := format.Parse(s.Canonical(), deps)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, s.Canonical())
		}
		if again.Canonical() != s.Canonical() {
			t.Fatalf("canonical form is not stable:\n%s\n---\n%s", s.Canonical(), again.Canonical())
		}
	})
}
