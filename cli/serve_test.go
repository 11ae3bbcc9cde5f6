package cli_test

import (
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

func startServer(t *testing.T, bin, dir string) *registrytest.Process {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	// Configuration comes from the environment, as in a container.
	cmd.Env = registrytest.Environ("CHARTER_DATA_DIR=" + dir)
	return registrytest.Serve(t, cmd, os.Kill)
}

// TestSIGTERMFinishesInFlightWrites starts the real binary, keeps writers
// busy, sends SIGTERM, and checks that every write that was acknowledged is
// on disk after a restart and that the process exited cleanly.
func TestSIGTERMFinishesInFlightWrites(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	dir := t.TempDir()
	srv := startServer(t, bin, dir)
	addr := srv.Addr

	var mu sync.Mutex
	acked := map[string]int{}
	flowing := make(chan struct{}) // closed at the 50th acknowledgment
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
					if len(acked) == 50 {
						close(flowing)
					}
					mu.Unlock()
				}
			}
		}()
	}
	// SIGTERM once writes are flowing: some acknowledged, more in flight.
	select {
	case <-flowing:
	case <-time.After(2 * time.Minute):
		t.Fatal("fewer than 50 writes were acknowledged in two minutes")
	}
	if err := srv.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Launch's goroutine reaps the process; its state is read after.
	<-srv.Exited()
	state := srv.Cmd.ProcessState
	cancel()
	wg.Wait()
	if state == nil || !state.Success() {
		t.Fatalf("server did not exit cleanly on SIGTERM: %v", state)
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before SIGTERM")
	}

	addr2 := startServer(t, bin, dir).Addr
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

// --advertised-url names this instance to the others on one Kafka topic:
// without Kafka there are no others, and serve refuses it as it refuses
// --changes-topic.
func TestServeAdvertisedURLNeedsKafka(t *testing.T) {
	t.Setenv("CHARTER_KAFKA_BROKERS", "")
	r := charterRun(t, "serve", "--addr", "127.0.0.1:0", "--advertised-url", "http://127.0.0.1:0")
	if r.code == 0 || errString(r.err) != "--advertised-url needs Kafka: give --kafka-brokers" {
		t.Fatalf("serve --advertised-url without Kafka:\n%s", r)
	}
}
