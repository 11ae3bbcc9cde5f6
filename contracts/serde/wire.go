package serde

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MagicByte starts every payload in Confluent's wire format.
const MagicByte = 0

// HeaderSize is the magic byte plus the 4-byte schema id.
const HeaderSize = 5

// ErrBadMagic is wrapped by ParseHeader's errors.
var ErrBadMagic = errors.New("not in Confluent wire format")

// AppendHeader appends the magic byte and id, big-endian, to dst.
func AppendHeader(dst []byte, id int) []byte {
	return append(dst, MagicByte, byte(uint32(id)>>24), byte(uint32(id)>>16), byte(uint32(id)>>8), byte(uint32(id)))
}

// ParseHeader reads the magic byte and schema id from the start of b and
// returns the id and the rest of b.
func ParseHeader(b []byte) (id int, rest []byte, err error) {
	if len(b) < HeaderSize {
		return 0, nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrBadMagic, len(b), HeaderSize)
	}
	if b[0] != MagicByte {
		return 0, nil, fmt.Errorf("%w: magic byte %#x, want 0", ErrBadMagic, b[0])
	}
	return int(binary.BigEndian.Uint32(b[1:5])), b[HeaderSize:], nil
}
