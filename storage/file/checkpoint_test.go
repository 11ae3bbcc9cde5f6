package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

// testID reads ids from values of the form "id=N" (and FLOOR records'
// "floor=N"), as registry.RecordID reads them from SCHEMA and ID_FLOOR
// records.
func testID(_, value []byte) (int64, bool) {
	for _, p := range []string{"id=", "floor="} {
		if v, ok := strings.CutPrefix(string(value), p); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func testFloor(maxID int64) storage.Record {
	return storage.Record{Key: []byte(`"floor"`), Value: []byte(fmt.Sprintf("floor=%d", maxID))}
}

// writeIDs appends n single-record batches with ids 1..n and closes the
// log, so the checkpoint holds all of them. It returns the file size after
// each append (sizes[0] is the size before the first).
func writeIDs(t *testing.T, dir string, n int) []int64 {
	t.Helper()
	l := open(t, dir, file.WithIDFunc(testID))
	sizes := []int64{fileSize(t, dataPath(dir))}
	for i := range n {
		mustAppend(t, l, rec(fmt.Sprintf(`{"k":%d}`, i), fmt.Sprintf("id=%d", i+1)))
		sizes = append(sizes, fileSize(t, dataPath(dir)))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return sizes
}

func checkpointPath(dir string) string { return filepath.Join(dir, "records.checkpoint") }

func TestCheckpointRecordsWhatWasAcknowledged(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 10)
	b, err := os.ReadFile(checkpointPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"end 10\n", fmt.Sprintf("size %d\n", fileSize(t, dataPath(dir))), "maxid 10\n", "crc32c "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("checkpoint %q lacks %q", b, want)
		}
	}
	l := open(t, dir, file.WithIDFunc(testID))
	if cp := l.Checkpoint(); cp.End != 10 || cp.MaxID != 10 || cp.Size != fileSize(t, dataPath(dir)) {
		t.Errorf("checkpoint after reopen = %+v", cp)
	}
	// A log written before checkpoints existed gets one on open, with the
	// ids read from its records.
	l.Close()
	if err := os.Remove(checkpointPath(dir)); err != nil {
		t.Fatal(err)
	}
	l = open(t, dir, file.WithIDFunc(testID))
	if cp := l.Checkpoint(); cp.End != 10 || cp.MaxID != 10 {
		t.Errorf("checkpoint rebuilt from the records = %+v", cp)
	}
	l.Close()
}

func TestCheckpointKeepsMaxIDThroughCompaction(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, file.WithIDFunc(testID), file.WithKeyFunc(jsonKey))
	mustAppend(t, l, rec(`{"k":"a"}`, "id=1"))
	mustAppend(t, l, rec(`{"k":"b"}`, "id=7"))
	mustAppend(t, l, storage.Record{Key: []byte(`{"k":"b"}`)}) // tombstone: compaction drops id 7
	if err := l.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = open(t, dir, file.WithIDFunc(testID))
	defer l.Close()
	if cp := l.Checkpoint(); cp.MaxID != 7 || cp.End != 3 {
		t.Errorf("checkpoint after compaction = %+v, want max id 7 and end 3", cp)
	}
	if cp := l.Checkpoint(); cp.Size != fileSize(t, dataPath(dir)) {
		t.Errorf("checkpoint size %d, file %d", cp.Size, fileSize(t, dataPath(dir)))
	}
}

func TestShortLogRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 60)
	full := fileSize(t, dataPath(dir))
	truncateTo(t, dataPath(dir), full/2)

	_, err := file.Open(context.Background(), dir, file.WithIDFunc(testID))
	var le *file.LostRecordsError
	if !errors.As(err, &le) {
		t.Fatalf("open of a half log: %v, want a LostRecordsError", err)
	}
	if le.Checkpoint.End != 60 || le.Checkpoint.MaxID != 60 || le.End >= 60 || le.End < 25 || le.Missing {
		t.Errorf("error = %+v", le)
	}
	msg := err.Error()
	for _, want := range []string{
		dataPath(dir),
		fmt.Sprintf("holds records up to offset %d", le.End-1),
		"records up to offset 59 were acknowledged",
		fmt.Sprintf("%d acknowledged records at offsets %d to 59 are missing", 60-le.End, le.End),
		"ids up to 60",
		"restore records.log from a backup",
		"repair",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if got := fileSize(t, dataPath(dir)); got != full/2 {
		t.Errorf("the refused open changed the file from %d to %d bytes", full/2, got)
	}
}

func TestMissingLogRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 3)
	if err := os.Remove(dataPath(dir)); err != nil {
		t.Fatal(err)
	}
	_, err := file.Open(context.Background(), dir)
	var le *file.LostRecordsError
	if !errors.As(err, &le) || !le.Missing || le.Checkpoint.End != 3 {
		t.Fatalf("open without records.log: %v, want a LostRecordsError for a missing file", err)
	}
	for _, want := range []string{"is missing", "offsets 0 to 2 were acknowledged", "ids up to 3", "restore records.log from a backup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if _, err := os.Stat(dataPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused open created records.log: %v", err)
	}
}

func TestCorruptCheckpointRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 3)
	flipByte(t, checkpointPath(dir), 30)
	_, err := file.Open(context.Background(), dir)
	var ce *file.CorruptionError
	if !errors.As(err, &ce) || ce.Path != checkpointPath(dir) {
		t.Fatalf("open with a damaged checkpoint: %v, want a CorruptionError naming it", err)
	}
}

func TestRepair(t *testing.T) {
	ctx := context.Background()
	const n = 60
	type want struct {
		// dropped is the offset range [from, to) of each dropped stretch.
		dropped [][2]int64
		// salvaged are the offsets of records decoded from dropped bytes.
		salvaged []int64
		kept     []int64
	}
	seq := func(from, to int64) []int64 {
		var s []int64
		for i := from; i < to; i++ {
			s = append(s, i)
		}
		return s
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string, sizes []int64) want
	}{
		{"truncated to half", func(t *testing.T, dir string, sizes []int64) want {
			// Inside the header of the 31st frame: 30..59 are gone.
			truncateTo(t, dataPath(dir), sizes[30]+10)
			return want{dropped: [][2]int64{{30, 60}}, kept: seq(0, 30)}
		}},
		{"truncated inside a frame body", func(t *testing.T, dir string, sizes []int64) want {
			truncateTo(t, dataPath(dir), sizes[31]-1)
			return want{dropped: [][2]int64{{30, 60}}, kept: seq(0, 30)}
		}},
		{"a damaged frame in the middle", func(t *testing.T, dir string, sizes []int64) want {
			// The body checksum of the 11th frame: its record is intact and
			// is salvaged for the report.
			flipByte(t, dataPath(dir), sizes[10]+9)
			return want{dropped: [][2]int64{{10, 11}}, salvaged: []int64{10}, kept: slices.Concat(seq(0, 10), seq(11, 60))}
		}},
		{"data file deleted", func(t *testing.T, dir string, sizes []int64) want {
			if err := os.Remove(dataPath(dir)); err != nil {
				t.Fatal(err)
			}
			return want{dropped: [][2]int64{{0, 60}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := tt.damage(t, dir, writeIDs(t, dir, n))

			rep, err := file.Repair(ctx, dir, testFloor, file.WithIDFunc(testID))
			if err != nil {
				t.Fatal(err)
			}
			var dropped [][2]int64
			var salvaged []int64
			for _, d := range rep.Dropped {
				dropped = append(dropped, [2]int64{d.FromOffset, d.ToOffset})
				if d.Reason == "" {
					t.Errorf("dropped stretch %+v has no reason", d)
				}
				for _, r := range d.Records {
					salvaged = append(salvaged, r.Offset)
					if want := fmt.Sprintf("id=%d", r.Offset+1); string(r.Value) != want {
						t.Errorf("salvaged record %d = %q, want %q", r.Offset, r.Value, want)
					}
				}
			}
			if !slices.Equal(dropped, w.dropped) || !slices.Equal(salvaged, w.salvaged) {
				t.Errorf("dropped %v (salvaged %v), want %v (salvaged %v)", dropped, salvaged, w.dropped, w.salvaged)
			}
			if rep.MaxID != n || rep.FloorOffset != n || rep.End != n+1 || rep.Kept != len(w.kept) {
				t.Errorf("report: max id %d, floor at %d, end %d, kept %d; want %d, %d, %d, %d",
					rep.MaxID, rep.FloorOffset, rep.End, rep.Kept, n, n, n+1, len(w.kept))
			}

			// The repaired log opens, keeps the intact records, carries the
			// floor above every old offset and id, and appends after it.
			l := open(t, dir, file.WithIDFunc(testID))
			defer l.Close()
			recs := collect(t, l, 0)
			var offs []int64
			for _, r := range recs[:len(recs)-1] {
				offs = append(offs, r.Offset)
			}
			if !slices.Equal(offs, w.kept) {
				t.Errorf("kept offsets %v, want %v", offs, w.kept)
			}
			if last := recs[len(recs)-1]; last.Offset != n || string(last.Value) != fmt.Sprintf("floor=%d", n) {
				t.Errorf("last record %d %q, want the floor at %d", last.Offset, last.Value, n)
			}
			if cp := l.Checkpoint(); cp.MaxID != n || cp.End != n+1 {
				t.Errorf("checkpoint after repair = %+v", cp)
			}
			if off := mustAppend(t, l, rec(`"new"`, "id=61")); off != n+1 {
				t.Errorf("append after repair at %d, want %d", off, n+1)
			}
		})
	}
}

func TestRepairOfAnIntactLogChangesNothing(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 5)
	before, _ := os.ReadFile(dataPath(dir))
	rep, err := file.Repair(context.Background(), dir, testFloor, file.WithIDFunc(testID))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Dropped) != 0 || rep.FloorOffset != -1 || rep.End != 5 || rep.Kept != 5 || rep.MaxID != 5 {
		t.Errorf("report %+v", rep)
	}
	after, _ := os.ReadFile(dataPath(dir))
	if !slices.Equal(before, after) {
		t.Error("repair rewrote an intact log")
	}
}

