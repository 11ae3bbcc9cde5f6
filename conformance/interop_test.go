package conformance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/internal/testdata"
)

// The real-client matrix: Confluent's Python client (confluent-kafka with
// its serdes and rules), Confluent's Node.js client
// (@confluentinc/schemaregistry), the community Node.js client of kafkajs
// users (@kafkajs/confluent-schema-registry) and the community Python
// client python-schema-registry-client, each as its own test
// program under interop/, driving a live `charter serve` built from this
// repository.
//
// scripts/interop-setup.sh installs the clients (pinned, from PyPI and
// npm) and scripts/test.sh runs it before these tests with
// CHARTER_INTEROP=required, so CI fails rather than skips when a client is
// missing. Without that variable a machine that never ran the setup skips
// them, saying how to run them.

func TestPythonClient(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "python")
	python := filepath.Join(dir, ".venv", "bin", "python")
	requireInterop(t, python, "python")
	url := startCharterServe(t)
	runClientProgram(t, url, dir, python, "-m", "pytest", "-v", "-p", "no:cacheprovider")
}

func TestNodeClient(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "node")
	requireInterop(t, filepath.Join(dir, "node_modules", "@confluentinc", "schemaregistry", "package.json"), "node")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	url := startCharterServe(t)
	runClientProgram(t, url, dir, node, "--test", "--test-reporter=spec")
}

// TestKafkaJSClient runs interop/kafkajs against two servers: one without
// auth, and one with --auth=required for the client's basic auth option
// (auth.test.js, governance.test.js), with three principals and API keys
// made here: an admin, and one each of teams payments and billing. Records
// are exchanged with charter's Go serde both ways (interop_kafkajs_test.go).
func TestKafkaJSClient(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "kafkajs")
	requireInterop(t, filepath.Join(dir, "node_modules", "@kafkajs", "confluent-schema-registry", "package.json"), "kafkajs")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	url := startCharterServe(t)

	var creds strings.Builder
	creds.WriteString("principals:\n")
	var env []string
	for _, p := range []struct{ name, env, teams string }{
		{"kafkajs-admin", "CHARTER_AUTH_KEY", ""},
		{"kafkajs-payments", "CHARTER_AUTH_PAYMENTS_KEY", "payments"},
		{"kafkajs-billing", "CHARTER_AUTH_BILLING_KEY", "billing"},
	} {
		key := rand.Text()
		sum := sha256.Sum256([]byte(key))
		fmt.Fprintf(&creds, "  - name: %s\n    keys: [sha256:%s]\n", p.name, hex.EncodeToString(sum[:]))
		if p.teams == "" {
			creds.WriteString("    admin: true\n")
		} else {
			fmt.Fprintf(&creds, "    teams: [%s]\n", p.teams)
		}
		env = append(env, p.env+"="+key)
	}
	authFile := filepath.Join(t.TempDir(), "auth.yaml")
	if err := os.WriteFile(authFile, []byte(creds.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(registrytest.BuildBinary(t), "serve", "--data-dir", t.TempDir(), "--auth=required", "--auth-config", authFile)
	authURL := "http://" + registrytest.Serve(t, cmd, syscall.SIGTERM).Addr

	exchange := t.TempDir()
	writeExchange(t, url, exchange)
	env = append(env, "CHARTER_AUTH_URL="+authURL, "CHARTER_AUTH_USER=kafkajs-admin", "CHARTER_EXCHANGE_DIR="+exchange)
	runClientProgramEnv(t, url, env, dir, node, "--test", "--test-reporter=spec")
	readExchange(t, url, exchange)
}

// TestPythonCommunityClient runs interop/python-community
// (python-schema-registry-client, marcosschroh's, used with faust and in
// FastAPI apps) against two servers: one without auth, and one with
// --auth=required for the client's basic auth (test_auth.py).
func TestPythonCommunityClient(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "python-community")
	python := filepath.Join(dir, ".venv", "bin", "python")
	requireInterop(t, python, "python-community")
	url := startCharterServe(t)
	authURL, key := startAuthCharterServe(t, "pyc-admin")
	runClientProgramEnv(t, url, []string{"CHARTER_AUTH_URL=" + authURL, "CHARTER_AUTH_USER=pyc-admin", "CHARTER_AUTH_KEY=" + key},
		dir, python, "-m", "pytest", "-v", "-p", "no:cacheprovider")
}

// startAuthCharterServe runs `charter serve` with --auth=required and an
// auth.yaml made here naming one admin principal with a random API key, and
// returns the server's base URL and that key.
func startAuthCharterServe(t *testing.T, principal string) (url, key string) {
	t.Helper()
	key = rand.Text()
	sum := sha256.Sum256([]byte(key))
	authFile := filepath.Join(t.TempDir(), "auth.yaml")
	creds := fmt.Sprintf("principals:\n  - name: %s\n    admin: true\n    keys: [sha256:%s]\n", principal, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(authFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(registrytest.BuildBinary(t), "serve", "--data-dir", t.TempDir(), "--auth=required", "--auth-config", authFile)
	return "http://" + registrytest.Serve(t, cmd, syscall.SIGTERM).Addr, key
}

// requireInterop skips, or with CHARTER_INTEROP=required fails, when the
// client installed by scripts/interop-setup.sh is absent.
func requireInterop(t *testing.T, path, which string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	msg := fmt.Sprintf("%s is absent: run `bash scripts/interop-setup.sh %s` first", path, which)
	if os.Getenv("CHARTER_INTEROP") == "required" {
		t.Fatal(msg + " (CHARTER_INTEROP=required)")
	}
	t.Skip(msg)
}

// startCharterServe builds cmd/charter and runs `charter serve` on a file
// log in a temporary directory, on a port the kernel picks (read back from
// the server's log by registrytest.Serve), and returns its base URL. The
// server is stopped with SIGTERM when the test ends, and its log is printed
// if the test failed.
func startCharterServe(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(registrytest.BuildBinary(t), "serve", "--data-dir", t.TempDir())
	return "http://" + registrytest.Serve(t, cmd, syscall.SIGTERM).Addr
}

// runClientProgram runs a client's own test program in dir with
// CHARTER_URL set to url and fails the test if it fails. Its output
// is always logged, so `go test -v` shows every client case.
func runClientProgram(t *testing.T, url, dir, name string, args ...string) {
	t.Helper()
	runClientProgramEnv(t, url, nil, dir, name, args...)
}

// runClientProgramEnv is runClientProgram with more environment variables.
func runClientProgramEnv(t *testing.T, url string, env []string, dir, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CHARTER_URL="+url, "PYTHONDONTWRITEBYTECODE=1"), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %v (in %s):\n%s", filepath.Base(name), args, dir, out)
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%s failed with exit code %d", filepath.Base(name), exit.ExitCode())
		}
		t.Fatalf("run %s: %v", name, err)
	}
}
