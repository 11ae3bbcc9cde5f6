package registry

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/charter-registry/charter/internal/testdata"
)

func TestIdentityMatchesConfluentGoldenHashes(t *testing.T) {
	raw, err := os.ReadFile(testdata.Shared(t, "testdata/confluent/identity/schema-md5-golden-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Schemas        map[string]string            `json:"schemas"`
		References     []Reference                  `json:"references"`
		Metadata       *Metadata                    `json:"metadata"`
		Rules          *RuleSet                     `json:"rules"`
		ExpectedHashes map[string]map[string]string `json:"expectedHashes"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{"AVRO": "avro", "PROTOBUF": "protobuf", "JSON": "json"}
	n := 0
	for typ, cases := range golden.ExpectedHashes {
		text, ok := golden.Schemas[formats[typ]]
		if !ok {
			t.Fatalf("no schema for %s", typ)
		}
		for bits, want := range cases {
			var refs []Reference
			var md *Metadata
			var rs *RuleSet
			if bits[0] == '1' {
				refs = golden.References
			}
			if bits[1] == '1' {
				md = golden.Metadata
			}
			if bits[2] == '1' {
				rs = golden.Rules
			}
			if got := ComputeIdentity(text, refs, md, rs).String(); got != want {
				t.Errorf("%s %s: got %s, want %s", typ, bits, got, want)
			}
			n++
		}
	}
	if n != 24 {
		t.Fatalf("checked %d vectors, want 24", n)
	}
}
