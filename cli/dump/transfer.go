package dump

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// Export reads every subject (soft-deleted ones too), every version with
// its id, references, metadata and rule set, every config and every mode.
func Export(ctx context.Context, c *client.Client) (Registry, error) {
	var r Registry
	var err error
	var cfg []byte
	if cfg, err = c.Config(ctx, "", false); err != nil {
		return r, fmt.Errorf("global config: %w", err)
	}
	r.Config = Config(cfg)
	if r.Mode, err = c.Mode(ctx, "", false); err != nil {
		return r, fmt.Errorf("global mode: %w", err)
	}
	subjects, err := c.Subjects(ctx, "", true)
	if err != nil {
		return r, fmt.Errorf("list subjects: %w", err)
	}
	slices.Sort(subjects)
	for _, name := range subjects {
		s, err := exportSubject(ctx, c, name)
		if err != nil {
			return r, fmt.Errorf("subject %s: %w", name, err)
		}
		r.Subjects = append(r.Subjects, s)
	}
	return r, nil
}

func exportSubject(ctx context.Context, c *client.Client, name string) (Subject, error) {
	s := Subject{Subject: name, Versions: []Version{}}
	all, err := c.AllVersions(ctx, name)
	if err != nil {
		return s, err
	}
	// A registry may not flag soft-deleted versions in the version itself;
	// the difference between the two lists does.
	live, err := c.Versions(ctx, name)
	if err != nil && !client.HasCode(err, confluent.CodeSubjectNotFound) {
		return s, err
	}
	for _, v := range all {
		got, err := c.Version(ctx, name, strconv.Itoa(v), true)
		if err != nil {
			return s, fmt.Errorf("version %d: %w", v, err)
		}
		sc, err := VersionOf(got)
		if err != nil {
			return s, fmt.Errorf("version %d: %w", v, err)
		}
		sc.Subject = ""
		sc.Deleted = !slices.Contains(live, v)
		s.Versions = append(s.Versions, sc)
	}
	cfg, err := c.Config(ctx, name, false)
	switch {
	case err == nil:
		s.Config = Config(cfg)
	case !client.HasCode(err, confluent.CodeSubjectCompatibilityNotSet, confluent.CodeSubjectNotFound):
		return s, fmt.Errorf("config: %w", err)
	}
	mode, err := c.Mode(ctx, name, false)
	switch {
	case err == nil:
		s.Mode = mode
	case !client.HasCode(err, confluent.CodeSubjectModeNotSet, confluent.CodeSubjectNotFound):
		return s, fmt.Errorf("mode: %w", err)
	}
	return s, nil
}

// Report counts what Import did.
type Report struct {
	Versions int
	Deleted  int
	Configs  int
	Modes    int
}

// item is one version to register, with its subject.
type item struct {
	subject string
	schema  Version
}

func (it item) key() string { return it.subject + "\x00" + strconv.Itoa(it.schema.Version) }

// order sorts versions by id and then moves each after the versions it
// refers to, so the target can resolve every reference when it arrives.
func order(r Registry) ([]item, error) {
	var all []item
	byKey := map[string]item{}
	for _, s := range r.Subjects {
		for _, v := range s.Versions {
			it := item{subject: s.Subject, schema: v}
			all = append(all, it)
			byKey[it.key()] = it
		}
	}
	slices.SortStableFunc(all, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.schema.ID, b.schema.ID), cmp.Compare(a.subject, b.subject), cmp.Compare(a.schema.Version, b.schema.Version))
	})
	var out []item
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(it item) error
	visit = func(it item) error {
		switch state[it.key()] {
		case 1:
			return fmt.Errorf("subject %s version %d is part of a reference cycle", it.subject, it.schema.Version)
		case 2:
			return nil
		}
		state[it.key()] = 1
		for _, ref := range it.schema.References {
			dep, ok := byKey[ref.Subject+"\x00"+strconv.Itoa(ref.Version)]
			if !ok {
				continue // the target may already hold it; registration will tell
			}
			if err := visit(dep); err != nil {
				return err
			}
		}
		state[it.key()] = 2
		out = append(out, it)
		return nil
	}
	for _, it := range all {
		if err := visit(it); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Import restores r into the registry behind c with the same ids and
// versions: it switches the registry to IMPORT mode (with force, as the
// target may hold schemas already), registers every version in an order
// that puts references first, soft-deletes the versions that were
// soft-deleted, restores configs and subject modes, and finally sets the
// global mode to the exported one. Registering a version the target
// already holds with the same id is a no-op, so a failed import can be
// run again; until it succeeds the target stays in IMPORT mode.
func Import(ctx context.Context, c *client.Client, r Registry, progress func(subject string, version, id int)) (Report, error) {
	var rep Report
	items, err := order(r)
	if err != nil {
		return rep, err
	}
	if err := c.SetMode(ctx, "", "IMPORT", true); err != nil {
		return rep, fmt.Errorf("switch the target to IMPORT mode: %w", err)
	}
	rep.Versions, err = importAll(ctx, c, items, progress)
	if err != nil {
		return rep, err
	}
	// Dependents before what they depend on, so no delete is refused for
	// a reference that is about to go too.
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if !it.schema.Deleted {
			continue
		}
		if err := c.DeleteVersion(ctx, it.subject, it.schema.Version, false); err != nil {
			return rep, fmt.Errorf("soft-delete subject %s version %d: %w", it.subject, it.schema.Version, err)
		}
		rep.Deleted++
	}
	if len(r.Config) > 0 && string(r.Config) != "null" {
		if _, err := SetConfig(ctx, c, "", r.Config); err != nil {
			return rep, fmt.Errorf("global config: %w", err)
		}
		rep.Configs++
	}
	for _, s := range r.Subjects {
		if len(s.Config) == 0 || string(s.Config) == "null" {
			continue
		}
		if _, err := SetConfig(ctx, c, s.Subject, s.Config); err != nil {
			return rep, fmt.Errorf("subject %s config: %w", s.Subject, err)
		}
		rep.Configs++
	}
	for _, s := range r.Subjects {
		if s.Mode == "" {
			continue
		}
		if err := c.SetMode(ctx, s.Subject, s.Mode, true); err != nil {
			return rep, fmt.Errorf("subject %s mode: %w", s.Subject, err)
		}
		rep.Modes++
	}
	mode := r.Mode
	if mode == "" {
		mode = "READWRITE"
	}
	if err := c.SetMode(ctx, "", mode, true); err != nil {
		return rep, fmt.Errorf("set the target's global mode back to %s: %w", mode, err)
	}
	return rep, nil
}

