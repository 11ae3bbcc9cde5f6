package registrytest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

// OpenFile opens the file log in dir keyed as the registry keys it
// (registry.LogicalKey), failing t on an error.
func OpenFile(t testing.TB, dir string) *file.Log {
	t.Helper()
	l, err := file.Open(context.Background(), dir, file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Restarted checks that what a Service wrote survives a restart, in two
// subtests: "plain" replays the file log as written, "compacted" compacts
// it first. In each, write runs on a Service start makes over a new file
// log and returns what it observed; the Service is stopped, the log closed
// and reopened, and check is given a Service start makes over it with
// what write returned. start runs a Service over a log until the test
// ends or the stop it returns is called.
func Restarted[S any](t *testing.T, start func(*testing.T, storage.Log) (*registry.Service, func()), write func(*testing.T, *registry.Service) S, check func(t *testing.T, again *registry.Service, before S)) {
	t.Helper()
	for _, compact := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "compacted"}[compact], func(t *testing.T) {
			dir := t.TempDir()
			l := OpenFile(t, dir)
			svc, stop := start(t, l)
			before := write(t, svc)
			stop()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = OpenFile(t, dir)
			t.Cleanup(func() { _ = l.Close() })
			if compact {
				if err := l.Compact(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			again, _ := start(t, l)
			check(t, again, before)
		})
	}
}

// SameJSON fails t, with what, when got and want differ as JSON: the way
// tests compare two states a client can observe.
func SameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("%s\n got %s\nwant %s", what, gb, wb)
	}
}
