package file

import (
	"context"
	"fmt"
	"io"
)

// scanResult is what Open learns from reading the data file.
type scanResult struct {
	size  int64 // end of the last intact frame
	end   int64 // offset the next record gets
	index index
	// torn is the damage after size that Open truncates: a frame that a
	// crash cut short or garbage after the last frame. nil if none.
	torn error
}

// scanLog verifies the data file of the given size and finds where its
// intact frames end. Damage with intact frames after it is a
// CorruptionError; damage at the end is a torn tail, reported in the
// result. visit, if not nil, sees every record of the intact frames.
func scanLog(ctx context.Context, r io.ReaderAt, size int64, path string, visit visitFunc) (scanResult, error) {
	res := scanResult{size: fileHeaderSize, index: newIndex()}
	hdr := make([]byte, fileHeaderSize)
	if size < fileHeaderSize {
		return res, &CorruptionError{Path: path, Position: 0, Err: fmt.Errorf("file of %d bytes is shorter than its header", size)}
	}
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return res, fmt.Errorf("read %s: %w", path, err)
	}
	if err := checkFileHeader(hdr); err != nil {
		return res, &CorruptionError{Path: path, Position: 0, Err: err}
	}

	fr := newFrameReader(1 << 20)
	fr.reset(r, fileHeaderSize, size)
	var buf []byte
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		pos := fr.pos
		frame, err := fr.next(buf)
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			if !isFormatError(err) {
				return res, fmt.Errorf("read %s: %w", path, err)
			}
			q, found, ferr := findFrame(ctx, r, pos+1, size)
			if ferr != nil {
				return res, fmt.Errorf("read %s: %w", path, ferr)
			}
			if found {
				return res, &CorruptionError{Path: path, Position: pos, Err: fmt.Errorf("%w; an intact frame follows at byte %d", err, q)}
			}
			res.torn = err
			return res, nil
		}
		if cap(frame) <= 4<<20 {
			buf = frame[:0]
		}
		end, err := walkBody(frame[frameHeaderSize:], res.end, visit)
		if err != nil {
			// The checksum matched, so this is not a torn write.
			return res, &CorruptionError{Path: path, Position: pos, Err: err}
		}
		res.index.note(frameBase(frame), pos)
		res.end = end
		res.size = fr.pos
	}
}
