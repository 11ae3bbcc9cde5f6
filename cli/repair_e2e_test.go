package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/registrytest"
)

// register posts an Avro enum schema to subject and returns the status and
// the id.
func registerEnum(t *testing.T, addr, subject, name string) (int, int) {
	t.Helper()
	body := fmt.Sprintf(`{"schema":"{\"type\":\"enum\",\"name\":\"%s\",\"symbols\":[\"A\"]}"}`, name)
	res, err := http.Post("http://"+addr+"/subjects/"+subject+"/versions", "application/vnd.schemaregistry.v1+json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ ID int }
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.ID
}

// serveRefused runs `charter serve` on dir and expects it to exit with an
// error without ever serving; it returns its stderr.
func serveRefused(t *testing.T, bin, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = registrytest.Environ("CHARTER_ADDR=127.0.0.1:0", "CHARTER_DATA_DIR="+dir, "CHARTER_LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("serve on a damaged log: %v (context %v), want a refusal; output:\n%s", err, ctx.Err(), out)
	}
	return string(out)
}

func stopServer(t *testing.T, srv *registrytest.Process) {
	t.Helper()
	if err := srv.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Launch's goroutine reaps the process; its state is read after.
	<-srv.Exited()
	if state := srv.Cmd.ProcessState; state == nil || !state.Success() {
		t.Fatalf("server did not exit cleanly: %v", state)
	}
}

// TestTruncatedLogRefusesThenRepairKeepsIDs is the operator's story from
// outside the process: 60 acknowledged schemas, records.log cut to half,
// serve refuses and says why, charter repair reports what was dropped, and
// the next registration gets a fresh id above every old one.
func TestTruncatedLogRefusesThenRepairKeepsIDs(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	const n = 60
	bin := registrytest.BuildBinary(t)
	dir := t.TempDir()
	cmd := startServer(t, bin, dir)
	addr := cmd.Addr
	maxID := 0
	for i := range n {
		status, id := registerEnum(t, addr, fmt.Sprintf("s%d", i), fmt.Sprintf("E%d", i))
		if status != 200 {
			t.Fatalf("register s%d: status %d", i, status)
		}
		maxID = max(maxID, id)
	}
	stopServer(t, cmd)

	data := filepath.Join(dir, "records.log")
	st, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(data, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	out := serveRefused(t, bin, dir)
	for _, want := range []string{"acknowledged records at offsets", "are missing", fmt.Sprintf("ids up to %d", maxID), "restore records.log from a backup", "charter repair --data-dir " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("refusal does not say %q:\n%s", want, out)
		}
	}
	if st2, _ := os.Stat(data); st2.Size() != st.Size()/2 {
		t.Errorf("the refused start changed records.log from %d to %d bytes", st.Size()/2, st2.Size())
	}

	// Each registration writes two records (the schema and its audit
	// entry); the refusal names the last acknowledged offset.
	m := regexp.MustCompile(`records up to offset (\d+) were acknowledged`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("refusal does not name the last acknowledged offset:\n%s", out)
	}
	last, _ := strconv.Atoi(m[1])

	repair := exec.Command(bin, "repair", "--data-dir", dir)
	repair.Env = registrytest.Environ()
	rep, err := repair.CombinedOutput()
	if err != nil {
		t.Fatalf("charter repair: %v\n%s", err, rep)
	}
	t.Logf("charter repair said:\n%s", rep)
	for _, want := range []string{
		fmt.Sprintf("checkpoint: records up to offset %d acknowledged, highest id %d", last, maxID),
		"dropped offsets ",
		fmt.Sprintf("to %d (", last),
		fmt.Sprintf(`ID_FLOOR maxId %d at offset %d; new schemas get ids above %d`, maxID, last+1, maxID),
	} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("repair report lacks %q", want)
		}
	}

	addr2 := startServer(t, bin, dir).Addr
	status, id := registerEnum(t, addr2, "after-repair", "Fresh")
	if status != 200 || id <= maxID {
		t.Errorf("registration after repair: status %d id %d, want a fresh id above %d", status, id, maxID)
	}
	res, err := http.Get("http://" + addr2 + "/subjects/s0/versions/1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("s0, which the repair kept: status %d", res.StatusCode)
	}
	// A lost schema's subject is gone; registering it again gets a new id.
	status, id2 := registerEnum(t, addr2, fmt.Sprintf("s%d", n-1), fmt.Sprintf("E%d", n-1))
	if status != 200 || id2 <= maxID || id2 == id {
		t.Errorf("re-registering a lost schema: status %d id %d, want a fresh id above %d", status, id2, maxID)
	}
}

// TestDeletedLogRefusesToStart: a records.log deleted while its checkpoint
// remains does not start as an empty registry.
func TestDeletedLogRefusesToStart(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	dir := t.TempDir()
	cmd := startServer(t, bin, dir)
	addr := cmd.Addr
	for i := range 3 {
		if status, _ := registerEnum(t, addr, fmt.Sprintf("s%d", i), fmt.Sprintf("E%d", i)); status != 200 {
			t.Fatalf("register: status %d", status)
		}
	}
	stopServer(t, cmd)
	if err := os.Remove(filepath.Join(dir, "records.log")); err != nil {
		t.Fatal(err)
	}
	out := serveRefused(t, bin, dir)
	for _, want := range []string{"records.log is missing", "were acknowledged", "ids up to 3", "charter repair --data-dir " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("refusal does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "records.log")); !os.IsNotExist(err) {
		t.Errorf("the refused start created records.log: %v", err)
	}
}
