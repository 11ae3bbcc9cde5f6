package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/registrytest"
)

func startServer(t *testing.T, bin, addr, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	// Configuration comes from the environment, as in a container.
	cmd.Env = append(os.Environ(), "CHARTER_ADDR="+addr, "CHARTER_DATA_DIR="+dir, "CHARTER_LOG_LEVEL=warn")
	runServer(t, cmd, addr, os.Kill)
	return cmd
}

// runServer starts cmd, a `charter serve` listening on addr, and waits
// until it answers /readyz with 200. When the test ends it sends stop to
// the process, waits for it and, if the test failed, logs its stderr.
func runServer(t *testing.T, cmd *exec.Cmd, addr string, stop os.Signal) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(stop)
		_, _ = cmd.Process.Wait()
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server on %s never became ready", addr)
}

// TestSIGTERMFinishesInFlightWrites starts the real binary, keeps writers
// busy, sends SIGTERM, and checks that every write that was acknowledged is
// on disk after a restart and that the process exited cleanly.
func TestSIGTERMFinishesInFlightWrites(t *testing.T) {
	bin := registrytest.BuildBinary(t)
	dir := t.TempDir()
	addr := registrytest.FreeAddr(t)
	cmd := startServer(t, bin, addr, dir)

	var mu sync.Mutex
	acked := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && i < 2000; i++ {
				subject := fmt.Sprintf("w%d-s%d", w, i)
				body := fmt.Sprintf(`{"schema":"{\"type\":\"enum\",\"name\":\"E%d_%d\",\"symbols\":[\"A\"]}"}`, w, i)
				res, err := http.Post("http://"+addr+"/subjects/"+subject+"/versions", "application/json", strings.NewReader(body))
				if err != nil {
					return
				}
				var out struct{ ID int }
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode == 200 {
					mu.Lock()
					acked[subject] = out.ID
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	state, err := cmd.Process.Wait()
	cancel()
	wg.Wait()
	if err != nil || !state.Success() {
		t.Fatalf("server did not exit cleanly on SIGTERM: %v %v", state, err)
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before SIGTERM")
	}

	addr2 := registrytest.FreeAddr(t)
	startServer(t, bin, addr2, dir)
	for subject, id := range acked {
		res, err := http.Get("http://" + addr2 + "/subjects/" + subject + "/versions/1")
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ ID int }
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != 200 || out.ID != id {
			t.Fatalf("acknowledged %s (id %d) after restart: status %d id %d", subject, id, res.StatusCode, out.ID)
		}
	}
	t.Logf("%d acknowledged writes survived SIGTERM and restart", len(acked))
}