func TestRepairNeedsTheLock(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	defer l.Close()
	if _, err := file.Repair(context.Background(), dir, testFloor); !errors.Is(err, file.ErrLocked) {
		t.Errorf("repair of an open log: %v, want ErrLocked", err)
	}
}

func TestRepairReplacesADamagedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	writeIDs(t, dir, 4)
	flipByte(t, checkpointPath(dir), 30)
	rep, err := file.Repair(context.Background(), dir, testFloor, file.WithIDFunc(testID))
	if err != nil {
		t.Fatal(err)
	}
	if rep.CheckpointErr == nil || !rep.RewroteCheckpoint || len(rep.Dropped) != 0 || rep.MaxID != 4 {
		t.Errorf("report %+v", rep)
	}
	l := open(t, dir, file.WithIDFunc(testID))
	if cp := l.Checkpoint(); cp.End != 4 || cp.MaxID != 4 {
		t.Errorf("checkpoint after repair = %+v", cp)
	}
}

// TestRepairFloorsAppendsEveryFloorInOneBatch: RepairFloors sees every
// record through the IDFunc, salvaged ones too, and appends all the floors
// floors returns, in order, at the offsets above every old one.
func TestRepairFloorsAppendsEveryFloorInOneBatch(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	sizes := writeIDs(t, dir, n)
	truncateTo(t, dataPath(dir), sizes[15]+10) // 15..19 are gone
	seen := 0
	idFn := func(key, value []byte) (int64, bool) { seen++; return testID(key, value) }
	floors := func(maxID int64) []storage.Record {
		return []storage.Record{
			{Key: []byte(`"floor"`), Value: []byte(fmt.Sprintf("floor=%d", maxID))},
			{Key: []byte(`"floor.b"`), Value: []byte(fmt.Sprintf("floor=%d", maxID))},
		}
	}
	rep, err := file.RepairFloors(context.Background(), dir, floors, file.WithIDFunc(idFn))
	if err != nil {
		t.Fatal(err)
	}
	if seen != 15 {
		t.Errorf("the IDFunc saw %d records, want the 15 kept", seen)
	}
	if rep.MaxID != n || rep.FloorOffset != n || rep.End != n+2 || len(rep.Floors) != 2 || string(rep.Floor.Key) != `"floor"` {
		t.Errorf("report: max id %d, floors %d at %d (first %q), end %d; want %d, 2 at %d (\"floor\"), %d",
			rep.MaxID, len(rep.Floors), rep.FloorOffset, rep.Floor.Key, rep.End, n, n, n+2)
	}
	l := open(t, dir, file.WithIDFunc(testID))
	defer l.Close()
	recs := collect(t, l, 0)
	if len(recs) != 17 {
		t.Fatalf("%d records after repair, want 15 kept and 2 floors", len(recs))
	}
	for i, want := range []string{`"floor"`, `"floor.b"`} {
		if r := recs[15+i]; r.Offset != int64(n+i) || string(r.Key) != want || string(r.Value) != fmt.Sprintf("floor=%d", n) {
			t.Errorf("record %d = %d %s %q, want the floor %s at %d", 15+i, r.Offset, r.Key, r.Value, want, n+i)
		}
	}
	if off := mustAppend(t, l, rec(`"new"`, "id=21")); off != n+2 {
		t.Errorf("append after repair at %d, want %d", off, n+2)
	}
}
