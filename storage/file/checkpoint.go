package file

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Checkpoint is what the log has acknowledged, kept in records.checkpoint
// beside the data file. Open compares the data file with it: a file that
// ends below End lost acknowledged records, and Open refuses it (a
// *LostRecordsError) instead of serving less than was acknowledged.
//
// It is written as Kafka writes its recovery checkpoints: to a temporary
// file, fsync'd, renamed over the old one, and the directory fsync'd, so a
// crash leaves the old or the new checkpoint, never a mix. A background
// goroutine writes it after frames become durable, at most once per
// checkpoint interval (WithCheckpointInterval), coalescing the frames of
// many group commits into one write, so appends never wait for it. After a
// crash it may therefore lag the frames of the last interval (those are
// still checked as a torn tail is); Close writes the exact state.
type Checkpoint struct {
	// End is the offset after the last acknowledged record.
	End int64
	// Size is the data file's length in bytes when End was reached. It
	// shrinks when the log is compacted.
	Size int64
	// MaxID is the highest id, as the WithIDFunc function reads it, of any
	// record ever acknowledged: it does not go down when compaction or a
	// repair drops the record that carried it. Zero without WithIDFunc.
	MaxID int64
}

const (
	checkpointName    = "records.checkpoint"
	checkpointTmpName = "records.checkpoint.tmp"
	checkpointMagic   = "charter-log-checkpoint"
	checkpointVersion = 1
)

// encode renders the checkpoint as text an operator can read, with a
// checksum over everything before it.
func (c Checkpoint) encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\nend %d\nsize %d\nmaxid %d\n", checkpointMagic, checkpointVersion, c.End, c.Size, c.MaxID)
	fmt.Fprintf(&b, "crc32c %08x\n", checksum(b.Bytes()))
	return b.Bytes()
}

func decodeCheckpoint(b []byte) (Checkpoint, error) {
	i := bytes.LastIndex(b, []byte("crc32c "))
	if i < 0 {
		return Checkpoint{}, errors.New("no checksum line")
	}
	want, err := strconv.ParseUint(strings.TrimSpace(string(b[i+len("crc32c "):])), 16, 32)
	if err != nil {
		return Checkpoint{}, errors.New("malformed checksum line")
	}
	if checksum(b[:i]) != uint32(want) {
		return Checkpoint{}, errors.New("checksum mismatch")
	}
	lines := strings.Split(strings.TrimSuffix(string(b[:i]), "\n"), "\n")
	if len(lines) != 4 || lines[0] != fmt.Sprintf("%s %d", checkpointMagic, checkpointVersion) {
		return Checkpoint{}, errors.New("unknown format")
	}
	var c Checkpoint
	for j, f := range []struct {
		name string
		v    *int64
	}{{"end", &c.End}, {"size", &c.Size}, {"maxid", &c.MaxID}} {
		v, ok := strings.CutPrefix(lines[j+1], f.name+" ")
		if !ok {
			return Checkpoint{}, fmt.Errorf("line %d is not %q", j+2, f.name)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return Checkpoint{}, fmt.Errorf("bad %s %q", f.name, v)
		}
		*f.v = n
	}
	return c, nil
}

// readCheckpoint reads the checkpoint in dir. ok is false if there is none.
// A checkpoint that exists but cannot be read is a *CorruptionError.
func readCheckpoint(dir string) (c Checkpoint, ok bool, err error) {
	path := filepath.Join(dir, checkpointName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, err
	}
	c, err = decodeCheckpoint(b)
	if err != nil {
		return Checkpoint{}, false, &CorruptionError{Path: path, Err: err}
	}
	return c, true, nil
}

// writeCheckpoint replaces the checkpoint in dir: temporary file, fsync,
// rename, fsync of the directory.
func writeCheckpoint(dir string, c Checkpoint) error {
	tmp := filepath.Join(dir, checkpointTmpName)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(c.encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, checkpointName))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write checkpoint %s: %w", filepath.Join(dir, checkpointName), err)
	}
	return nil
}

