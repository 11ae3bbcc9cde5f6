package file_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/charter-registry/charter/storage/file"
)

// lockHelperEnv makes the test binary, run as a child, try to open the
// directory it names and report the outcome on stdout.
const lockHelperEnv = "CHARTER_FILE_LOCK_HELPER_DIR"

func TestLockExcludesOtherProcess(t *testing.T) {
	if dir := os.Getenv(lockHelperEnv); dir != "" {
		l, err := file.Open(context.Background(), dir)
		switch {
		case errors.Is(err, file.ErrLocked):
			os.Stdout.WriteString("LOCKED: " + err.Error() + "\n")
		case err != nil:
			os.Stdout.WriteString("ERROR: " + err.Error() + "\n")
		default:
			l.Close()
			os.Stdout.WriteString("OPENED\n")
		}
		return
	}
	run := func(dir string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockExcludesOtherProcess$")
		cmd.Env = append(os.Environ(), lockHelperEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper process: %v\n%s", err, out)
		}
		return string(out)
	}

	dir := t.TempDir()
	l := open(t, dir)
	if out := run(dir); !strings.Contains(out, "LOCKED: ") || !strings.Contains(out, dir) {
		t.Errorf("other process opened a locked log or did not name the directory: %q", out)
	}
	l.Close()
	if out := run(dir); !strings.Contains(out, "OPENED") {
		t.Errorf("other process could not open the log after close: %q", out)
	}
}
