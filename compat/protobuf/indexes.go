package protobuf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// MaxIndexes bounds how many message indexes ReadIndexes accepts, which is
// far deeper than any schema Parse accepts.
const MaxIndexes = 1024

// ErrIndexes is wrapped by every error of ReadIndexes and MessageByIndexes.
var ErrIndexes = errors.New("invalid message indexes")

// MessageIndexes is the path of md inside its file as Confluent's wire
// format writes it: the index of the top-level message, then the index of
// each nested message below it. Indexes count messages in declaration
// order, including the synthetic map-entry messages, as
// confluent-kafka-go and Java serializers built from descriptors do.
func MessageIndexes(md protoreflect.MessageDescriptor) []int {
	depth := 0
	for d := protoreflect.Descriptor(md); ; d = d.Parent() {
		if _, ok := d.(protoreflect.MessageDescriptor); !ok {
			break
		}
		depth++
	}
	out := make([]int, depth)
	d := protoreflect.Descriptor(md)
	for i := depth - 1; i >= 0; i-- {
		out[i] = d.Index()
		d = d.Parent()
	}
	return out
}

// MessageByIndexes finds the message that MessageIndexes would describe
// with idx. An empty idx means the first message, as Confluent reads a
// zero count.
func MessageByIndexes(fd protoreflect.FileDescriptor, idx []int) (protoreflect.MessageDescriptor, error) {
	if len(idx) == 0 {
		idx = []int{0}
	}
	msgs := fd.Messages()
	var md protoreflect.MessageDescriptor
	for depth, i := range idx {
		if i < 0 || i >= msgs.Len() {
			return nil, fmt.Errorf("%w: index %d at depth %d is out of range (%d messages)", ErrIndexes, i, depth, msgs.Len())
		}
		md = msgs.Get(i)
		msgs = md.Messages()
	}
	return md, nil
}

// AppendIndexes appends idx to dst in Confluent's encoding: the count then
// each index, as zig-zag varints. The common [0] is written as the single
// byte 0, which is also how an empty idx is written.
func AppendIndexes(dst []byte, idx []int) []byte {
	if len(idx) == 0 || (len(idx) == 1 && idx[0] == 0) {
		return append(dst, 0)
	}
	dst = binary.AppendVarint(dst, int64(len(idx)))
	for _, i := range idx {
		dst = binary.AppendVarint(dst, int64(i))
	}
	return dst
}

// ReadIndexes decodes message indexes written by AppendIndexes from the
// start of b. It returns the indexes and the number of bytes they took.
// A zero count reads as [0].
func ReadIndexes(b []byte) ([]int, int, error) {
	count, n := binary.Varint(b)
	if n <= 0 {
		return nil, 0, fmt.Errorf("%w: truncated or overlong count", ErrIndexes)
	}
	if count == 0 {
		return []int{0}, n, nil
	}
	if count < 0 || count > MaxIndexes {
		return nil, 0, fmt.Errorf("%w: count %d is out of range", ErrIndexes, count)
	}
	if int(count) > len(b)-n {
		return nil, 0, fmt.Errorf("%w: count %d is more than the %d bytes left", ErrIndexes, count, len(b)-n)
	}
	out := make([]int, count)
	for i := range out {
		v, m := binary.Varint(b[n:])
		if m <= 0 {
			return nil, 0, fmt.Errorf("%w: truncated or overlong index %d", ErrIndexes, i)
		}
		if v < 0 || v > 1<<31-1 {
			return nil, 0, fmt.Errorf("%w: index %d is %d", ErrIndexes, i, v)
		}
		out[i] = int(v)
		n += m
	}
	return out, n, nil
}
