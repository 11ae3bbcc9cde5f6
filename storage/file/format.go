package file

// On-disk format.
//
// The data file starts with a 16-byte header:
//
//	magic   [8]byte  "CHARTLOG"
//	version uint32   1
//	crc     uint32   CRC32C of the 12 bytes above
//
// followed by frames. A frame is the unit of atomicity: a crash leaves either
// the whole frame or a torn tail that Open removes. Each frame is
//
//	magic     uint32  frameMagic
//	length    uint32  length of the body
//	bodyCRC   uint32  CRC32C (Castagnoli) of the body
//	headerCRC uint32  CRC32C of the 12 bytes above
//	body:
//	  base    int64   offset of the first record; the log's end if count is 0
//	  count   uint32  number of records
//	  records, each:
//	    gap     uvarint  offset minus the previous offset minus 1 (the first
//	                     record's previous offset is base-1)
//	    keyLen  uvarint
//	    key     [keyLen]byte
//	    valLen  uvarint  0 for a tombstone (nil value), else length+1
//	    value   [valLen-1]byte
//
// All integers are big-endian. Offsets strictly increase through the file.
// Storing offsets (as gaps) keeps them stable when compaction drops records; a
// frame without records records the end of the log after compaction, so End
// never moves backwards. The frame magic contains bytes that never occur in
// UTF-8 text, and the header has its own CRC, so a scan for the next valid
// frame after damage does not stumble over record data.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

const (
	fileMagic       = "CHARTLOG"
	fileVersion     = 1
	fileHeaderSize  = 16
	frameMagic      = 0xC1FF4C47 // 0xC1 and 0xFF are never valid in UTF-8
	frameHeaderSize = 16
	bodyHeaderSize  = 12
	// maxFrameBody bounds a frame so that a damaged length field cannot make
	// a reader allocate without limit.
	maxFrameBody = 1 << 30
	// minRecordSize is the size of a record with an empty key and a tombstone.
	minRecordSize = 3
)

// castagnoli is the CRC32C table. It is read-only.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Decoding errors. They reach callers wrapped in a CorruptionError.
var (
	errFrameMagic     = errors.New("bad frame magic")
	errHeaderCRC      = errors.New("frame header checksum mismatch")
	errBodyCRC        = errors.New("frame body checksum mismatch")
	errFrameLength    = errors.New("frame length out of range")
	errShortFrame     = errors.New("frame extends past the end of the file")
	errRecordEncoding = errors.New("malformed record")
	errOffsetOrder    = errors.New("offsets do not increase")
)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// fileHeader returns the data file header.
func fileHeader() []byte {
	h := make([]byte, 0, fileHeaderSize)
	h = append(h, fileMagic...)
	h = binary.BigEndian.AppendUint32(h, fileVersion)
	return binary.BigEndian.AppendUint32(h, checksum(h))
}

// checkFileHeader validates the data file header.
func checkFileHeader(h []byte) error {
	if len(h) < fileHeaderSize {
		return errors.New("file header is truncated")
	}
	if string(h[:8]) != fileMagic {
		return errors.New("not a charter log file (bad magic)")
	}
	if checksum(h[:12]) != binary.BigEndian.Uint32(h[12:16]) {
		return errors.New("file header checksum mismatch")
	}
	if v := binary.BigEndian.Uint32(h[8:12]); v != fileVersion {
		return fmt.Errorf("unsupported log format version %d", v)
	}
	return nil
}

// beginFrame appends room for the frame and body headers to dst; records are
// appended after it and finishFrame fills the headers in.
func beginFrame(dst []byte) []byte {
	var zero [frameHeaderSize + bodyHeaderSize]byte
	return append(dst, zero[:]...)
}

// finishFrame fills in the headers of a frame built with beginFrame.
func finishFrame(frame []byte, base int64, count uint32) {
	body := frame[frameHeaderSize:]
	binary.BigEndian.PutUint64(body[0:8], uint64(base))
	binary.BigEndian.PutUint32(body[8:12], count)
	binary.BigEndian.PutUint32(frame[0:4], frameMagic)
	binary.BigEndian.PutUint32(frame[4:8], uint32(len(body)))
	binary.BigEndian.PutUint32(frame[8:12], checksum(body))
	binary.BigEndian.PutUint32(frame[12:16], checksum(frame[:12]))
}

