package exporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// worker runs one exporter on the instance holding the lease.
type worker struct {
	m      *Manager
	def    definition
	cancel context.CancelFunc
	done   chan struct{}
	log    *slog.Logger

	dst *dest
	// have is what the destination holds, per destination subject, as
	// far as this worker has read or written it; nil entries are unread.
	have map[string]*image
	// modeSet lists the destination subjects this worker put in IMPORT
	// mode.
	modeSet map[string]bool
	// state, trace and offset are the last status written.
	state  State
	trace  string
	offset int64
}

// image is one subject's versions and config, on either side.
type image struct {
	versions map[int]versionInfo
	// config is the subject-level config as JSON; "" is none, and on the
	// destination side unknown means not read yet.
	config      string
	configKnown bool
}

type versionInfo struct {
	id      int
	deleted bool
}

func (m *Manager) startWorker(parent context.Context, d definition) *worker {
	ctx, cancel := context.WithCancel(parent)
	w := &worker{m: m, def: d, cancel: cancel, done: make(chan struct{}),
		log: m.cfg.Logger.With(slog.String("exporter", d.Name)), have: map[string]*image{}, modeSet: map[string]bool{}}
	m.mu.RLock()
	st := m.status[d.Name]
	m.mu.RUnlock()
	w.state, w.trace, w.offset = st.State, st.Trace, st.Offset
	go func() {
		defer close(w.done)
		w.run(ctx)
	}()
	return w
}

func (w *worker) stop() {
	w.cancel()
	<-w.done
	w.m.mu.Lock()
	delete(w.m.live, w.def.Name)
	_, exists := w.m.defs[w.def.Name]
	w.m.mu.Unlock()
	if !exists {
		w.m.metrics.forget(w.def.Name)
	}
}