// LostRecordsError reports a data file that holds less than its checkpoint
// says was acknowledged: it was truncated, damaged before the checkpoint,
// replaced by an older copy, or deleted. Open refuses to start on it, since
// serving it would forget acknowledged records and could hand their ids to
// other schemas. Restore the file from a backup, or accept the loss with
// Repair, which keeps the id floor.
type LostRecordsError struct {
	// Path is the data file.
	Path string
	// Missing is true when the data file does not exist at all.
	Missing bool
	// End is the offset after the last intact record of the data file.
	End int64
	// Size is the length of its intact frames in bytes.
	Size int64
	// Checkpoint is what was acknowledged.
	Checkpoint Checkpoint
	// Damage, if not nil, is what ended the intact frames before the
	// checkpoint (for example a frame cut short).
	Damage error
}

// Error implements error.
func (e *LostRecordsError) Error() string {
	lost := e.Checkpoint.End - e.End
	ids := ""
	if e.Checkpoint.MaxID > 0 {
		ids = fmt.Sprintf(", ids up to %d were allocated", e.Checkpoint.MaxID)
	}
	if e.Missing {
		return fmt.Sprintf("file: data file %s is missing, but its checkpoint says records at offsets 0 to %d were acknowledged (%d bytes%s); restore %s from a backup, or repair the log to start from an empty one that keeps the id floor",
			e.Path, e.Checkpoint.End-1, e.Checkpoint.Size, ids, filepath.Base(e.Path))
	}
	why := "the file ends there"
	if e.Damage != nil {
		why = fmt.Sprintf("damage at byte %d: %v", e.Size, e.Damage)
	}
	missing := fmt.Sprintf("%d acknowledged records at offsets %d to %d are missing", lost, e.End, e.Checkpoint.End-1)
	if lost == 1 {
		missing = fmt.Sprintf("1 acknowledged record at offset %d is missing", e.End)
	}
	return fmt.Sprintf("file: data file %s holds records up to offset %d (%d bytes), but its checkpoint says records up to offset %d were acknowledged (%d bytes%s): %s (%s); restore %s from a backup, or repair the log to drop them and keep the id floor",
		e.Path, e.End-1, e.Size, e.Checkpoint.End-1, e.Checkpoint.Size, ids, missing, why, filepath.Base(e.Path))
}

// Unwrap returns the damage, if any.
func (e *LostRecordsError) Unwrap() error { return e.Damage }

// kickCheckpoint tells the checkpointer that frames became durable or the
// file changed. It never blocks: one pending kick covers any number.
func (l *Log) kickCheckpoint() {
	select {
	case l.cpKick <- struct{}{}:
	default:
	}
}

// checkpoint is the checkpointer goroutine. Each round writes the state as
// it is when the round starts, so the frames of every group commit that
// finished meanwhile cost one checkpoint write together; rounds are at
// least the checkpoint interval apart, so that the checkpoint's two fsyncs
// do not compete with every group commit's.
func (l *Log) checkpoint() {
	defer close(l.cpDone)
	for {
		select {
		case <-l.cpKick:
		case <-l.cpStop:
			l.writeCheckpointNow()
			return
		}
		l.writeCheckpointNow()
		if l.cfg.checkpointInterval > 0 {
			t := time.NewTimer(l.cfg.checkpointInterval)
			select {
			case <-t.C:
			case <-l.cpStop:
				t.Stop()
				l.writeCheckpointNow()
				return
			}
		}
	}
}

// writeCheckpointNow writes the durable state if it differs from the
// checkpoint on disk. A failure is logged and retried on the next change:
// a stale checkpoint only narrows what Open can check.
func (l *Log) writeCheckpointNow() {
	l.mu.Lock()
	now := Checkpoint{End: l.end, Size: l.seg.size, MaxID: l.maxID}
	l.mu.Unlock()
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	if now == l.cp {
		return
	}
	if err := writeCheckpoint(l.dir, now); err != nil {
		l.cfg.logger.Warn("file: could not write the log checkpoint; will retry", slog.Any("error", err))
		return
	}
	l.cp = now
}

// Checkpoint returns the checkpoint last written to disk.
func (l *Log) Checkpoint() Checkpoint {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	return l.cp
}
