package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/file"
)

// openFileLog opens dir's file log as charter serve does.
func openFileLog(t *testing.T, dir string) *file.Log {
	t.Helper()
	l, err := file.Open(context.Background(), dir, file.WithKeyFunc(registry.LogicalKey), file.WithIDFunc(registry.RecordID))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRepairKeepsTheIDsOfEveryContext: ids are counted per context, so a
// repair that drops a context's newest schema must floor that context's
// ids too, not only the default context's: the next schema registered in
// it gets an id no dropped schema had.
func TestRepairKeepsTheIDsOfEveryContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	enum := func(name string) registry.RegisterRequest {
		return registry.RegisterRequest{Schema: fmt.Sprintf(`{"type":"enum","name":"%s","symbols":["A"]}`, name)}
	}
	l := openFileLog(t, dir)
	svc, _, stop := registrytest.RunStoppable(t, registrytest.WithLog(l))
	register := func(svc *registry.Service, subject, name string) int {
		t.Helper()
		out, err := svc.Register(context.Background(), subject, enum(name))
		if err != nil {
			t.Fatalf("register %s: %v", subject, err)
		}
		return out.ID
	}
	register(svc, "a-value", "A")
	register(svc, ":.staging:b-value", "B")
	kept, err := os.Stat(filepath.Join(dir, "records.log"))
	if err != nil {
		t.Fatal(err)
	}
	// Lost: the default context's ids 2 and 3, .staging's 2 and 3.
	register(svc, ":.staging:c-value", "C")
	register(svc, "d-value", "D")
	register(svc, ":.staging:e-value", "E")
	if got := register(svc, "f-value", "F"); got != 3 {
		t.Fatalf("f-value got id %d, want 3", got)
	}
	stop()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "records.log"), kept.Size()+10); err != nil {
		t.Fatal(err)
	}

	r := charterRun(t, "repair", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("charter repair: %s", r)
	}
	// The six registrations wrote offsets 0 to 12 (the checkpoint's
	// end): the floors come after them.
	for _, want := range []string{
		"highest id 3",
		"kept the id floor: ID_FLOOR maxId 3 at offset 13; new schemas get ids above 3\n",
		`kept the id floor: ID_FLOOR context ".staging" maxId 3 at offset 14; new schemas get ids above 3` + "\n",
		"the log now ends at offset 15\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("repair report lacks %q:\n%s", want, r.stdout)
		}
	}

	l = openFileLog(t, dir)
	defer l.Close()
	svc, _, stop = registrytest.RunStoppable(t, registrytest.WithLog(l))
	defer stop()
	if got := register(svc, ":.staging:c-value", "C2"); got <= 3 {
		t.Errorf(":.staging:c-value after repair got id %d, which a dropped schema of .staging may have had; want one above 3", got)
	}
	if got := register(svc, "d-value", "D2"); got <= 3 {
		t.Errorf("d-value after repair got id %d; want one above 3", got)
	}
	if sc, err := svc.SchemaByIDIn(".staging", 1); err != nil || !strings.Contains(sc.Schema, `"B"`) {
		t.Errorf(".staging id 1 after repair: %+v, %v; want the kept B", sc, err)
	}
}
