package exporter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// Config configures the exporters of one registry instance.
type Config struct {
	// ClusterID names the AUTO context on destinations: an exporter with
	// contextType AUTO writes source subject s to ":.<ClusterID>:s".
	// "charter" by default.
	ClusterID string
	// MaxExporters bounds how many exporters may exist (Confluent's
	// exporter limit); 10 by default.
	MaxExporters int
	// LeaseTTL is how long the instance running the exporters may go
	// without renewing its lease before another instance takes over;
	// 15 s by default. The owner renews every third of it.
	LeaseTTL time.Duration
	// Poll bounds how long an exporter waits for a change before it
	// compares source and destination again anyway (changes written by a
	// non-charter writer to a shared log announce nothing); 10 s by
	// default.
	Poll time.Duration
	// RequestTimeout bounds each request to a destination; 30 s by default.
	RequestTimeout time.Duration
	// Instance names this instance in the lease; a random id by default.
	Instance string
	// Logger receives the exporters' progress and failures.
	Logger *slog.Logger
	// Now stamps statuses; time.Now by default.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.ClusterID == "" {
		c.ClusterID = "charter"
	}
	if c.MaxExporters <= 0 {
		c.MaxExporters = 10
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = 10 * time.Second
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.Instance == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		host, _ := os.Hostname()
		c.Instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.MaxExporters < 0 || c.LeaseTTL < 0 || c.Poll < 0 || c.RequestTimeout < 0 {
		return errors.New("exporter: negative limit, lease, poll interval or timeout")
	}
	if c.ClusterID != "" {
		if err := checkContextName(c.ClusterID); err != nil {
			return fmt.Errorf("exporter: cluster id %q cannot name a context: %w", c.ClusterID, err)
		}
	}
	return nil
}

// Manager keeps the exporters of one registry: their definitions and
// progress (from the log), the API's use cases, and, on the instance that
// holds the lease, the running exporters.
type Manager struct {
	svc     *registry.Service
	cfg     Config
	metrics *metrics

	mu      sync.RWMutex
	defs    map[string]definition
	status  map[string]statusValue
	tracked map[trackKey]subjectValue // exporter and destination subject -> its source and the versions written
	leases  map[string]leaseValue     // the lease's one entry, for its table
	// defRecs, statusRecs, subjectRecs and leaseRecs apply the records
	// into the maps above.
	defRecs     *registry.Table[string, definition]
	statusRecs  *registry.Table[string, statusValue]
	subjectRecs *registry.Table[trackKey, subjectValue]
	leaseRecs   *registry.Table[string, leaseValue]
	lease       leaseValue
	leaseSeen   time.Time // when this instance saw the lease change
	wake        chan struct{}
	live        map[string]int // the running exporters' lag, on the owner
}

// Attach builds the exporters' manager over svc and registers their
// records with svc's state. Call it before svc.Run, so that replay
// applies the exporters already in the log; call Run to run them.
func Attach(svc *registry.Service, cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	m := &Manager{
		svc: svc, cfg: cfg,
		defs: map[string]definition{}, status: map[string]statusValue{}, tracked: map[trackKey]subjectValue{}, leases: map[string]leaseValue{},
		wake: make(chan struct{}), live: map[string]int{},
		leaseSeen: time.Now(),
	}
	m.metrics = newMetrics(m)
	m.tables()
	svc.State().Register(KeyExporter, m.defRecs)
	svc.State().Register(KeyStatus, m.statusRecs)
	svc.State().Register(KeySubject, m.subjectRecs)
	svc.State().Register(KeyLease, m.leaseRecs)
	return m, nil
}

// The operations of the exporters' audit entries.
const (
	OpCreated registry.Operation = "exporter.created"
	OpUpdated registry.Operation = "exporter.updated"
	OpPaused  registry.Operation = "exporter.paused"
	OpResumed registry.Operation = "exporter.resumed"
	OpReset   registry.Operation = "exporter.reset"
	OpDeleted registry.Operation = "exporter.deleted"
)

// Operations lists the operations of the exporters' audit entries, for
// callers that validate a filter beside registry.Operations.
func Operations() []registry.Operation {
	return []registry.Operation{OpCreated, OpUpdated, OpPaused, OpResumed, OpReset, OpDeleted}
}

// audit adds to mu the audit entry of op on the exporter (its definition
// with secrets hidden, before and after).
func audit(mu *registry.Mutation, op registry.Operation, before, after *definition) error {
	e := registry.AuditEntry{Operation: op}
	if before != nil {
		e.Before, _ = json.Marshal(before.view())
	}
	if after != nil {
		e.After, _ = json.Marshal(after.view())
	}
	return mu.Audit(e)
}

