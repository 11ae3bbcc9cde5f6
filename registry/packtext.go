package registry

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// Schema texts are most of what a registry holds in memory (a 1M-record
// log of 350-byte Avro schemas: half the live heap), and the texts of one
// registry are alike: the same record, field and type spellings, one
// version of a subject much like the one before. So a stored schema holds
// its text packed: an S2 block (github.com/klauspost/compress/s2) against
// a dictionary made of the first texts this process stored, in memory
// only. Nothing packed is ever written anywhere or compared across
// processes: the log, the identities and the digest see the texts as
// they are, and a packed text is unpacked where it is read (a response
// body, which api caches, or a parse, which the parse cache keeps).
//
// The dictionary is the process's, made once: a process serves one log,
// and a dictionary per State would have to be reachable from every stored
// schema (8 bytes each). Texts stored before it exists, texts too short to
// gain, large texts (which are interned instead, see internBytes) and
// texts that do not shrink by an eighth are held as they are.
var packing struct {
	mu sync.Mutex
	// sample collects the texts the dictionary is made of.
	sample []byte
	dict   atomic.Pointer[s2.Dict]
	// scratch holds encode buffers of MaxEncodedLen(internBytes) bytes.
	scratch sync.Pool
}

const (
	// packMin is the shortest text that is packed.
	packMin = 64
	// dictBytes is the size of the packing dictionary (S2 allows 64 KiB).
	dictBytes = 32 << 10
)

// packText returns text packed, or "" and false when it is held as it is
// (see packing). It needs no lock: decoding workers pack in parallel.
func packText(text string) (string, bool) {
	d := packing.dict.Load()
	if d == nil || len(text) < packMin || len(text) >= internBytes {
		return "", false
	}
	bp, _ := packing.scratch.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, s2.MaxEncodedLen(internBytes))
		bp = &b
	}
	out := d.Encode(*bp, unsafe.Slice(unsafe.StringData(text), len(text)))
	var packed string
	ok := len(out) <= len(text)-len(text)/8
	if ok {
		packed = string(out)
	}
	packing.scratch.Put(bp)
	return packed, ok
}

// unpackText returns the text packText packed.
func unpackText(packed string) string {
	b, err := packing.dict.Load().Decode(nil, unsafe.Slice(unsafe.StringData(packed), len(packed)))
	if err != nil || len(b) == 0 {
		// Only this process packed it, with this dictionary: memory is
		// damaged or the code is wrong.
		panic(fmt.Sprintf("registry: a packed schema text does not unpack: %v", err))
	}
	return unsafe.String(&b[0], len(b))
}

// packedLen returns the length of the text packed holds.
func packedLen(packed string) int {
	n, err := s2.DecodedLen(unsafe.Slice(unsafe.StringData(packed), len(packed)))
	if err != nil {
		return -1
	}
	return n
}

// learnText adds a stored text to the dictionary's sample until the
// sample is full, and then makes the dictionary. Once it exists this is
// one atomic load.
func learnText(text string) {
	if packing.dict.Load() != nil || len(text) < packMin || len(text) >= internBytes {
		return
	}
	packing.mu.Lock()
	defer packing.mu.Unlock()
	if packing.dict.Load() != nil {
		return
	}
	packing.sample = append(packing.sample, text...)
	if len(packing.sample) < dictBytes {
		return
	}
	sample := packing.sample[len(packing.sample)-dictBytes:]
	// A block starts where the texts start: let the first repeat point
	// at the last text's beginning.
	start := text[:min(len(text), 16)]
	d := s2.MakeDict(sample, []byte(start))
	if d == nil {
		packing.sample = packing.sample[:0]
		return
	}
	packing.sample = nil
	packing.dict.Store(d)
}