// importWorkers is how many versions are imported at once: a registry
// that decides concurrent registrations together (charter does) then
// writes many with one fsync or transaction.
const importWorkers = 16

// errAfterFailure marks a version not imported because one it waits for
// failed.
var errAfterFailure = errors.New("not imported: an earlier version failed")

// importAll imports items with up to importWorkers at once. A version
// starts only once the subject's version before it and the versions it
// references (items before it) are in, so the target sees them in an
// order it accepts; progress is reported, and the first error returned,
// in items' order, as if they were imported one by one. After a failure
// no new version starts; the few already started finish.
func importAll(ctx context.Context, c *client.Client, items []item, progress func(subject string, version, id int)) (int, error) {
	n := len(items)
	deps := make([][]int, n)
	index := map[string]int{}
	last := map[string]int{}
	for i, it := range items {
		if p, ok := last[it.subject]; ok {
			deps[i] = append(deps[i], p)
		}
		last[it.subject] = i
		for _, ref := range it.schema.References {
			if j, ok := index[ref.Subject+"\x00"+strconv.Itoa(ref.Version)]; ok {
				deps[i] = append(deps[i], j)
			}
		}
		index[it.key()] = i
	}
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	errs := make([]error, n)
	var stop atomic.Bool
	var wg sync.WaitGroup
	sem := make(chan struct{}, importWorkers)
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		for i := range items {
			sem <- struct{}{}
			if stop.Load() {
				<-sem
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer close(done[i])
				for _, j := range deps[i] {
					<-done[j]
					if errs[j] != nil {
						errs[i] = errAfterFailure
						return
					}
				}
				errs[i] = importItem(ctx, c, items[i])
			}()
		}
	}()
	imported := 0
	var first error
	for i, it := range items {
		<-done[i]
		if errs[i] != nil {
			first = errs[i]
			stop.Store(true)
			break
		}
		imported++
		if progress != nil {
			progress(it.subject, it.schema.Version, it.schema.ID)
		}
	}
	<-dispatched
	wg.Wait()
	return imported, first
}

// importItem imports one version and checks that the target kept its id
// and version.
func importItem(ctx context.Context, c *client.Client, it item) error {
	v := it.schema
	sc, err := v.schema()
	if err != nil {
		return fmt.Errorf("subject %s version %d (id %d): %w", it.subject, v.Version, v.ID, err)
	}
	got, err := importVersion(ctx, c, it.subject, sc)
	if err != nil {
		return fmt.Errorf("subject %s version %d (id %d): %w; the target is left in IMPORT mode, run import again once fixed", it.subject, v.Version, v.ID, err)
	}
	if got.ID != v.ID || got.Version != v.Version {
		return fmt.Errorf("subject %s: the target stored version %d with id %d, expected version %d with id %d", it.subject, got.Version, got.ID, v.Version, v.ID)
	}
	return nil
}

// importVersion registers s with its id and version. Some registries
// answer with the id only; the version is then looked up.
func importVersion(ctx context.Context, c *client.Client, subject string, s confluent.Schema) (*confluent.Schema, error) {
	got, err := c.Import(ctx, subject, s)
	if err != nil || got.Version != 0 {
		return got, err
	}
	s.ID, s.Version = 0, 0
	found, err := c.Lookup(ctx, subject, s, false)
	if err != nil {
		return nil, err
	}
	got.Version = found.Version
	if got.ID == 0 {
		got.ID = found.ID
	}
	return got, nil
}
