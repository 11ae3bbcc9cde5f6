package file

import (
	"errors"
	"fmt"
	"log/slog"
)

// ErrLocked is returned (wrapped, with the directory) by Open when another
// Log, in this process or another, holds the directory.
var ErrLocked = errors.New("file: log directory is locked: another Log (in this or another process) has it open")

// ErrNoKeyFunc is returned by Compact on a Log opened without WithKeyFunc.
var ErrNoKeyFunc = errors.New("file: compaction needs a key function (WithKeyFunc)")

// ErrTooLarge is returned (wrapped, with the sizes) by Append for a record
// whose key or value exceeds the configured maximum, or a batch that does
// not fit in one frame. Nothing of the batch is written.
var ErrTooLarge = errors.New("file: record too large")

// CorruptionError reports damage in the data file that is not a torn tail:
// a bad frame followed by intact frames, a bad file header, or a frame whose
// checksum is right but whose content is not. Open refuses such a file
// rather than drop acknowledged records; an operator must inspect it.
type CorruptionError struct {
	// Path is the data file.
	Path string
	// Position is the byte offset in the file of the damaged frame.
	Position int64
	// Err says what is wrong.
	Err error
}

// Error implements error.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("file: corrupt log %s at byte %d: %v", e.Path, e.Position, e.Err)
}

// Unwrap returns the underlying cause.
func (e *CorruptionError) Unwrap() error { return e.Err }

// LogValue implements slog.LogValuer.
func (e *CorruptionError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("path", e.Path),
		slog.Int64("position", e.Position),
		slog.String("error", e.Err.Error()),
	)
}
