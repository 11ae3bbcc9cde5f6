package file

import (
	"os"
	"sync"
)

// Faults makes a Log's writes fail on demand, to prove that the log
// recovers once the cause is gone. The zero value injects nothing.
type Faults struct {
	mu       sync.Mutex
	write    error // WriteAt writes half its bytes, then fails with it
	sync     error
	truncate error
	names    []string // the files the writer was given, in order
}

// Set makes the next writes, syncs and truncations fail with the given
// errors (nil: succeed) until Set is called again.
func (f *Faults) Set(write, sync, truncate error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.write, f.sync, f.truncate = write, sync, truncate
}

// Names lists the files the writer wrote through, in order.
func (f *Faults) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.names...)
}

// WithFaults makes the Log write its data files through f.
func WithFaults(f *Faults) Opt {
	return opt(func(c *config) {
		c.wrap = func(file *os.File) writeFile {
			f.mu.Lock()
			f.names = append(f.names, file.Name())
			f.mu.Unlock()
			return &faultFile{File: file, faults: f}
		}
	})
}

type faultFile struct {
	*os.File
	faults *Faults
}

// The errors are wrapped as *os.File's own are, so that the log's error
// messages are tested against what the operating system would report.

func (f *faultFile) WriteAt(b []byte, off int64) (int, error) {
	f.faults.mu.Lock()
	err := f.faults.write
	f.faults.mu.Unlock()
	if err != nil {
		n, _ := f.File.WriteAt(b[:len(b)/2], off)
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: err}
	}
	return f.File.WriteAt(b, off)
}

func (f *faultFile) Sync() error {
	f.faults.mu.Lock()
	err := f.faults.sync
	f.faults.mu.Unlock()
	if err != nil {
		return &os.PathError{Op: "sync", Path: f.Name(), Err: err}
	}
	return f.File.Sync()
}

func (f *faultFile) Truncate(size int64) error {
	f.faults.mu.Lock()
	err := f.faults.truncate
	f.faults.mu.Unlock()
	if err != nil {
		return &os.PathError{Op: "truncate", Path: f.Name(), Err: err}
	}
	return f.File.Truncate(size)
}
