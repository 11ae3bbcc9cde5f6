package protobuf

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
)

const nestedSchema = `syntax = "proto3";
package p;
message A {
  message B {}
  map<string, string> m = 1;
  message C {
    message D {}
    message E {}
  }
}
message F {}
`

func TestMessageIndexesRoundTrip(t *testing.T) {
	s := mustParse(t, New(), nestedSchema)
	fd := s.Descriptor()
	want := map[protoreflect.FullName][]int{
		"p.A":     {0},
		"p.A.B":   {0, 0},
		"p.A.C":   {0, 2}, // index 1 is the synthetic map entry of m
		"p.A.C.D": {0, 2, 0},
		"p.A.C.E": {0, 2, 1},
		"p.F":     {1},
	}
	for name, idx := range want {
		md := findMessage(fd, name)
		if md == nil {
			t.Fatalf("no message %s", name)
		}
		if got := MessageIndexes(md); !slices.Equal(got, idx) {
			t.Errorf("MessageIndexes(%s) = %v, want %v", name, got, idx)
		}
		back, err := MessageByIndexes(fd, idx)
		if err != nil || back.FullName() != name {
			t.Errorf("MessageByIndexes(%v) = %v, %v", idx, back, err)
		}
		enc := AppendIndexes([]byte{0xaa}, idx)
		got, n, err := ReadIndexes(enc[1:])
		if err != nil || n != len(enc)-1 || !slices.Equal(got, idx) {
			t.Errorf("ReadIndexes(AppendIndexes(%v)) = %v, %d, %v", idx, got, n, err)
		}
	}
	if _, err := MessageByIndexes(fd, []int{0, 9}); !errors.Is(err, ErrIndexes) {
		t.Errorf("out of range: %v", err)
	}
	if md, err := MessageByIndexes(fd, nil); err != nil || md.FullName() != "p.A" {
		t.Errorf("empty indexes: %v, %v", md, err)
	}
}

func findMessage(fd protoreflect.FileDescriptor, name protoreflect.FullName) protoreflect.MessageDescriptor {
	var find func(protoreflect.MessageDescriptors) protoreflect.MessageDescriptor
	find = func(msgs protoreflect.MessageDescriptors) protoreflect.MessageDescriptor {
		for i := 0; i < msgs.Len(); i++ {
			if msgs.Get(i).FullName() == name {
				return msgs.Get(i)
			}
			if md := find(msgs.Get(i).Messages()); md != nil {
				return md
			}
		}
		return nil
	}
	return find(fd.Messages())
}

func TestIndexEncoding(t *testing.T) {
	cases := []struct {
		idx  []int
		want []byte
	}{
		{[]int{0}, []byte{0}},
		{nil, []byte{0}},
		{[]int{1}, []byte{2, 2}},
		{[]int{0, 2}, []byte{4, 0, 4}},
		{[]int{64}, []byte{2, 0x80, 0x01}},
	}
	for _, tc := range cases {
		if got := AppendIndexes(nil, tc.idx); !bytes.Equal(got, tc.want) {
			t.Errorf("AppendIndexes(%v) = %x, want %x", tc.idx, got, tc.want)
		}
	}
	bad := [][]byte{
		nil,
		{1},                // count -1
		{4, 2},             // count 2, one index
		{2, 1},             // index -1
		{0x80},             // truncated varint
		{0xfe, 0xff, 0x03}, // count far above the bytes left
		{2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, // overlong
	}
	for _, b := range bad {
		if idx, n, err := ReadIndexes(b); !errors.Is(err, ErrIndexes) {
			t.Errorf("ReadIndexes(%x) = %v, %d, %v; want an error", b, idx, n, err)
		}
	}
}

func FuzzReadIndexes(f *testing.F) {
	for _, seed := range [][]byte{{0}, {2, 2}, {4, 0, 4}, {1}, {0x80}, {6, 2, 4, 6, 9}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, n, err := ReadIndexes(b)
		if err != nil {
			return
		}
		if n <= 0 || n > len(b) || len(idx) == 0 {
			t.Fatalf("ReadIndexes(%x) = %v, %d", b, idx, n)
		}
		again, m, err := ReadIndexes(AppendIndexes(nil, idx))
		if err != nil || m <= 0 || !slices.Equal(again, idx) {
			t.Fatalf("re-encoding %v gave %v, %d, %v", idx, again, m, err)
		}
	})
}
