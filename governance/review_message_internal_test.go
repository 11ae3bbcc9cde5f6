package governance

import (
	"testing"

	"github.com/charter-registry/charter/registry"
)

// The 40920 answer says why the change waits in a sentence that reads.
func TestDescribeVerdictReads(t *testing.T) {
	cases := []struct {
		v    registry.Verdict
		want string
	}{
		{registry.Verdict{Backward: true}, "is backward but not forward compatible (old readers may fail on new data)"},
		{registry.Verdict{Forward: true}, "is forward but not backward compatible"},
		{registry.Verdict{}, "is incompatible in both directions"},
		{registry.Verdict{Backward: true, Forward: true, EnumSymbolsAdded: true}, "adds enum symbols"},
		{registry.Verdict{Backward: true, EnumSymbolsAdded: true}, "is backward but not forward compatible (old readers may fail on new data) and adds enum symbols"},
	}
	for _, c := range cases {
		if got := describeVerdict(c.v); got != c.want {
			t.Errorf("describeVerdict(%+v) = %q, want %q", c.v, got, c.want)
		}
	}
}
