package file

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"sort"
)

// frameReader reads whole, checksum-verified frames from a byte range of a
// file through a buffer.
type frameReader struct {
	br  *bufio.Reader
	pos int64 // file position of the next frame
	end int64 // the range ends here
	hdr [frameHeaderSize]byte
}

func newFrameReader(bufSize int) *frameReader {
	return &frameReader{br: bufio.NewReaderSize(nil, bufSize)}
}

// reset points the reader at the frames in [pos, end) of r.
func (fr *frameReader) reset(r io.ReaderAt, pos, end int64) {
	fr.br.Reset(io.NewSectionReader(r, pos, end-pos))
	fr.pos, fr.end = pos, end
}

// next returns the next frame, header included. It reuses buf when it is
// large enough and allocates otherwise; pass nil to get a frame that nothing
// else will overwrite. It returns io.EOF exactly at the end of the range, an
// error wrapping one of the format errors (see isFormatError) for a damaged
// or partial frame, and other errors for failed reads. On error the position
// does not move.
func (fr *frameReader) next(buf []byte) ([]byte, error) {
	if fr.pos >= fr.end {
		return nil, io.EOF
	}
	if fr.end-fr.pos < frameHeaderSize {
		return nil, errShortFrame
	}
	if _, err := io.ReadFull(fr.br, fr.hdr[:]); err != nil {
		return nil, readErr(err)
	}
	n, crc, err := parseFrameHeader(fr.hdr[:])
	if err != nil {
		return nil, err
	}
	size := frameHeaderSize + n
	if int64(size) > fr.end-fr.pos {
		return nil, errShortFrame
	}
	var frame []byte
	if cap(buf) >= size {
		frame = buf[:size]
	} else {
		frame = make([]byte, size)
	}
	copy(frame, fr.hdr[:])
	if _, err := io.ReadFull(fr.br, frame[frameHeaderSize:]); err != nil {
		return nil, readErr(err)
	}
	if checksum(frame[frameHeaderSize:]) != crc {
		return nil, errBodyCRC
	}
	fr.pos += int64(size)
	return frame, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errShortFrame
	}
	return err
}

// isFormatError reports whether err says that the bytes at a position are
// not an intact frame (as opposed to a failed read).
func isFormatError(err error) bool {
	for _, e := range []error{errShortFrame, errFrameMagic, errHeaderCRC, errFrameLength, errBodyCRC} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// frameBase returns the base offset of a verified frame.
func frameBase(frame []byte) int64 {
	return int64(binary.BigEndian.Uint64(frame[frameHeaderSize:]))
}

// findFrame looks for an intact frame starting anywhere in [from, size) of r
// and returns its position. Open uses it to tell a torn tail (nothing intact
// after the damage) from corruption inside the log.
func findFrame(ctx context.Context, r io.ReaderAt, from, size int64) (int64, bool, error) {
	magic := binary.BigEndian.AppendUint32(nil, frameMagic)
	buf := make([]byte, 1<<20)
	copyBuf := make([]byte, 64<<10)
	for start := from; size-start >= frameHeaderSize; {
		if err := ctx.Err(); err != nil {
			return 0, false, err
		}
		n := int(min(int64(len(buf)), size-start))
		if _, err := r.ReadAt(buf[:n], start); err != nil && !errors.Is(err, io.EOF) {
			return 0, false, err
		}
		last := n - frameHeaderSize // last position in buf with a whole header
		for i := 0; i <= last; {
			j := bytes.Index(buf[i:last+len(magic)], magic)
			if j < 0 {
				break
			}
			i += j
			q := start + int64(i)
			if ok, err := intactAt(r, q, size, buf[i:i+frameHeaderSize], copyBuf); err != nil {
				return 0, false, err
			} else if ok {
				return q, true, nil
			}
			i++
		}
		// Positions after last are looked at again, with their whole
		// header, in the next window.
		start += int64(last + 1)
	}
	return 0, false, nil
}

// intactAt reports whether an intact frame with header hdr starts at q.
func intactAt(r io.ReaderAt, q, size int64, hdr, copyBuf []byte) (bool, error) {
	n, crc, err := parseFrameHeader(hdr)
	if err != nil || q+frameHeaderSize+int64(n) > size {
		return false, nil
	}
	h := crc32.New(castagnoli)
	body := io.NewSectionReader(r, q+frameHeaderSize, int64(n))
	if _, err := io.CopyBuffer(h, body, copyBuf); err != nil {
		return false, err
	}
	return h.Sum32() == crc, nil
}

// indexInterval is how many bytes of frames lie between index entries.
const indexInterval = 64 << 10

type indexEntry struct {
	off int64 // base offset of the frame at pos
	pos int64
}

// index is a sparse map from offsets to file positions, so that a Tail from
// the middle of a large log does not read it from the start. Every record
// before an entry's position has an offset below the entry's offset.
type index struct {
	entries []indexEntry
	lastPos int64
}

// note records that a frame with base offset off starts at pos. Frames must
// be noted in file order.
func (x *index) note(off, pos int64) {
	if pos-x.lastPos >= indexInterval {
		x.entries = append(x.entries, indexEntry{off: off, pos: pos})
		x.lastPos = pos
	}
}

// lookup returns a position from which a reader finds every record at or
// after offset from.
func (x *index) lookup(from int64) int64 {
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].off > from })
	if i == 0 {
		return fileHeaderSize
	}
	return x.entries[i-1].pos
}

func newIndex() index { return index{lastPos: fileHeaderSize} }
