package registrytest_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

func TestStartServesTheAPIOverTheGivenLog(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	mounted := false
	r := registrytest.Start(t, registrytest.WithLog(log), registrytest.WithMount(func(_ *api.Server, svc *registry.Service) error {
		mounted = svc != nil
		return nil
	}))
	if !mounted {
		t.Error("the mount function was not called with the Service")
	}
	if r.Log != log {
		t.Error("Registry.Log is not the log passed with WithLog")
	}
	if _, err := r.Service.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: `"string"`}); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(r.URL + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(b) != `["orders-value"]` {
		t.Errorf("GET /subjects: %d %s", res.StatusCode, b)
	}
	if end, err := log.End(context.Background()); err != nil || end == 0 {
		t.Errorf("the registration did not reach the given log: end %d, %v", end, err)
	}
}

func TestReplayRebuildsTheStateOfAWrittenLog(t *testing.T) {
	ctx := context.Background()
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	stats, err := registrytest.WriteReplayLog(ctx, log, 2000)
	if err != nil {
		t.Fatal(err)
	}
	svc := registrytest.Replay(ctx, t, log)
	subjects, schemas, _ := svc.State().Counts()
	if subjects == 0 || schemas == 0 {
		t.Fatalf("replay of %s gave %d subjects, %d schemas", stats, subjects, schemas)
	}
}
