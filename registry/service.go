package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// ServiceConfig configures a Service.
type ServiceConfig struct {
	// Log is where records are appended and read back from. Required.
	Log storage.Log
	// Formats are the schema formats the registry accepts. Required.
	Formats []compat.Format
	// Logger receives replay progress and skipped records.
	Logger *slog.Logger
	// MaxSchemaBytes is the largest schema text accepted (42209 beyond).
	MaxSchemaBytes int
	// DefaultCompatibility applies when no config sets a level.
	DefaultCompatibility compat.Level
	// MaxReferenceDepth bounds chains of references.
	MaxReferenceDepth int
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Access turns authorization of writes on and sets its policy. It is
	// off by default.
	Access AccessConfig
	// ParsedCacheEntries bounds how many parsed schemas are kept for
	// compatibility checks and format-specific reads
	// (DefaultParsedCacheEntries by default). Others are parsed again
	// when needed.
	ParsedCacheEntries int
}

// DefaultServiceConfig returns the defaults: 1 MiB schemas, BACKWARD.
func DefaultServiceConfig() ServiceConfig {
	return ServiceConfig{
		Logger:               slog.New(slog.DiscardHandler),
		MaxSchemaBytes:       1 << 20,
		DefaultCompatibility: compat.Backward,
		MaxReferenceDepth:    32,
		Now:                  time.Now,
		Access:               AccessConfig{Unowned: UnownedOpen},
		ParsedCacheEntries:   DefaultParsedCacheEntries,
	}
}

