package registry_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

// TestConcurrentWritesShareBatchesAndKeepGuarantees runs many concurrent
// registrations (new subjects, new versions of shared subjects, the same
// schema under several subjects, and repeats of what is already held),
// interleaved with config changes, and checks what the serial registry
// guarantees: every answer is what a read gives afterwards (read your
// writes), a schema has one id however many writers registered it at once,
// distinct schemas never share an id, versions of a subject are 1..n
// without gaps, and a restart replays the same state.
func TestConcurrentWritesShareBatchesAndKeepGuarantees(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := start(t, dir, false)
	schema := func(n int) string {
		return fmt.Sprintf(`{"type":"record","name":"R%d","namespace":"conc","fields":[{"name":"f","type":"int"}]}`, n)
	}
	for i := range 3 {
		if _, err := r.svc.SetConfig(ctx, "shared-"+strconv.Itoa(i), registry.Config{Compatibility: ptr(compat.None)}); err != nil {
			t.Fatal(err)
		}
	}
	const writers, each = 16, 25
	var mu sync.Mutex
	byID := map[int]string{}
	idOf := map[string]int{}
	answers := map[string][]registry.Schema{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var subject, text string
				switch i % 4 {
				case 0: // a new subject
					subject, text = "own-"+strconv.Itoa(w)+"-"+strconv.Itoa(i), schema(w*1000+i)
				case 1: // a new version of a shared subject (NONE, set above)
					subject, text = "shared-"+strconv.Itoa(i%3), schema(w*1000+i)
				case 2: // one schema many writers register at once
					subject, text = "same-"+strconv.Itoa(w%4), schema(999999)
				default: // a config write between registrations
					if _, err := r.svc.SetConfig(ctx, "cfg-"+strconv.Itoa(w), registry.Config{Compatibility: ptr(compat.Full)}); err != nil {
						t.Error(err)
					}
					continue
				}
				got, err := r.svc.Register(ctx, subject, registry.RegisterRequest{Schema: text})
				if err != nil {
					t.Errorf("register %s: %v", subject, err)
					return
				}
				read, err := r.svc.Version(subject, got.Version, false)
				if err != nil || read.ID != got.ID {
					t.Errorf("read after write of %s v%d: id %d, %v; want id %d", subject, got.Version, read.ID, err, got.ID)
				}
				mu.Lock()
				if prev, ok := byID[got.ID]; ok && prev != got.Schema {
					t.Errorf("id %d names two schemas: %s and %s", got.ID, prev, got.Schema)
				}
				byID[got.ID] = got.Schema
				if prev, ok := idOf[got.Schema]; ok && prev != got.ID {
					t.Errorf("one schema got ids %d and %d", prev, got.ID)
				}
				idOf[got.Schema] = got.ID
				answers[subject] = append(answers[subject], got)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for subject := range answers {
		versions, err := r.svc.Versions(subject, false, false)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range versions {
			if v != i+1 {
				t.Fatalf("%s has versions %v, want 1..%d", subject, versions, len(versions))
			}
		}
	}
	if got, want := r.svc.MaxID(), len(byID); got != want {
		t.Errorf("max id %d, want %d (one per distinct schema, none skipped)", got, want)
	}
	digest := r.svc.State().Digest()
	r.stop()
	r2 := start(t, dir, false)
	defer r2.stop()
	if got := r2.svc.State().Digest(); got != digest {
		t.Errorf("digest after restart %s, want %s", got, digest)
	}
}

func ptr[T any](v T) *T { return &v }
