package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/file"
)

// running is a Service over a file log in dir, replayed and ready.
type running struct {
	svc  *registry.Service
	log  *file.Log
	stop func()
}

func start(t *testing.T, dir string, compact bool) running {
	t.Helper()
	ctx := context.Background()
	l, err := file.Open(ctx, dir, file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		t.Fatal(err)
	}
	if compact {
		if err := l.Compact(ctx); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := registry.NewService(registry.ServiceConfig{Log: l, Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	gov(svc) // governance replays with the rest: attach it before Run
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = svc.Run(rctx); close(done) }()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return running{svc: svc, log: l, stop: func() {
		cancel()
		<-done
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}}
}

// snapshot is everything a client can observe, for comparing two states.
type snapshot struct {
	Schemas  []registry.Schema
	Subjects []string
	Configs  map[string]registry.Config
	Modes    map[string]registry.Mode
	MaxID    int
	Digest   string
}

func observe(t *testing.T, svc *registry.Service) snapshot {
	t.Helper()
	s := snapshot{
		Schemas:  svc.Schemas(registry.SchemaFilter{Deleted: true}),
		Subjects: svc.Subjects("", true, false),
		Configs:  map[string]registry.Config{},
		Modes:    map[string]registry.Mode{},
		MaxID:    svc.MaxID(),
		Digest:   svc.State().Digest(),
	}
	for _, sub := range append([]string{""}, s.Subjects...) {
		if c, err := svc.GetConfig(sub, false); err == nil {
			s.Configs[sub] = c
		}
		if m, err := svc.GetMode(sub, false); err == nil {
			s.Modes[sub] = m
		}
	}
	return s
}

func TestRestartFromDiskRestoresIdenticalState(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	r := start(t, dir, false)
	level := compat.Full
	for i := range 1000 {
		subject := fmt.Sprintf("topic-%03d-value", i%250)
		schema := fmt.Sprintf(`{"type":"record","name":"R%d","namespace":"restart","fields":[{"name":"f%d","type":"string","default":"x"}]}`, i%250, i)
		if i%3 == 0 {
			schema = fmt.Sprintf(`{"type":"record","name":"R%d","namespace":"restart","fields":[{"name":"f%d","type":"string","default":"x"},{"name":"g","type":"int","default":%d}]}`, i%250, i, i)
		}
		if _, err := r.svc.Register(ctx, subject, registry.RegisterRequest{Schema: schema}); err != nil {
			t.Fatalf("register %d: %v", i, err)
		}
		if i%250 == 7 {
			if _, err := r.svc.SetConfig(ctx, subject, registry.Config{Compatibility: &level}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Soft-delete versions, soft- and hard-delete whole subjects, set modes.
	for i := 0; i < 250; i += 10 {
		subject := fmt.Sprintf("topic-%03d-value", i)
		if _, err := r.svc.DeleteVersion(ctx, subject, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	for i := 5; i < 250; i += 50 {
		subject := fmt.Sprintf("topic-%03d-value", i)
		if _, err := r.svc.DeleteSubject(ctx, subject, false); err != nil {
			t.Fatal(err)
		}
		if i%100 == 5 {
			if _, err := r.svc.DeleteSubject(ctx, subject, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := r.svc.SetMode(ctx, "topic-001-value", registry.ReadOnly, false); err != nil {
		t.Fatal(err)
	}
	none := compat.None
	if _, err := r.svc.SetConfig(ctx, "", registry.Config{Compatibility: &none}); err != nil {
		t.Fatal(err)
	}
	// The newest schema of all is hard-deleted, so only the ID_FLOOR record
	// remembers its id once compaction has dropped it.
	doomed, err := r.svc.Register(ctx, "doomed", registry.RegisterRequest{Schema: `{"type":"enum","name":"Doomed","symbols":["A"]}`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DeleteSubject(ctx, "doomed", false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DeleteSubject(ctx, "doomed", true); err != nil {
		t.Fatal(err)
	}
	before := observe(t, r.svc)
	r.stop()
	if before.MaxID != doomed.ID {
		t.Fatalf("max id %d, want the hard-deleted %d", before.MaxID, doomed.ID)
	}

	if len(before.Schemas) < 900 {
		t.Fatalf("only %d versions registered", len(before.Schemas))
	}
	deleted := 0
	for _, s := range before.Schemas {
		if s.Deleted {
			deleted++
		}
	}
	if deleted == 0 {
		t.Fatal("no soft-deleted versions in the fixture")
	}

	for _, compact := range []bool{false, true} {
		r2 := start(t, dir, compact)
		after := observe(t, r2.svc)
		r2.stop()
		if !reflect.DeepEqual(before, after) {
			b, _ := json.Marshal(before)
			a, _ := json.Marshal(after)
			t.Fatalf("state after restart (compacted=%v) differs:\nbefore %.2000s\nafter  %.2000s", compact, b, a)
		}
	}
	// The id high-water mark survives compaction even though the newest
	// schemas were hard-deleted, so a new schema never reuses an id.
	r3 := start(t, dir, true)
	defer r3.stop()
	s, err := r3.svc.Register(ctx, "fresh", registry.RegisterRequest{Schema: `{"type":"fixed","name":"Fresh","size":3}`})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != before.MaxID+1 {
		t.Fatalf("new schema got id %d, want %d", s.ID, before.MaxID+1)
	}
}