// Instance returns the name this instance holds the lease under.
func (m *Manager) Instance() string { return m.cfg.Instance }

// wakeLocked wakes everything waiting for a change of definitions or the
// lease. Call it with mu held.
func (m *Manager) wakeLocked() {
	close(m.wake)
	m.wake = make(chan struct{})
}

func (m *Manager) wakeChan() <-chan struct{} {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.wake
}

func checkContextName(c string) error {
	if c == "" || c[0] == '.' {
		return errors.New("empty or starting with '.'")
	}
	for _, r := range c {
		if r == ':' || r < 0x20 || r == 0x7f {
			return errors.New("holds ':' or a control character")
		}
	}
	return nil
}

// Names lists the exporters, sorted (GET /exporters).
func (m *Manager) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return sortedKeys(m.defs)
}

// Get returns an exporter's definition, secrets hidden.
func (m *Manager) Get(name string) (Exporter, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d, ok := m.defs[name]
	if !ok {
		return Exporter{}, errNotFound(name)
	}
	return d.view(), nil
}

// Config returns an exporter's destination config, secrets hidden.
func (m *Manager) Config(name string) (map[string]string, error) {
	e, err := m.Get(name)
	if err != nil {
		return nil, err
	}
	return e.Config, nil
}

// Status returns an exporter's status as /status answers it.
func (m *Manager) Status(name string) (Status, error) {
	p, err := m.Progress(name)
	return p.Status, err
}

// Progress returns an exporter's status with its lag and owner.
func (m *Manager) Progress(name string) (Progress, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if _, ok := m.defs[name]; !ok {
		return Progress{}, errNotFound(name)
	}
	return m.progressLocked(name), nil
}

// List returns every exporter's progress, sorted by name, for the
// catalogue.
func (m *Manager) List() []Progress {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Progress, 0, len(m.defs))
	for _, n := range sortedKeys(m.defs) {
		out = append(out, m.progressLocked(n))
	}
	return out
}

func (m *Manager) progressLocked(name string) Progress {
	st, ok := m.status[name]
	if !ok {
		st = statusValue{State: StateStarting}
	}
	p := Progress{Status: Status{Name: name, State: st.State, Offset: st.Offset, Ts: st.Ts, Trace: st.Trace}, Lag: st.Lag, Owner: st.Owner}
	if lag, ok := m.live[name]; ok {
		p.Lag = lag
	}
	return p
}

func (m *Manager) now() int64 { return m.cfg.Now().UnixMilli() }

// write appends what build returns, decided with the manager's state
// read-locked on the applied state caught up with the log: the writes the
// exporters' machinery makes for no request (statuses, subject records,
// the lease), which take no audit entry.
func (m *Manager) write(ctx context.Context, build func() ([]storage.Record, error)) error {
	return m.svc.MutateSystem(ctx, func(mu *registry.Mutation) error {
		m.mu.RLock()
		defer m.mu.RUnlock()
		recs, err := build()
		if err != nil {
			return err
		}
		mu.Append(recs...)
		return nil
	})
}

// mutate is an exporter write made for a request: admins only (the
// principal is found first, 40101 without one), then decide with the
// manager's state read-locked, its audit entry in the same batch. what
// names the write in its errors ("create exporter \"dr\"").
func (m *Manager) mutate(ctx context.Context, what string, decide func(mu *registry.Mutation) error) error {
	err := m.svc.MutateAlone(ctx, nil, func(mu *registry.Mutation) error {
		if err := mu.RequireAdmin("manage exporters"); err != nil {
			return err
		}
		m.mu.RLock()
		defer m.mu.RUnlock()
		return decide(mu)
	})
	if err != nil {
		return registry.WriteError(err, what, what)
	}
	return nil
}

// Create adds an exporter (POST /exporters). It starts at once unless the
// cluster's runner is paused.
func (m *Manager) Create(ctx context.Context, e Exporter) (string, error) {
	err := m.mutate(ctx, fmt.Sprintf("create exporter %q", e.Name), func(mu *registry.Mutation) error {
		e, err := normalize(e)
		if err != nil {
			return err
		}
		if _, ok := m.defs[e.Name]; ok {
			return errAlreadyExists(e.Name)
		}
		if len(m.defs) >= m.cfg.MaxExporters {
			return errTooMany(m.cfg.MaxExporters)
		}
		d := definition{Exporter: e, Generation: 1}
		recs, err := m.defAndStatus(d, statusValue{State: StateStarting, Ts: m.now(), Generation: d.Generation})
		if err != nil {
			return err
		}
		mu.Append(recs...)
		return audit(mu, OpCreated, nil, &d)
	})
	if err != nil {
		return "", err
	}
	return e.Name, nil
}