func (w *worker) run(ctx context.Context) {
	if w.def.Paused {
		if w.state != StatePaused {
			_ = w.report(ctx, StatePaused, "", w.offset, 0)
		}
		<-ctx.Done()
		return
	}
	if w.state != StateStarting && w.state != StateRunning {
		if err := w.report(ctx, StateStarting, "", w.offset, 0); err != nil {
			return
		}
	}
	dst, err := newDest(w.def.Name, w.def.Config, w.m.cfg.RequestTimeout)
	if err != nil {
		w.fail(ctx, err)
		<-ctx.Done()
		return
	}
	defer dst.close()
	w.dst = dst
	// The change feed lives in governance; Attach answers the instance
	// already attached to the service.
	feed := governance.Attach(w.m.svc, governance.Config{})
	backoff := time.Duration(0)
	for {
		pos, _ := w.m.svc.Progress()
		err := w.pass(ctx, pos)
		if ctx.Err() != nil || errors.Is(err, errFenced) {
			return
		}
		if err != nil {
			w.m.metrics.failed(w.def.Name)
			w.log.Warn("export failed; retrying", slog.Any("error", err), slog.Duration("backoff", backoff))
			w.fail(ctx, err)
			// Read the destination again: the failure may have left it
			// anywhere between before and after the step.
			w.have = map[string]*image{}
			w.modeSet = map[string]bool{}
			backoff = min(max(2*backoff, 250*time.Millisecond), 30*time.Second)
			if !sleep(ctx, backoff) {
				return
			}
			continue
		}
		backoff = 0
		// Wait for the next change, or compare again after Poll anyway.
		wctx, cancel := context.WithTimeout(ctx, w.m.cfg.Poll)
		_, _ = feed.Changes(wctx, governance.ChangeQuery{Since: pos, Limit: 1, Wait: w.m.cfg.Poll, Viewer: governance.Everyone()})
		cancel()
		if ctx.Err() != nil {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (w *worker) fail(ctx context.Context, err error) {
	_ = w.report(ctx, StateError, err.Error(), w.offset, w.lag())
}

func (w *worker) lag() int {
	w.m.mu.RLock()
	defer w.m.mu.RUnlock()
	return w.m.live[w.def.Name]
}

func (w *worker) setLag(n int) {
	w.m.mu.Lock()
	w.m.live[w.def.Name] = n
	w.m.mu.Unlock()
}

// report writes the exporter's status, fenced: only while this instance
// holds the lease and the definition is the one the worker runs.
func (w *worker) report(ctx context.Context, s State, trace string, offset int64, lag int) error {
	name := w.def.Name
	err := w.m.write(ctx, func() ([]storage.Record, error) {
		d, ok := w.m.defs[name]
		if !ok || d.Generation != w.def.Generation || w.m.lease.Owner != w.m.cfg.Instance {
			return nil, errFenced
		}
		r, err := w.m.statusRecord(name, statusValue{State: s, Offset: offset, Ts: w.m.now(), Trace: trace, Lag: lag, Owner: w.m.cfg.Instance, Generation: d.Generation})
		if err != nil {
			return nil, err
		}
		return []storage.Record{r}, nil
	})
	if err == nil {
		if s != w.state {
			w.log.Info("exporter state", slog.String("state", string(s)), slog.Int64("offset", offset))
		}
		w.state, w.trace, w.offset = s, trace, offset
	}
	return err
}

// op is one step towards the destination, or a record of what the
// exporter writes there ("track" before the steps, "retrack" and
// "untrack" after them).
type op struct {
	kind    string // "import", "delete", "purge", "config", "unconfig", "track", "retrack", "untrack"
	source  string
	dest    string
	version int
	schema  registry.Schema
	config  string
	written map[int]int // track, retrack: the versions the exporter wrote, version to id
	err     error       // refuse: why the version is not deleted
}

// record reports whether o is one of the exporter's own records rather
// than a step sent to the destination.
func (o op) record() bool {
	return o.kind == "track" || o.kind == "retrack" || o.kind == "untrack" || o.kind == "refuse"
}

// pass brings the destination up to the source as it stands at pos.
func (w *worker) pass(ctx context.Context, pos int64) error {
	want, err := w.desired()
	if err != nil {
		return err
	}
	plan, err := w.plan(ctx, want)
	if err != nil {
		return err
	}
	pending := 0
	for _, o := range plan {
		if !o.record() {
			pending++
		}
	}
	w.setLag(pending)
	if err := w.trackAll(ctx, plan); err != nil {
		return err
	}
	done := 0
	for _, o := range plan {
		if o.kind == "refuse" {
			return o.err
		}
		if err := w.apply(ctx, o); err != nil {
			return fmt.Errorf("%s %s version %d: %w", o.kind, o.dest, o.version, err)
		}
		if !o.record() {
			done++
			w.m.metrics.exported(w.def.Name, o.kind)
			w.setLag(pending - done)
		}
	}
	if err := w.untrackAll(ctx, plan); err != nil {
		return err
	}
	if done > 0 || w.state != StateRunning {
		return w.report(ctx, StateRunning, "", pos, 0)
	}
	return nil
}

// desired reads the source: every matching subject with the subjects its
// versions reference, each under its destination name.
func (w *worker) desired() (map[string]*wanted, error) {
	svc := w.m.svc
	out := map[string]*wanted{}
	var add func(src string) error
	add = func(src string) error {
		dst := w.def.target("."+w.m.cfg.ClusterID, src)
		if _, ok := out[dst]; ok {
			return nil
		}
		vs, err := svc.Versions(src, true, false)
		if err != nil {
			if errors.Is(err, &registry.Error{Code: registry.CodeSubjectNotFound}) {
				return nil
			}
			return err
		}
		wt := &wanted{source: src, img: image{versions: map[int]versionInfo{}, configKnown: true}, schemas: map[int]registry.Schema{}}
		out[dst] = wt
		for _, v := range vs {
			sc, err := svc.Version(src, v, true)
			if err != nil {
				if errors.Is(err, &registry.Error{Code: registry.CodeVersionNotFound}) {
					continue
				}
				return err
			}
			wt.img.versions[v] = versionInfo{id: sc.ID, deleted: sc.Deleted}
			wt.schemas[v] = sc
			for _, r := range sc.References {
				if err := add(r.Subject); err != nil {
					return err
				}
			}
		}
		if cfg, err := svc.GetConfig(src, false); err == nil {
			wt.img.config = configBody(cfg)
		}
		return nil
	}
	// ":*:" lists the subjects of every context.
	for _, s := range svc.Subjects(":*:", true, false) {
		if w.def.matches(s) {
			if err := add(s); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// configBody is a subject config as PUT /config takes it: the level under
// "compatibility" (Confluent's request name; its answers say
// "compatibilityLevel").
func configBody(cfg registry.Config) string {
	b, _ := json.Marshal(cfg)
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return string(b)
	}
	if lvl, ok := m["compatibilityLevel"]; ok {
		delete(m, "compatibilityLevel")
		m["compatibility"] = lvl
	}
	out, _ := json.Marshal(m)
	return string(out)
}

type wanted struct {
	source  string
	img     image
	schemas map[int]registry.Schema
}

// load reads what the destination holds for subject d, once per worker
// session (the worker keeps it current as it writes), and checks that
// every version there carries the source's id.
func (w *worker) load(ctx context.Context, d string) (*image, error) {
	if img := w.have[d]; img != nil {
		return img, nil
	}
	all, err := w.dst.versions(ctx, d, true)
	if err != nil {
		return nil, err
	}
	live, err := w.dst.versions(ctx, d, false)
	if err != nil {
		return nil, err
	}
	img := &image{versions: map[int]versionInfo{}}
	for _, v := range all {
		sc, err := w.dst.version(ctx, d, v)
		if err != nil {
			if client.HasCode(err, confluent.CodeVersionNotFound) {
				continue
			}
			return nil, err
		}
		img.versions[v] = versionInfo{id: sc.ID, deleted: !slices.Contains(live, v)}
	}
	w.have[d] = img
	return img, nil
}

// plan lists the steps that bring the destination to want, references
// before the versions that use them. It deletes on the destination only
// versions this exporter wrote there (its EXPORTER_SUBJECT records say
// which, with their ids); a version the source does not hold and the
// exporter did not write stops the exporter in ERROR, untouched.
func (w *worker) plan(ctx context.Context, want map[string]*wanted) ([]op, error) {
	var plan []op
	// Deletes of versions only the destination holds come after every
	// import: should one be the destination's own, an import of the
	// source's schema under its id clashes (and stops the exporter)
	// before the version is gone and its id freed. A version the exporter
	// would delete but did not write stops the pass after the imports and
	// before any delete (refusals).
	var deletes, refusals []op
	w.m.mu.RLock()
	tracked := w.m.trackedByLocked(w.def.Name)
	for k, v := range tracked {
		tracked[k] = v.clone()
	}
	w.m.mu.RUnlock()
	visited := map[string]bool{}
	var visit func(d string) error
	visit = func(d string) error {
		if visited[d] {
			return nil
		}
		visited[d] = true
		wt := want[d]
		if wt == nil {
			// A reference to a subject the source does not hold; the
			// destination refuses the version that names it, and says so.
			return nil
		}
		for _, v := range sortedVersions(wt.img.versions) {
			for _, r := range wt.schemas[v].References {
				if err := visit(w.def.target("."+w.m.cfg.ClusterID, r.Subject)); err != nil {
					return err
				}
			}
		}
		have, err := w.load(ctx, d)
		if err != nil {
			return err
		}
		rec, isTracked := tracked[d]
		// written is what the exporter will have written once the plan
		// ran: what it wrote, what it imports now, and the versions the
		// destination holds with the source's id (exported before the
		// versions were recorded, or imported before a crash left the
		// record unwritten).
		written := map[int]int{}
		for v, id := range rec.Written {
			written[v] = id
		}
		for _, v := range sortedVersions(wt.img.versions) {
			sv := wt.img.versions[v]
			dv, ok := have.versions[v]
			switch {
			case !ok:
				written[v] = sv.id
				plan = append(plan, op{kind: "import", source: wt.source, dest: d, version: v, schema: wt.schemas[v]})
				if sv.deleted {
					plan = append(plan, op{kind: "delete", dest: d, version: v})
				}
			case dv.id != sv.id:
				return fmt.Errorf("id clash: destination subject %s version %d has id %d, the source's has id %d", d, v, dv.id, sv.id)
			case sv.deleted && !dv.deleted:
				written[v] = sv.id
				plan = append(plan, op{kind: "delete", dest: d, version: v})
			case !sv.deleted && dv.deleted:
				return fmt.Errorf("destination subject %s version %d is soft-deleted, the source's is not; a version cannot be undeleted", d, v)
			default:
				written[v] = sv.id
			}
		}
		after := maps.Clone(written)
		for v := range written {
			// Deleted on both sides (a purge whose record a crash lost).
			if _, ok := wt.img.versions[v]; !ok {
				if _, ok := have.versions[v]; !ok {
					delete(after, v)
				}
			}
		}
		for _, v := range sortedVersions(have.versions) {
			if _, ok := wt.img.versions[v]; !ok {
				if err := w.exportedByUs(rec, d, v, have.versions[v]); err != nil {
					refusals = append(refusals, op{kind: "refuse", dest: d, version: v, err: err})
					continue
				}
				if !have.versions[v].deleted {
					deletes = append(deletes, op{kind: "delete", dest: d, version: v})
				}
				deletes = append(deletes, op{kind: "purge", dest: d, version: v})
				delete(after, v)
			}
		}
		if !isTracked || !maps.Equal(written, rec.Written) || rec.Written == nil {
			plan = append(plan, op{kind: "track", source: wt.source, dest: d, written: written})
		}
		if !maps.Equal(after, written) {
			deletes = append(deletes, op{kind: "retrack", source: wt.source, dest: d, written: after})
		}
		if !have.configKnown || have.config != wt.img.config {
			if wt.img.config != "" {
				plan = append(plan, op{kind: "config", dest: d, config: wt.img.config})
			} else if have.config != "" || !have.configKnown {
				plan = append(plan, op{kind: "unconfig", dest: d})
			}
		}
		return nil
	}
	for _, d := range sortedKeys(want) {
		if err := visit(d); err != nil {
			return nil, err
		}
	}
	// Subjects this exporter wrote that it no longer exports: hard-deleted
	// on the source (delete what it wrote there), or no longer matched
	// (leave them).
	var gone []op
	for _, d := range sortedKeys(tracked) {
		if _, ok := want[d]; ok {
			continue
		}
		rec := tracked[d]
		if _, err := w.m.svc.Versions(rec.Source, true, false); err != nil && errors.Is(err, &registry.Error{Code: registry.CodeSubjectNotFound}) {
			have, err := w.load(ctx, d)
			if err != nil {
				return nil, err
			}
			for _, v := range sortedVersions(have.versions) {
				if err := w.exportedByUs(rec, d, v, have.versions[v]); err != nil {
					refusals = append(refusals, op{kind: "refuse", dest: d, version: v, err: err})
					continue
				}
				if !have.versions[v].deleted {
					gone = append(gone, op{kind: "delete", dest: d, version: v})
				}
				gone = append(gone, op{kind: "purge", dest: d, version: v})
			}
			gone = append(gone, op{kind: "unconfig", dest: d})
		}
		gone = append(gone, op{kind: "untrack", dest: d})
	}
	plan = append(plan, refusals...)
	plan = append(plan, deletes...)
	plan = append(plan, gone...)
	return plan, nil
}

// exportedByUs refuses to delete a destination version this exporter did
// not write: one registered on the destination itself (a standby that
// took writes after a failover), whose deletion would lose that
// registration and free its id for another schema. Its EXPORTER_SUBJECT
// record lists the versions it wrote with their ids; a record from before
// the list was kept falls back to the ids: one above every id the source
// assigned in its subject's context cannot be the source's.
func (w *worker) exportedByUs(rec subjectValue, dest string, version int, dv versionInfo) error {
	owned, legacy := rec.owns(version, dv.id)
	if owned {
		return nil
	}
	if legacy {
		if max := w.m.svc.MaxIDIn(confluent.ContextOf(rec.Source)); dv.id > max {
			return fmt.Errorf("destination subject %s version %d has id %d, above every id the source assigned (%d): it was registered on the destination, not exported; the exporter does not delete it (take it out of the exporter's subjects, or delete it on the destination)", dest, version, dv.id, max)
		}
		return nil
	}
	return fmt.Errorf("destination subject %s version %d (id %d) was not written by this exporter: it was registered on the destination, and the source does not hold it; the exporter does not delete it (take it out of the exporter's subjects, or delete it on the destination)", dest, version, dv.id)
}

func sortedVersions(m map[int]versionInfo) []int {
	out := make([]int, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// trackAll records, before anything is written there, every destination
// subject the plan writes and the versions it writes there.
func (w *worker) trackAll(ctx context.Context, plan []op) error {
	return w.fenced(ctx, func() ([]storage.Record, error) {
		var recs []storage.Record
		for _, o := range plan {
			if o.kind == "track" {
				r, err := w.m.subjectRecord(w.def.Name, o.dest, subjectValue{Source: o.source, Written: o.written})
				if err != nil {
					return nil, err
				}
				recs = append(recs, r)
			}
		}
		return recs, nil
	})
}

// untrackAll records, after the plan ran, the versions it deleted and the
// subjects the exporter no longer writes.
func (w *worker) untrackAll(ctx context.Context, plan []op) error {
	return w.fenced(ctx, func() ([]storage.Record, error) {
		var recs []storage.Record
		for _, o := range plan {
			switch o.kind {
			case "retrack":
				r, err := w.m.subjectRecord(w.def.Name, o.dest, subjectValue{Source: o.source, Written: o.written})
				if err != nil {
					return nil, err
				}
				recs = append(recs, r)
			case "untrack":
				recs = append(recs, w.m.subjectTombstone(w.def.Name, o.dest))
			}
		}
		return recs, nil
	})
}

func (w *worker) fenced(ctx context.Context, build func() ([]storage.Record, error)) error {
	return w.m.write(ctx, func() ([]storage.Record, error) {
		d, ok := w.m.defs[w.def.Name]
		if !ok || d.Generation != w.def.Generation || w.m.lease.Owner != w.m.cfg.Instance {
			return nil, errFenced
		}
		return build()
	})
}

// apply performs one step and records its effect in have.
func (w *worker) apply(ctx context.Context, o op) error {
	have := w.have[o.dest]
	switch o.kind {
	case "import":
		if !w.modeSet[o.dest] {
			if err := w.dst.setImportMode(ctx, o.dest); err != nil {
				return fmt.Errorf("set IMPORT mode: %w", err)
			}
			w.modeSet[o.dest] = true
		}
		sc := o.schema
		b := confluent.Schema{Schema: sc.Schema, SchemaType: sc.SchemaType, Metadata: sc.Metadata, RuleSet: sc.RuleSet, ID: sc.ID, Version: sc.Version}
		for _, r := range sc.References {
			b.References = append(b.References, confluent.Reference{Name: r.Name, Subject: w.def.target("."+w.m.cfg.ClusterID, r.Subject), Version: r.Version})
		}
		id, err := w.dst.register(ctx, o.dest, b)
		if err != nil {
			return err
		}
		if id != sc.ID {
			return fmt.Errorf("id clash: the destination registered the schema under id %d, the source's id is %d", id, sc.ID)
		}
		have.versions[o.version] = versionInfo{id: id}
	case "delete":
		if err := w.dst.deleteVersion(ctx, o.dest, o.version, false); err != nil {
			return err
		}
		if v, ok := have.versions[o.version]; ok {
			v.deleted = true
			have.versions[o.version] = v
		}
	case "purge":
		if err := w.dst.deleteVersion(ctx, o.dest, o.version, true); err != nil {
			return err
		}
		delete(have.versions, o.version)
	case "config":
		if err := w.dst.setConfig(ctx, o.dest, json.RawMessage(o.config)); err != nil {
			return err
		}
		have.config, have.configKnown = o.config, true
	case "unconfig":
		if err := w.dst.deleteConfig(ctx, o.dest); err != nil {
			return err
		}
		if have != nil {
			have.config, have.configKnown = "", true
		}
	}
	return nil
}
