package dek

import (
	"encoding/json"
	"testing"
)

// TestAuditValuesAreJSONWhateverTheNames: the audit values of a KEK and a
// DEK are valid JSON for names with control and astral characters, which
// Go's %q would have written as \x and \U escapes JSON does not have.
func TestAuditValuesAreJSONWhateverTheNames(t *testing.T) {
	odd := "a\x01b\U0001F600\u2028\"\\"
	for _, b := range [][]byte{
		kekAudit(kekValue{Name: odd, KmsType: odd, KmsKeyID: odd}),
		dekAudit(dekValue{KekName: odd, Subject: odd, Algorithm: "AES256_GCM", Version: 1}),
	} {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		for k, got := range v {
			if s, ok := got.(string); ok && s != odd && k != "algorithm" {
				t.Errorf("%s = %q, want %q", k, s, odd)
			}
		}
	}
}