func (m *Manager) defAndStatus(d definition, st statusValue) ([]storage.Record, error) {
	r1, err := m.defRecord(d)
	if err != nil {
		return nil, err
	}
	r2, err := m.statusRecord(d.Name, st)
	if err != nil {
		return nil, err
	}
	return []storage.Record{r1, r2}, nil
}

// change applies fn to a paused-or-not definition and writes it with a
// new generation and the status st returns.
func (m *Manager) change(ctx context.Context, name, what string, op registry.Operation, fn func(d *definition, st *statusValue) error) error {
	return m.mutate(ctx, fmt.Sprintf("%s exporter %q", what, name), func(mu *registry.Mutation) error {
		if CheckName(name) != nil {
			// No exporter can have such a name: it is not found, as for a
			// read (the invalid-name answer is for creating one).
			return errNotFound(name)
		}
		d, ok := m.defs[name]
		if !ok {
			return errNotFound(name)
		}
		before := d
		st := m.status[name]
		if err := fn(&d, &st); err != nil {
			if errors.Is(err, errUnchanged) {
				return nil
			}
			return err
		}
		d.Generation++
		st.Generation = d.Generation
		st.Ts = m.now()
		recs, err := m.defAndStatus(d, st)
		if err != nil {
			return err
		}
		mu.Append(recs...)
		return audit(mu, op, &before, &d)
	})
}

// Update changes a paused exporter's definition (PUT /exporters/{name});
// a running one is refused with 40963.
func (m *Manager) Update(ctx context.Context, name string, u Update) error {
	return m.change(ctx, name, "update", OpUpdated, func(d *definition, _ *statusValue) error {
		if !d.Paused {
			return errNotPaused(name)
		}
		next, err := normalize(d.apply(u))
		if err != nil {
			return err
		}
		d.Exporter = next
		return nil
	})
}

// SetConfig merges cfg into a paused exporter's destination config (PUT
// /exporters/{name}/config). A hidden value sent back keeps the secret.
func (m *Manager) SetConfig(ctx context.Context, name string, cfg map[string]string) error {
	return m.Update(ctx, name, Update{Config: cfg})
}

// errUnchanged tells change that the operation leaves the exporter as it
// is: nothing is written, not even an audit entry, as for a registration
// the registry already holds.
var errUnchanged = errors.New("exporter unchanged")

// Pause stops an exporter where it is; pausing a paused one answers as
// the first pause did and writes nothing.
func (m *Manager) Pause(ctx context.Context, name string) error {
	return m.change(ctx, name, "pause", OpPaused, func(d *definition, st *statusValue) error {
		if d.Paused {
			return errUnchanged
		}
		d.Paused = true
		st.State, st.Trace = StatePaused, ""
		return nil
	})
}

// Resume starts a paused exporter again from where it stopped, or one in
// ERROR again; one that runs is refused with 40961, as Confluent does.
func (m *Manager) Resume(ctx context.Context, name string) error {
	return m.change(ctx, name, "resume", OpResumed, func(d *definition, st *statusValue) error {
		if !d.Paused && st.State != StateError {
			return errAlreadyRunning(name)
		}
		d.Paused = false
		st.State, st.Trace = StateStarting, ""
		return nil
	})
}

// Reset makes a paused exporter start over: its offset goes back to 0 and,
// once resumed, it compares every subject with the destination again.
func (m *Manager) Reset(ctx context.Context, name string) error {
	return m.change(ctx, name, "reset", OpReset, func(d *definition, st *statusValue) error {
		if !d.Paused {
			return errNotPaused(name)
		}
		st.Offset, st.Lag, st.Trace = 0, 0, ""
		return nil
	})
}

// Delete removes an exporter and its progress. What it exported stays on
// the destination.
func (m *Manager) Delete(ctx context.Context, name string) error {
	return m.mutate(ctx, fmt.Sprintf("delete exporter %q", name), func(mu *registry.Mutation) error {
		if CheckName(name) != nil {
			// No exporter can have such a name: it is not found, as for a
			// read (the invalid-name answer is for creating one).
			return errNotFound(name)
		}
		d, ok := m.defs[name]
		if !ok {
			return errNotFound(name)
		}
		mu.Append(m.defRecs.Tombstone(name), m.statusRecs.Tombstone(name))
		for _, dest := range sortedKeys(m.trackedByLocked(name)) {
			mu.Append(m.subjectTombstone(name, dest))
		}
		return audit(mu, OpDeleted, &d, nil)
	})
}
