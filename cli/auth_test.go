package cli_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
)

// authServer runs the real binary with authentication required, configured
// through the environment.
func authServer(t *testing.T, bin, authFile string) *registrytest.Process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--storage", "memory")
	cmd.Env = registrytest.Environ("CHARTER_AUTH=required", "CHARTER_AUTH_CONFIG="+authFile, "CHARTER_UNOWNED_SUBJECTS=admin-only")
	return registrytest.Serve(t, cmd, os.Kill)
}

func writeAuthFile(t *testing.T, path string, keys map[string]string) {
	t.Helper()
	doc := fmt.Sprintf(`principals:
  - name: root
    admin: true
    keys: [%s]
  - name: pay-ci
    teams: [payments]
    keys: [%s]
  - name: ship-ci
    teams: [shipping]
    keys: [%s]
`, api.HashAPIKey(keys["root"]), api.HashAPIKey(keys["pay-ci"]), api.HashAPIKey(keys["ship-ci"]))
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
}

func call(t *testing.T, addr, key, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeWithAuthRequired runs the README's governance walk-through on
// the real binary: credentials from a file, a team and a topic created by
// an admin, ownership enforced, and a key rotated by SIGHUP.
func TestServeWithAuthRequired(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	authFile := filepath.Join(t.TempDir(), "auth.yaml")
	keys := map[string]string{}
	for _, p := range []string{"root", "pay-ci", "ship-ci"} {
		keys[p], _ = api.NewAPIKey()
	}
	writeAuthFile(t, authFile, keys)
	srv := authServer(t, bin, authFile)
	addr, cmd := srv.Addr, srv.Cmd

	schema := `{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"}`
	steps := []struct {
		who, method, path, body string
		status                  int
	}{
		{"", "GET", "/subjects", "", 401},
		{"pay-ci", "GET", "/subjects", "", 200},
		{"pay-ci", "POST", "/v1/catalog/teams", `{"name":"payments"}`, 403},
		{"root", "POST", "/v1/catalog/teams", `{"name":"payments"}`, 200},
		{"pay-ci", "POST", "/v1/catalog/topics", `{"name":"orders"}`, 200},
		{"ship-ci", "POST", "/subjects/orders-value/versions", schema, 403},
		{"pay-ci", "POST", "/subjects/orders-value/versions", schema, 200},
		{"pay-ci", "POST", "/subjects/loose-value/versions", schema, 403},
	}
	for _, s := range steps {
		if got, body := call(t, addr, keys[s.who], s.method, s.path, s.body); got != s.status {
			t.Fatalf("%s %s as %q: %d %s, want %d", s.method, s.path, s.who, got, body, s.status)
		}
	}
	if _, body := call(t, addr, keys["ship-ci"], "GET", "/v1/audit?subject=orders-value", ""); !strings.Contains(body, `"principal":"pay-ci"`) {
		t.Errorf("audit: %s", body)
	}

	// Rotate pay-ci's key: write the file, send SIGHUP.
	old := keys["pay-ci"]
	keys["pay-ci"], _ = api.NewAPIKey()
	writeAuthFile(t, authFile, keys)
	reloaded := srv.Lines()
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The server logs the reload once the new keys are in use.
	srv.WaitLogAfter(t, reloaded, "credentials reloaded")
	newOK, _ := call(t, addr, keys["pay-ci"], "GET", "/v1/auth/whoami", "")
	oldOK, _ := call(t, addr, old, "GET", "/v1/auth/whoami", "")
	if newOK != 200 || oldOK != 401 {
		t.Fatalf("after SIGHUP: new key %d, old key %d", newOK, oldOK)
	}
	// A broken file is refused and the keys in use stay valid.
	if err := os.WriteFile(authFile, []byte("principals: [{name: x, keys: [plaintext]}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logged := srv.Lines()
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	srv.WaitLogAfter(t, logged, "credentials not reloaded")
	if got, _ := call(t, addr, keys["pay-ci"], "GET", "/v1/auth/whoami", ""); got != 200 {
		t.Errorf("after a broken reload the current key gets %d", got)
	}
}

// TestServePublishesChangesToKafka runs the binary on Kafka storage (an
// in-process kfake cluster) with --changes-topic and reads the change
// event of a registration from the topic.
func TestServePublishesChangesToKafka(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	bin := registrytest.BuildBinary(t)
	cmd := exec.Command(bin, "serve", "--changes-topic", "charter-changes")
	cmd.Env = registrytest.Environ("CHARTER_KAFKA_BROKERS="+strings.Join(c.ListenAddrs(), ","), "CHARTER_KAFKA_TOPIC=_charter_changes_test")
	addr := registrytest.Serve(t, cmd, syscall.SIGTERM).Addr
	schema := `{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"}`
	if got, body := call(t, addr, "", "POST", "/subjects/orders-value/versions", schema); got != 200 {
		t.Fatalf("register: %d %s", got, body)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("charter-changes"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("no change event arrived")
		}
		var got *kgo.Record
		fs.EachRecord(func(r *kgo.Record) { got = r })
		if got == nil {
			continue
		}
		if string(got.Key) != "orders-value" || !strings.Contains(string(got.Value), `"type":"schema.registered"`) {
			t.Errorf("event key %s value %s", got.Key, got.Value)
		}
		return
	}
}
