package kafka_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

// startRegistry runs charter in-process on a memory log and returns a
// client for it; both stop when the test ends.
func startRegistry(t testing.TB, opts ...client.Opt) *client.Client {
	t.Helper()
	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey)), Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(svc, api.Config{}).Handler())
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
	})
	cl, err := client.New(append([]client.Opt{client.URLs(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func register(t testing.TB, cl *client.Client, subject string, s client.Schema) *client.Schema {
	t.Helper()
	got, err := cl.Register(context.Background(), subject, s, false)
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return got
}
