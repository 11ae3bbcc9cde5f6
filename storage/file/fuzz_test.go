package file

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

type decoded struct {
	off        int64
	key, value []byte
}

// seedFrames returns valid frames: one appended batch, one compacted frame
// with gaps and a tombstone, and an end marker.
func seedFrames() [][]byte {
	a := beginFrame(nil)
	a = appendRecord(a, 0, []byte(`{"k":1}`), []byte("v"))
	a = appendRecord(a, 0, []byte(`{"k":2}`), nil)
	a = appendRecord(a, 0, nil, []byte{})
	finishFrame(a, 0, 3)

	b := beginFrame(nil)
	b = appendRecord(b, 0, []byte("x"), bytes.Repeat([]byte("y"), 300))
	b = appendRecord(b, 1000, []byte("z"), nil)
	finishFrame(b, 7, 2)

	c := beginFrame(nil)
	finishFrame(c, 5000, 0)
	return [][]byte{a, b, c}
}

// FuzzWalkBody feeds arbitrary frame bodies to the record decoder: it must
// return an error or records that encode back to the same records, and never
// panic.
func FuzzWalkBody(f *testing.F) {
	for _, fr := range seedFrames() {
		f.Add(fr[frameHeaderSize:])
		f.Add(fr[frameHeaderSize : len(fr)-1])
	}
	f.Add([]byte{})
	f.Add(make([]byte, bodyHeaderSize))
	f.Fuzz(func(t *testing.T, body []byte) {
		var recs []decoded
		end, err := walkBody(body, 0, func(off int64, key, value []byte) error {
			recs = append(recs, decoded{off, key, value})
			return nil
		})
		if err != nil {
			if !errors.Is(err, errRecordEncoding) && !errors.Is(err, errOffsetOrder) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(recs) > 0 && end != recs[len(recs)-1].off+1 {
			t.Fatalf("end %d after last offset %d", end, recs[len(recs)-1].off)
		}
		// Re-encode and decode again.
		frame := beginFrame(nil)
		base := frameBase(append(make([]byte, frameHeaderSize), body...))
		prev := base - 1
		for _, r := range recs {
			frame = appendRecord(frame, uint64(r.off-prev-1), r.key, r.value)
			prev = r.off
		}
		finishFrame(frame, base, uint32(len(recs)))
		i := 0
		end2, err := walkBody(frame[frameHeaderSize:], 0, func(off int64, key, value []byte) error {
			r := recs[i]
			if off != r.off || !bytes.Equal(key, r.key) || !bytes.Equal(value, r.value) || (value == nil) != (r.value == nil) {
				t.Fatalf("record %d changed on re-encoding", i)
			}
			i++
			return nil
		})
		if err != nil || end2 != end || i != len(recs) {
			t.Fatalf("re-encoded frame: end %d vs %d, %d of %d records, %v", end2, end, i, len(recs), err)
		}
	})
}

// FuzzScan feeds arbitrary data files to the scanner that Open runs. It
// must not panic; if it accepts the file, every frame it accepted must read
// back through the frame reader.
func FuzzScan(f *testing.F) {
	var file []byte
	file = append(file, fileHeader()...)
	for _, fr := range seedFrames() {
		file = append(file, fr...)
	}
	f.Add(file)
	f.Add(file[:len(file)-3])
	f.Add(append(bytes.Clone(file), 0xC1, 0xFF, 0x4C, 0x47, 0, 0))
	damaged := bytes.Clone(file)
	damaged[fileHeaderSize+20] ^= 0xFF
	f.Add(damaged)
	f.Add(fileHeader())
	f.Add([]byte("CHARTLOG"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := scanLog(context.Background(), bytes.NewReader(data), int64(len(data)), "fuzz", nil)
		if err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a CorruptionError: %v", err)
			}
			if ce.Position < 0 || ce.Position > int64(len(data)) {
				t.Fatalf("position %d outside a file of %d bytes", ce.Position, len(data))
			}
			return
		}
		if res.size > int64(len(data)) || res.size < fileHeaderSize {
			t.Fatalf("intact size %d of a file of %d bytes", res.size, len(data))
		}
		fr := newFrameReader(4096)
		fr.reset(bytes.NewReader(data), fileHeaderSize, res.size)
		prevEnd := int64(0)
		for {
			frame, err := fr.next(nil)
			if err != nil {
				if fr.pos != res.size {
					t.Fatalf("frames end at %d, scan said %d: %v", fr.pos, res.size, err)
				}
				break
			}
			if prevEnd, err = walkBody(frame[frameHeaderSize:], prevEnd, nil); err != nil {
				t.Fatalf("accepted frame does not decode: %v", err)
			}
		}
		if prevEnd != res.end {
			t.Fatalf("end %d, scan said %d", prevEnd, res.end)
		}
	})
}
