package file_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

// crashHelperEnv makes the test binary, run as a child, append to the log
// in the directory it names until it is killed, printing every
// acknowledged record.
const crashHelperEnv = "CHARTER_FILE_CRASH_HELPER_DIR"

// TestKilledWriterLosesNoAcknowledgedRecord kills a process that is
// appending from several goroutines and checks that every record it saw
// acknowledged is in the log, at its offset, after reopening.
func TestKilledWriterLosesNoAcknowledgedRecord(t *testing.T) {
	if dir := os.Getenv(crashHelperEnv); dir != "" {
		crashHelper(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process; skipped under -short")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLosesNoAcknowledgedRecord$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "ACK" {
			continue
		}
		off, _ := strconv.ParseInt(f[1], 10, 64)
		acked[off] = f[2]
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("helper acknowledged only %d records", len(acked))
	}

	l := open(t, dir)
	end, err := l.End(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, r := range collect(t, l, 0) {
		got[r.Offset] = string(r.Value)
	}
	if int64(len(got)) != end {
		t.Errorf("log has %d records below end %d: not gap-free", len(got), end)
	}
	for off, v := range acked {
		if got[off] != v {
			t.Fatalf("acknowledged record %d = %q, log has %q", off, v, got[off])
		}
	}
}

func crashHelper(dir string) {
	l, err := file.Open(context.Background(), dir)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				v := fmt.Sprintf("w%d-%d", w, i)
				off, err := l.Append(context.Background(), storage.Record{Key: []byte(v), Value: []byte(v)})
				if err != nil {
					fmt.Println("ERROR", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Println("ACK", off, v)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
