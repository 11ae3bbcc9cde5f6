package file

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/charter-registry/charter/storage"
)

// RepairReport says what Repair found and dropped.
type RepairReport struct {
	// Path is the data file.
	Path string
	// Checkpoint is the checkpoint Repair found; HadCheckpoint is false if
	// there was none, and CheckpointErr says why one could not be read (it
	// is then ignored, and MaxID comes from the records alone).
	Checkpoint    Checkpoint
	HadCheckpoint bool
	CheckpointErr error
	// Missing is true when the data file did not exist.
	Missing bool
	// RewroteCheckpoint is true when the log needed no repair but its
	// unreadable checkpoint was replaced by one that describes it.
	RewroteCheckpoint bool
	// Dropped lists every damaged or missing stretch of the log, in order.
	// Empty when nothing needed repair; Repair then changes nothing.
	Dropped []Dropped
	// Kept is how many records the repaired log still holds.
	Kept int
	// MaxID is the id floor the repaired log keeps: the highest id of the
	// checkpoint, of the kept records and of every dropped record Repair
	// could still decode.
	MaxID int64
	// Floor is the record Repair appended to keep MaxID reserved, at offset
	// FloorOffset; FloorOffset is -1 if none was written. Floors are all
	// the records RepairFloors appended, Floor first, at FloorOffset and
	// the offsets after it.
	Floor       storage.Record
	Floors      []storage.Record
	FloorOffset int64
	// End is the offset the next appended record gets.
	End int64
}

// Dropped is one stretch of the log that Repair removed: the byte range
// [FromByte, ToByte) of the data file (empty when the bytes were already
// gone) and the offsets [FromOffset, ToOffset) that no longer exist.
type Dropped struct {
	FromByte, ToByte     int64
	FromOffset, ToOffset int64
	// Reason says what was wrong.
	Reason string
	// Records are the records Repair could still decode from the dropped
	// bytes (a frame cut short or failing its checksum may still hold
	// whole records). Their content is not verified. Offsets in the range
	// that are not here are lost without a trace.
	Records []storage.Record
}

// Repair makes the log in dir openable again after damage that Open
// refuses: it cuts out every damaged frame and keeps every intact one,
// accepts a data file shorter than its checkpoint or missing, and reports
// exactly what was dropped. So that no id a dropped record carried is ever
// allocated again, it appends floor(MaxID) (when floor is not nil and
// anything was dropped) at an offset above every offset the log ever had,
// and writes a new checkpoint. The repaired file is written aside, fsync'd
// and renamed into place, so a crash during Repair leaves the damaged log
// as it was.
//
// It takes the directory's lock (ErrLocked while a server has it open).
// Pass the options the log is opened with; WithIDFunc is what lets Repair
// find ids in records.
func Repair(ctx context.Context, dir string, floor func(maxID int64) storage.Record, opts ...Opt) (*RepairReport, error) {
	var floors func(int64) []storage.Record
	if floor != nil {
		floors = func(maxID int64) []storage.Record { return []storage.Record{floor(maxID)} }
	}
	return RepairFloors(ctx, dir, floors, opts...)
}

// RepairFloors is Repair for ids kept in several spaces (a registry's
// contexts): floors returns the records that keep every id up to maxID
// reserved in each space, appended as one batch in their order. Which
// spaces the log holds, floors learns from the WithIDFunc function, which
// Repair calls on every record it reads, kept or salvaged.
func RepairFloors(ctx context.Context, dir string, floors func(maxID int64) []storage.Record, opts ...Opt) (*RepairReport, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	lock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		return nil, fmt.Errorf("file: repair log %s: %w", dir, err)
	}
	defer unlockDir(lock)
	rep, err := repair(ctx, dir, cfg, floors)
	if err != nil {
		return nil, fmt.Errorf("file: repair log %s: %w", dir, err)
	}
	return rep, nil
}

// keptFrame is the byte range of an intact frame Repair keeps.
type keptFrame struct{ pos, size int64 }

