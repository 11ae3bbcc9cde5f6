//go:build !unix

package file

import (
	"errors"
	"os"
)

// lockDir is not implemented off Unix: without a lock two processes could
// corrupt the log, so Open refuses to run.
func lockDir(string) (*os.File, error) {
	return nil, errors.New("file: locking the log directory is only supported on Unix")
}

func unlockDir(f *os.File) error { return f.Close() }
