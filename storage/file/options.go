package file

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/charter-registry/charter/storage"
)

// DefaultMaxRecordBytes is the default limit on the key and on the value of
// one record.
const DefaultMaxRecordBytes = 16 << 20

// maxRecordLimit keeps the largest allowed record (key and value at the
// limit) inside one frame.
const maxRecordLimit = (maxFrameBody - bodyHeaderSize - 32) / 2

// Opt configures Open.
type Opt interface {
	apply(*config)
}

type opt func(*config)

func (o opt) apply(c *config) { o(c) }

type config struct {
	keyFn storage.KeyFunc
	idFn  IDFunc
	// checkpointInterval is the least time between checkpoint writes.
	checkpointInterval time.Duration
	logger             *slog.Logger
	maxRecordBytes     int
	// wrap gives the writer its view of a data file; tests replace it to
	// inject write and sync failures.
	wrap func(*os.File) writeFile
}

// writeFile is what the writer does to a data file.
type writeFile interface {
	WriteAt(b []byte, off int64) (int, error)
	Sync() error
	Truncate(size int64) error
}

func defaultConfig() config {
	return config{
		logger:             slog.New(slog.DiscardHandler),
		maxRecordBytes:     DefaultMaxRecordBytes,
		checkpointInterval: DefaultCheckpointInterval,
		wrap:               func(f *os.File) writeFile { return f },
	}
}

func (c *config) validate() error {
	if c.maxRecordBytes <= 0 || c.maxRecordBytes > maxRecordLimit {
		return fmt.Errorf("file: max record size %d out of range (1..%d)", c.maxRecordBytes, maxRecordLimit)
	}
	if c.checkpointInterval < 0 {
		return fmt.Errorf("file: negative checkpoint interval %v", c.checkpointInterval)
	}
	if c.logger == nil {
		return fmt.Errorf("file: nil logger")
	}
	return nil
}

// WithKeyFunc sets the function that maps raw record keys to logical keys.
// Compact needs it; without it Compact returns ErrNoKeyFunc.
func WithKeyFunc(f storage.KeyFunc) Opt {
	return opt(func(c *config) { c.keyFn = f })
}

// WithLogger sets where the log reports recovery (a truncated torn tail) and
// compaction. By default it reports nothing; Recovery returns what Open
// repaired either way.
func WithLogger(l *slog.Logger) Opt {
	return opt(func(c *config) { c.logger = l })
}

// WithMaxRecordBytes limits the key and, separately, the value of a record
// to n bytes (default DefaultMaxRecordBytes). Append rejects larger records
// with ErrTooLarge. Records already in the file are read whatever their size.
func WithMaxRecordBytes(n int) Opt {
	return opt(func(c *config) { c.maxRecordBytes = n })
}

// IDFunc reads the id a record allocates or reserves, if any. It must not
// keep key or value.
type IDFunc func(key, value []byte) (id int64, ok bool)

// WithIDFunc sets how the log reads ids from records, so that its
// checkpoint keeps the highest id ever acknowledged (Checkpoint.MaxID) and
// Repair can keep it reserved after dropping the records that carried it.
// Without it MaxID stays zero.
func WithIDFunc(f IDFunc) Opt {
	return opt(func(c *config) { c.idFn = f })
}

// DefaultCheckpointInterval is the default least time between two writes of
// the checkpoint.
const DefaultCheckpointInterval = 100 * time.Millisecond

// WithCheckpointInterval sets the least time between two writes of the
// checkpoint (default DefaultCheckpointInterval). Shorter narrows what a
// crash can leave beyond the checkpoint; each write costs two fsyncs that
// compete with the appends' own. Zero writes it after every group commit.
func WithCheckpointInterval(d time.Duration) Opt {
	return opt(func(c *config) { c.checkpointInterval = d })
}