func repair(ctx context.Context, dir string, cfg config, floors func(int64) []storage.Record) (*RepairReport, error) {
	path := filepath.Join(dir, dataName)
	rep := &RepairReport{Path: path, FloorOffset: -1}
	cp, ok, err := readCheckpoint(dir)
	var ce *CorruptionError
	switch {
	case errors.As(err, &ce):
		rep.CheckpointErr = err
	case err != nil:
		return nil, err
	case ok:
		rep.Checkpoint, rep.HadCheckpoint = cp, true
	}
	rep.MaxID = rep.Checkpoint.MaxID
	noteID := func(key, value []byte) {
		if cfg.idFn == nil {
			return
		}
		if id, ok := cfg.idFn(key, value); ok {
			rep.MaxID = max(rep.MaxID, id)
		}
	}

	var kept []keptFrame
	var end int64 // offset after the last kept record
	var f *os.File
	var size int64
	f, err = os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.Missing = true
		if rep.Checkpoint.End > 0 {
			rep.Dropped = append(rep.Dropped, Dropped{ToOffset: rep.Checkpoint.End, Reason: "the data file is missing"})
		}
	case err != nil:
		return nil, err
	default:
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		size = st.Size()
		kept, end, err = scanForRepair(ctx, f, size, rep, noteID)
		if err != nil {
			return nil, err
		}
	}
	if cpEnd := rep.Checkpoint.End; end < cpEnd {
		// Offsets the checkpoint acknowledged that no kept frame holds.
		if n := len(rep.Dropped); n > 0 && rep.Dropped[n-1].ToByte == size && rep.Dropped[n-1].ToOffset <= cpEnd && !rep.Missing {
			rep.Dropped[n-1].ToOffset = cpEnd
		} else if !rep.Missing {
			rep.Dropped = append(rep.Dropped, Dropped{FromByte: size, ToByte: size, FromOffset: end, ToOffset: cpEnd, Reason: "the data file ends before its checkpoint"})
		}
	}
	if len(rep.Dropped) == 0 {
		rep.End = end
		if rep.CheckpointErr != nil {
			// The log is whole but its checkpoint is not: Open would
			// refuse it, so write one that describes the log.
			if err := writeCheckpoint(dir, Checkpoint{End: end, Size: size, MaxID: rep.MaxID}); err != nil {
				return nil, err
			}
			rep.RewroteCheckpoint = true
		}
		return rep, nil
	}

	// Rewrite: header, the kept frames unchanged, the floor.
	newEnd := end
	for _, d := range rep.Dropped {
		newEnd = max(newEnd, d.ToOffset)
	}
	newEnd = max(newEnd, rep.Checkpoint.End)
	tmpPath := filepath.Join(dir, newName)
	tmp, err := os.OpenFile(tmpPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	ok = false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpPath)
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	pos := int64(0)
	put := func(b []byte) error {
		n, err := w.Write(b)
		pos += int64(n)
		return err
	}
	if err := put(fileHeader()); err != nil {
		return nil, err
	}
	for _, k := range kept {
		n, err := io.Copy(w, io.NewSectionReader(f, k.pos, k.size))
		pos += n
		if err != nil {
			return nil, err
		}
	}
	count := 0
	if floors != nil {
		rep.Floors = floors(rep.MaxID)
	}
	if len(rep.Floors) > 0 {
		rep.Floor = rep.Floors[0]
		rep.FloorOffset = newEnd
		frame := beginFrame(nil)
		for _, r := range rep.Floors {
			frame = appendRecord(frame, 0, r.Key, r.Value)
		}
		count = len(rep.Floors)
		finishFrame(frame, newEnd, uint32(count))
		if err := put(frame); err != nil {
			return nil, err
		}
	} else {
		// A frame without records keeps the end above every offset the
		// log had, so no offset is handed out twice.
		frame := beginFrame(nil)
		finishFrame(frame, newEnd, 0)
		if err := put(frame); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return nil, err
	}
	ok = true
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	rep.End = newEnd + int64(count)
	if err := writeCheckpoint(dir, Checkpoint{End: rep.End, Size: pos, MaxID: rep.MaxID}); err != nil {
		return nil, err
	}
	return rep, nil
}