// appendRecord encodes one record after a frame begun by beginFrame.
func appendRecord(dst []byte, gap uint64, key, value []byte) []byte {
	dst = binary.AppendUvarint(dst, gap)
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	if value == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(value))+1)
	return append(dst, value...)
}

// recordSize is the encoded size of a record with gap 0.
func recordSize(key, value []byte) int {
	n := 1 + uvarintLen(uint64(len(key))) + len(key)
	if value == nil {
		return n + 1
	}
	return n + uvarintLen(uint64(len(value))+1) + len(value)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// parseFrameHeader validates a frame header and returns the body length and
// checksum.
func parseFrameHeader(h []byte) (bodyLen int, bodyCRC uint32, err error) {
	if binary.BigEndian.Uint32(h[0:4]) != frameMagic {
		return 0, 0, errFrameMagic
	}
	if checksum(h[:12]) != binary.BigEndian.Uint32(h[12:16]) {
		return 0, 0, errHeaderCRC
	}
	n := binary.BigEndian.Uint32(h[4:8])
	if n < bodyHeaderSize || n > maxFrameBody {
		return 0, 0, errFrameLength
	}
	return int(n), binary.BigEndian.Uint32(h[8:12]), nil
}

// visitFunc receives one decoded record. key and value alias the body.
type visitFunc func(off int64, key, value []byte) error

// walkBody decodes the records of a frame body whose checksum has been
// verified, calling visit (if not nil) for each. The frame must start at or
// after prevEnd. It returns the offset just past the frame: the last offset
// plus one, or base for a frame without records. An error from visit is
// returned unchanged; decoding errors wrap errRecordEncoding or
// errOffsetOrder.
func walkBody(body []byte, prevEnd int64, visit visitFunc) (end int64, err error) {
	if len(body) < bodyHeaderSize {
		return 0, fmt.Errorf("%w: body of %d bytes", errRecordEncoding, len(body))
	}
	base := int64(binary.BigEndian.Uint64(body[0:8]))
	count := binary.BigEndian.Uint32(body[8:12])
	if base < prevEnd || base < 0 {
		return 0, fmt.Errorf("%w: frame starts at offset %d after offset %d", errOffsetOrder, base, prevEnd)
	}
	if uint64(count) > uint64(len(body)-bodyHeaderSize)/minRecordSize {
		return 0, fmt.Errorf("%w: %d records cannot fit in %d bytes", errRecordEncoding, count, len(body))
	}
	p := bodyHeaderSize
	prev := base - 1
	for i := uint32(0); i < count; i++ {
		gap, n := binary.Uvarint(body[p:])
		if n <= 0 {
			return 0, fmt.Errorf("%w: record %d: bad offset gap", errRecordEncoding, i)
		}
		p += n
		// off must stay below MaxInt64 so that the end (off+1) fits.
		if room := math.MaxInt64 - 2 - prev; room < 0 || gap > uint64(room) {
			return 0, fmt.Errorf("%w: record %d: offset overflows", errOffsetOrder, i)
		}
		off := prev + 1 + int64(gap)

		klen, n := binary.Uvarint(body[p:])
		if n <= 0 || klen > uint64(len(body)-p-n) {
			return 0, fmt.Errorf("%w: record %d: bad key length", errRecordEncoding, i)
		}
		p += n
		key := body[p : p+int(klen) : p+int(klen)]
		p += int(klen)

		vlen, n := binary.Uvarint(body[p:])
		if n <= 0 {
			return 0, fmt.Errorf("%w: record %d: bad value length", errRecordEncoding, i)
		}
		p += n
		var value []byte
		if vlen > 0 {
			vlen--
			if vlen > uint64(len(body)-p) {
				return 0, fmt.Errorf("%w: record %d: bad value length", errRecordEncoding, i)
			}
			value = body[p : p+int(vlen) : p+int(vlen)]
			p += int(vlen)
		}
		if visit != nil {
			if err := visit(off, key, value); err != nil {
				return 0, err
			}
		}
		prev = off
	}
	if p != len(body) {
		return 0, fmt.Errorf("%w: %d stray bytes after the last record", errRecordEncoding, len(body)-p)
	}
	if count == 0 {
		return base, nil
	}
	return prev + 1, nil
}
