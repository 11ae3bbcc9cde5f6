package exporter_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// writeLease writes an EXPORTER_LEASE record as another instance would.
func writeLease(t *testing.T, svc *registry.Service, owner string, seq int) {
	t.Helper()
	r, err := registry.Record(registry.Key{Type: exporter.KeyLease, Subject: "exporters"}, map[string]any{"owner": owner, "seq": seq, "ts": 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Write(context.Background(), func() ([]storage.Record, error) { return []storage.Record{r}, nil }); err != nil {
		t.Fatal(err)
	}
}

func leaseHeld(url string) func() (bool, string) {
	return func() (bool, string) {
		b := get(url + "/metrics")
		return bytes.Contains(b, []byte("\ncharter_exporter_lease_held 1\n")), "lease not held"
	}
}

// An instance that sees another take the lease stops its exporters at
// once, and runs them again once the lease is free.
//
// The lease lasts an hour here, so that every state the test waits for
// holds until the test changes it: with a short one, "given up" could be
// seen only until this instance, no longer seeing the other renew, took
// the lease back by itself, a window a loaded machine can miss. Taking
// the lease back once it is released needs no timer: the release wakes
// the lease loop.
func TestExporterStopsWhenAnotherTakesTheLease(t *testing.T) {
	cfg := fast
	cfg.Instance = "me"
	cfg.LeaseTTL = time.Hour
	src := registrytest.Start(t, registrytest.WithExporters(cfg))
	dst := registrytest.Start(t)
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "dr", "contextType": "NONE", "config": map[string]string{"schema.registry.url": dst.URL}})
	eventually(t, "first export", samePicture(src.Service, dst.Service, func(s string) string { return s }))
	eventually(t, "lease held", leaseHeld(src.URL))

	writeLease(t, src.Service, "other", 1000)
	eventually(t, "lease given up", func() (bool, string) {
		ok, _ := leaseHeld(src.URL)()
		return !ok, "still held"
	})
	// The exporter's writes are fenced now: its status says nothing of
	// "me" being the owner of anything written after the take-over.
	register(t, src.URL, "orders-value", record("Order", "a", "b"))
	st, err := src.Exporters.Progress("dr")
	if err != nil {
		t.Fatal(err)
	}
	if st.Owner != "me" {
		t.Fatalf("status owner = %q, want the last writer me", st.Owner)
	}

	writeLease(t, src.Service, "", 1001) // the other instance gives it up
	eventually(t, "lease taken back", leaseHeld(src.URL))
	eventually(t, "the new version exported", func() (bool, string) {
		_, err := dst.Service.Version("orders-value", 2, true)
		return err == nil, fmt.Sprint(err)
	})
}