// scanForRepair walks the data file, keeping intact frames and recording
// every damaged stretch in rep.Dropped. It returns the kept frames and the
// offset after the last kept record.
func scanForRepair(ctx context.Context, f *os.File, size int64, rep *RepairReport, noteID func(key, value []byte)) ([]keptFrame, int64, error) {
	hdr := make([]byte, fileHeaderSize)
	if _, err := f.ReadAt(hdr, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, err
	}
	start := int64(fileHeaderSize)
	if err := checkFileHeader(hdr); err != nil {
		// Look for the first intact frame after whatever the header is.
		q, found, ferr := findFrame(ctx, f, 0, size)
		if ferr != nil {
			return nil, 0, ferr
		}
		to := size
		if found {
			to = q
		}
		rep.Dropped = append(rep.Dropped, Dropped{FromByte: 0, ToByte: to, Reason: err.Error()})
		if !found {
			return nil, 0, nil
		}
		start = q
	}
	var kept []keptFrame
	var end int64
	fr := newFrameReader(1 << 20)
	fr.reset(f, start, size)
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		pos := fr.pos
		frame, err := fr.next(nil)
		if err == io.EOF {
			return kept, end, nil
		}
		if err != nil {
			if !isFormatError(err) {
				return nil, 0, err
			}
			q, found, ferr := findFrame(ctx, f, pos+1, size)
			if ferr != nil {
				return nil, 0, ferr
			}
			to := size
			if found {
				to = q
			}
			d := Dropped{FromByte: pos, ToByte: to, FromOffset: end, ToOffset: end, Reason: err.Error()}
			if d.Records, err = salvageAt(f, pos, to, end); err != nil {
				return nil, 0, err
			}
			for _, r := range d.Records {
				noteID(r.Key, r.Value)
				d.ToOffset = max(d.ToOffset, r.Offset+1)
			}
			if found {
				// The next intact frame says where the lost offsets end.
				var b [frameHeaderSize + bodyHeaderSize]byte
				if _, err := f.ReadAt(b[:], q); err == nil {
					d.ToOffset = max(d.ToOffset, frameBase(b[:]))
				}
			}
			rep.Dropped = append(rep.Dropped, d)
			if !found {
				return kept, end, nil
			}
			fr.reset(f, q, size)
			continue
		}
		var recs []storage.Record
		e, err := walkBody(frame[frameHeaderSize:], end, func(off int64, key, value []byte) error {
			recs = append(recs, storage.Record{Offset: off, Key: key, Value: value})
			return nil
		})
		if err != nil {
			// Checksum right but content wrong, or offsets out of order.
			d := Dropped{FromByte: pos, ToByte: fr.pos, FromOffset: end, ToOffset: end, Reason: err.Error()}
			d.Records = salvage(frame, end)
			for _, r := range d.Records {
				noteID(r.Key, r.Value)
				if r.Offset >= end {
					d.ToOffset = max(d.ToOffset, r.Offset+1)
				}
			}
			rep.Dropped = append(rep.Dropped, d)
			continue
		}
		for _, r := range recs {
			noteID(r.Key, r.Value)
		}
		rep.Kept += len(recs)
		kept = append(kept, keptFrame{pos: pos, size: fr.pos - pos})
		end = e
	}
}

// salvageAt reads the damaged bytes [pos, to) of f and salvages what
// records it can; it reads no more than the frame header at pos claims.
func salvageAt(f *os.File, pos, to, from int64) ([]storage.Record, error) {
	var h [frameHeaderSize]byte
	if to-pos < frameHeaderSize+bodyHeaderSize {
		return nil, nil
	}
	if _, err := f.ReadAt(h[:], pos); err != nil {
		return nil, err
	}
	if binary.BigEndian.Uint32(h[0:4]) != frameMagic {
		return nil, nil
	}
	n := min(to-pos, frameHeaderSize+int64(min(binary.BigEndian.Uint32(h[4:8]), maxFrameBody)))
	raw := make([]byte, n)
	if _, err := f.ReadAt(raw, pos); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return salvage(raw, from), nil
}

// salvage decodes what it can of the records of a damaged frame starting
// at b[0], without trusting its checksums: a frame cut short or with a
// flipped byte usually still holds whole records. Records at offsets below
// from are ignored; they cannot be in the log's order. The records it
// returns own their bytes.
func salvage(b []byte, from int64) []storage.Record {
	if len(b) < frameHeaderSize+bodyHeaderSize || binary.BigEndian.Uint32(b[0:4]) != frameMagic {
		return nil
	}
	body := b[frameHeaderSize:]
	if n := int(binary.BigEndian.Uint32(b[4:8])); n >= bodyHeaderSize && n < len(body) {
		body = body[:n]
	}
	base := int64(binary.BigEndian.Uint64(body[0:8]))
	count := binary.BigEndian.Uint32(body[8:12])
	if base < 0 {
		return nil
	}
	var out []storage.Record
	p := bodyHeaderSize
	prev := base - 1
	for i := uint32(0); i < count && p < len(body); i++ {
		gap, n := binary.Uvarint(body[p:])
		if n <= 0 || gap > 1<<40 {
			break
		}
		p += n
		off := prev + 1 + int64(gap)
		klen, n := binary.Uvarint(body[p:])
		if n <= 0 || klen > uint64(len(body)-p-n) {
			break
		}
		p += n
		key := body[p : p+int(klen)]
		p += int(klen)
		vlen, n := binary.Uvarint(body[p:])
		if n <= 0 {
			break
		}
		p += n
		var value []byte
		if vlen > 0 {
			vlen--
			if vlen > uint64(len(body)-p) {
				break
			}
			value = append([]byte{}, body[p:p+int(vlen)]...)
			p += int(vlen)
		}
		if off >= from {
			out = append(out, storage.Record{Offset: off, Key: append([]byte{}, key...), Value: value})
		}
		prev = off
	}
	return out
}
