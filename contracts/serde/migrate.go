package serde

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// migration is how payloads of one writer schema become values of the
// reader's version: the reader's parsed schema and the versions whose
// migration rules run, in the order they run.
type migration struct {
	reader *parsed
	steps  []migrationStep
}

type migrationStep struct {
	mode   rules.Mode
	schema *client.Schema
}

type migrationKey struct {
	subject        string
	writer, reader int
}

// readsLatest reports whether the Deserializer was given a reader version
// (UseLatest or UseLatestWithMetadata).
func (d *Deserializer) readsLatest() bool {
	return d.cfg.useLatest || d.cfg.useMetadata != nil
}

// migrationFor returns the migration from the writer schema w to the
// reader's version of the subject, or nil when the writer's schema is the
// reader's. The plan is cached per writer and reader id; the reader's
// choice is as fresh as the client's LatestTTL.
func (d *Deserializer) migrationFor(ctx context.Context, topic string, w *parsed) (*migration, string, error) {
	mg, ok := d.codec.(migrator)
	if !ok {
		return nil, "", nil
	}
	record := mg.migrationRecord(w)
	subject, err := d.cfg.strategy(topic, d.cfg.key, record)
	if err != nil {
		return nil, "", &Error{Kind: KindSchema, Topic: topic, SchemaID: w.id, Err: err}
	}
	cl := d.res.cl
	var reader *client.Schema
	if d.cfg.useMetadata != nil {
		reader, err = cl.LatestWithMetadata(ctx, subject, d.cfg.useMetadata)
	} else {
		reader, err = cl.Latest(ctx, subject)
	}
	if err != nil {
		return nil, "", classify(topic, w.id, err)
	}
	if reader.ID == w.id {
		return nil, subject, nil
	}
	key := migrationKey{subject, w.id, reader.ID}
	if m, ok := d.migrations.Load(key); ok {
		return m.(*migration), subject, nil
	}
	m, err := d.plan(ctx, subject, w, reader)
	if err != nil {
		return nil, "", classify(topic, w.id, err)
	}
	actual, _ := d.migrations.LoadOrStore(key, m)
	return actual.(*migration), subject, nil
}

// plan finds the writer's version under subject and lists the versions
// between it and the reader's, as Confluent's serdes do: with a newer
// reader, the UPGRADE rules of every version after the writer's up to the
// reader's, oldest first; with an older reader, the DOWNGRADE rules of
// every version after the reader's up to the writer's, newest first.
func (d *Deserializer) plan(ctx context.Context, subject string, w *parsed, reader *client.Schema) (*migration, error) {
	cl := d.res.cl
	rp, err := d.res.parse(ctx, reader.ID, reader)
	if err != nil {
		return nil, err
	}
	m := &migration{reader: rp}
	found, err := cl.Lookup(ctx, subject, *w.info, false)
	if err != nil {
		return nil, fmt.Errorf("find the writer's version (schema id %d) under subject %q: %w", w.id, subject, err)
	}
	wv, rv := found.Version, reader.Version
	if wv == rv || d.res.engine == nil {
		return m, nil
	}
	mode, lo, hi := rules.Upgrade, wv, rv
	if wv > rv {
		mode, lo, hi = rules.Downgrade, rv, wv
	}
	versions, err := cl.Versions(ctx, subject)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if v <= lo || v > hi {
			continue
		}
		var s *client.Schema
		switch v {
		case rv:
			s = reader
		case wv:
			s = w.info
		default:
			if s, err = cl.SchemaByVersion(ctx, subject, v); err != nil {
				return nil, err
			}
		}
		if d.res.engine.Migrates(s, mode) {
			m.steps = append(m.steps, migrationStep{mode: mode, schema: s})
		}
	}
	if mode == rules.Downgrade {
		slices.Reverse(m.steps)
	}
	return m, nil
}

// migrate decodes body with the writer's schema, runs the migration steps
// on its JSON form and encodes the result with the reader's schema, so the
// rest of deserialize reads it as if the reader's version had written it.
func (d *Deserializer) migrate(ctx context.Context, topic, subject string, w *parsed, m *migration, body []byte, skip []string) ([]byte, error) {
	decodeErr := func(err error) error { return &Error{Kind: KindDecode, Topic: topic, SchemaID: w.id, Err: err} }
	mg := d.codec.(migrator) // migrationFor planned m, so the codec migrates
	msg, unchanged, err := mg.migrationValue(d, w, body, len(m.steps))
	if err != nil {
		return nil, decodeErr(err)
	}
	if unchanged {
		return body, nil
	}
	info := rules.Info{Subject: subject, Topic: topic, Skip: skip}
	for _, st := range m.steps {
		out, err := d.res.engine.Migrate(ctx, st.mode, st.schema, msg, info)
		if err != nil {
			var re *rules.Error
			if errors.As(err, &re) {
				return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: w.id, Err: err}
			}
			return nil, err
		}
		msg = out
	}
	b, err := mg.migrated(m.reader, msg)
	if err != nil {
		return nil, decodeErr(err)
	}
	return b, nil
}