// Validate reports a configuration that cannot work.
func (c ServiceConfig) Validate() error {
	if c.Log == nil {
		return errors.New("registry: no log configured")
	}
	if len(c.Formats) == 0 {
		return errors.New("registry: no schema formats configured")
	}
	if c.ParsedCacheEntries < 0 {
		return errors.New("registry: negative parsed-schema cache size")
	}
	if c.MaxSchemaBytes <= 0 {
		return fmt.Errorf("registry: max schema size must be positive, got %d", c.MaxSchemaBytes)
	}
	if _, err := compat.ParseLevel(string(c.DefaultCompatibility)); err != nil {
		return fmt.Errorf("registry: default compatibility: %w", err)
	}
	if _, err := ParseUnownedPolicy(string(c.Access.Unowned)); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// Service implements the registry's use cases over a State that it keeps
// in step with the log. Reads are served from memory; every write becomes
// one appended batch and returns only once the State has applied it.
type Service struct {
	cfg     ServiceConfig
	log     storage.Log
	state   *State
	formats map[compat.Type]compat.Format
	gov     atomic.Pointer[governorRef]
	parsed  *parseCache
	// texts recognises schema texts parsed recently (parsecache.go).
	texts textCache

	// writes is the queue of writes waiting to be decided (write.go).
	writes writeQueue

	nmu    sync.Mutex
	notify chan struct{}

	ready     atomic.Bool
	startEnd  atomic.Int64
	lastError atomic.Pointer[string]

	// lintCache keeps LintLatest's answer per subject (a lintCacheEntry),
	// valid while the versions, policy and predecessor it was computed
	// from are unchanged.
	lintCache sync.Map
}

// NewService builds a Service. Call Run to start applying the log.
func NewService(cfg ServiceConfig) (*Service, error) {
	def := DefaultServiceConfig()
	if cfg.Logger == nil {
		cfg.Logger = def.Logger
	}
	if cfg.MaxSchemaBytes == 0 {
		cfg.MaxSchemaBytes = def.MaxSchemaBytes
	}
	if cfg.DefaultCompatibility == "" {
		cfg.DefaultCompatibility = def.DefaultCompatibility
	}
	if cfg.MaxReferenceDepth == 0 {
		cfg.MaxReferenceDepth = def.MaxReferenceDepth
	}
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.Access.Unowned == "" {
		cfg.Access.Unowned = def.Access.Unowned
	}
	if cfg.ParsedCacheEntries == 0 {
		cfg.ParsedCacheEntries = def.ParsedCacheEntries
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Access.Unowned, _ = ParseUnownedPolicy(string(cfg.Access.Unowned))
	s := &Service{
		cfg:     cfg,
		log:     cfg.Log,
		state:   NewState(),
		formats: map[compat.Type]compat.Format{},
		notify:  make(chan struct{}),
		parsed:  newParseCache(cfg.ParsedCacheEntries),
	}
	for _, f := range cfg.Formats {
		s.formats[f.Type()] = f
	}
	return s, nil
}

// State returns the state the service serves from.
func (s *Service) State() *State { return s.state }

// Run applies the log to the state until ctx is done. It finds the log's
// end first and reports Ready once it has applied everything below it.
func (s *Service) Run(ctx context.Context) error {
	end, err := s.log.End(ctx)
	for err != nil {
		s.cfg.Logger.Warn("log end unavailable; retrying", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		end, err = s.log.End(ctx)
	}
	s.startEnd.Store(end)
	if end == 0 {
		s.ready.Store(true)
		s.broadcast() // wake WaitReady now, not at its next poll
	}
	start := time.Now()
	s.cfg.Logger.Info("replaying log", slog.Int64("end_offset", end))

	// Three stages: the tail goroutine reads records, the batches are
	// decoded in parallel (JSON decoding and the content hash dominate a
	// replay), and this goroutine applies them in log order.
	in := make(chan storage.Record, 4096)
	tailDone := make(chan error, 1)
	go func() { tailDone <- s.tail(ctx, in) }()
	workers := max(1, runtime.GOMAXPROCS(0))
	var applied int64
	lastReport := time.Now()
	batch := make([]storage.Record, 0, 1024)
	decoded := make([]Decoded, 0, 1024)
	for {
		select {
		case <-ctx.Done():
			<-tailDone
			return ctx.Err()
		case err := <-tailDone:
			return err
		case r := <-in:
			batch = append(batch[:0], r)
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case r := <-in:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		decoded = decodeParallel(decoded[:0], batch, workers)
		// Until it has caught up nobody reads the state, so the replay
		// holds one snapshot, written in place (every trie node it makes
		// is its own), and publishes it once, when it has caught up;
		// Progress reports how far it has come meanwhile.
		hold := !s.ready.Load()
		errs, pos := s.state.applyBatch(decoded, hold)
		for _, err := range errs {
			s.cfg.Logger.Warn("skipped record", slog.Any("error", err))
		}
		if hold && pos >= end {
			s.state.publish()
		}
		applied += int64(len(batch))
		if !s.ready.Load() {
			if pos >= end {
				s.ready.Store(true)
				s.cfg.Logger.Info("replay caught up", slog.Int64("records", applied), slog.Int64("position", pos), slog.Duration("took", time.Since(start)))
			} else if time.Since(lastReport) > 2*time.Second {
				lastReport = time.Now()
				s.cfg.Logger.Info("replay progress", slog.Int64("position", pos), slog.Int64("end_offset", end))
			}
		}
		s.broadcast()
	}
}

// tail feeds every record from the state's position on into out, and
// resumes after a failure from the record after the last one it sent.
func (s *Service) tail(ctx context.Context, out chan<- storage.Record) error {
	next := s.state.Position()
	fn := func(r storage.Record) error {
		select {
		case out <- r:
			next = r.Offset + 1
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		err := s.log.Tail(ctx, next, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, storage.ErrClosed) {
			return err
		}
		msg := err.Error()
		s.lastError.Store(&msg)
		s.cfg.Logger.Warn("log tail failed; retrying", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// decodeParallel decodes batch into dst, split across workers; small
// batches (a live registry's trickle of writes) are decoded inline.
func decodeParallel(dst []Decoded, batch []storage.Record, workers int) []Decoded {
	if cap(dst) < len(batch) {
		dst = make([]Decoded, len(batch))
	}
	dst = dst[:len(batch)]
	if len(batch) < 64 || workers == 1 {
		for i, r := range batch {
			dst[i] = Decode(r)
		}
		return dst
	}
	var wg sync.WaitGroup
	chunk := (len(batch) + workers - 1) / workers
	for lo := 0; lo < len(batch); lo += chunk {
		hi := min(lo+chunk, len(batch))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				dst[i] = Decode(batch[i])
			}
		}()
	}
	wg.Wait()
	return dst
}

// Ready reports whether the initial replay has caught up.
func (s *Service) Ready() bool { return s.ready.Load() }

// Progress returns the applied position and the log end seen at start-up.
func (s *Service) Progress() (applied, startEnd int64) {
	return s.state.Applied(), s.startEnd.Load()
}

// LogEnd asks the log for its current end.
func (s *Service) LogEnd(ctx context.Context) (int64, error) { return s.log.End(ctx) }

// LogWritable reports whether a write could reach the log now. It is nil
// unless the log is a storage.Prober whose probe fails: a log that answers
// End but failed its last write (a full disk) is not writable until the
// cause is gone.
func (s *Service) LogWritable(ctx context.Context) error {
	if p, ok := s.log.(storage.Prober); ok {
		return p.Probe(ctx)
	}
	return nil
}

func (s *Service) broadcast() {
	s.nmu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.nmu.Unlock()
}

// waitApplied blocks until the state has applied every record below off.
func (s *Service) waitApplied(ctx context.Context, off int64) error {
	for {
		s.nmu.Lock()
		ch := s.notify
		s.nmu.Unlock()
		if s.state.Position() >= off {
			return nil
		}
		select {
		case <-ctx.Done():
			return &Error{Code: CodeOperationTimeout, Message: fmt.Sprintf("Operation timed out waiting for the registry to apply the log up to offset %d", off), Err: ctx.Err()}
		case <-ch:
		}
	}
}

// WaitApplied blocks until the state has applied every record below off
// (a position another instance of the same log reported), or ctx ends
// (an error of code 50002).
func (s *Service) WaitApplied(ctx context.Context, off int64) error { return s.waitApplied(ctx, off) }

// Position returns the offset after the last record the state applied:
// once another instance of the same log has reached it, it has applied
// everything this one has.
func (s *Service) Position() int64 { return s.state.Position() }

// WaitReady blocks until the initial replay has caught up.
func (s *Service) WaitReady(ctx context.Context) error {
	for !s.ready.Load() {
		s.nmu.Lock()
		ch := s.notify
		s.nmu.Unlock()
		if s.ready.Load() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

func storeError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeOperationTimeout, Message: "Operation timed out writing to the log: " + err.Error(), Err: err}
	}
	return &Error{Code: CodeStoreError, Message: "Error writing to the log: " + err.Error(), Err: err}
}

// ValidateSubject checks a subject name: not empty, valid UTF-8, at most
// 255 characters (counted as openapi.yaml's maxLength counts them) and
// without control characters, where control means what Java's
// Character.isISOControl means to Confluent: U+0000 to U+001F and U+007F
// to U+009F.
func ValidateSubject(subject string) error {
	switch {
	case subject == "":
		return Errorf(CodeInvalidSubject, "Invalid subject: the name is empty")
	case !utf8.ValidString(subject):
		return Errorf(CodeInvalidSubject, "Invalid subject: the name is not valid UTF-8")
	case utf8.RuneCountInString(subject) > 255:
		return Errorf(CodeInvalidSubject, "Invalid subject: the name is %d characters long; the limit is 255", utf8.RuneCountInString(subject))
	}
	for _, r := range subject {
		if unicode.IsControl(r) {
			return Errorf(CodeInvalidSubject, "Invalid subject %q: control characters are not allowed", subject)
		}
	}
	if !confluent.ValidSubject(subject, true) {
		return errInvalidSubjectName(subject)
	}
	return nil
}

func (s *Service) format(t compat.Type) (compat.Format, compat.Type, error) {
	t = confluent.TypeOrAvro(t)
	f, ok := s.formats[t]
	if !ok {
		return nil, t, Errorf(CodeInvalidSchema, "Invalid schema type %q: use one of %s", t, s.typeList())
	}
	return f, t, nil
}

// Types lists the schema types the registry accepts: Confluent's in the
// order its GET /schemas/types lists them, then any other format's in
// name order.
func (s *Service) Types() []string {
	out := make([]string, 0, len(s.formats))
	confluentOrder := []compat.Type{compat.JSON, compat.Protobuf, compat.Avro}
	for _, t := range confluentOrder {
		if _, ok := s.formats[t]; ok {
			out = append(out, string(t))
		}
	}
	var others []string
	for t := range s.formats {
		if !slices.Contains(confluentOrder, t) {
			others = append(others, string(t))
		}
	}
	slices.Sort(others)
	return append(out, others...)
}

func (s *Service) typeList() string {
	out := ""
	for i, t := range s.Types() {
		if i > 0 {
			out += ", "
		}
		out += t
	}
	return out
}
