package registrytest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// replaySchemaValue is a SCHEMA value in Confluent's layout.
type replaySchemaValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
	Deleted bool   `json:"deleted"`
}

// WriteReplayLog appends records records to l shaped like a busy
// registry's _schemas topic: about 95% SCHEMA records (Avro, 260 to 440
// bytes, about five versions per subject), 3% per-subject CONFIG, and soft
// deletes, hard-delete tombstones and DELETE_SUBJECT records for the rest.
// It appends in batches of 1000 and returns a line of statistics about
// what it wrote.
func WriteReplayLog(ctx context.Context, l storage.Log, records int) (string, error) {
	subjects := max(records/5, 1)
	var schemaBytes int
	type written struct{ subject, version, id int }
	var (
		batch   []storage.Record
		schemas []written
		soft    []written
		next    int
	)
	subject := func(s int) string { return fmt.Sprintf("team%d.orders-%d-value", s%50, s) }
	key := func(w written) []byte {
		return registry.Key{Type: registry.KeySchema, Subject: subject(w.subject), Version: w.version, Magic: 1}.Encode()
	}
	schemaValue := func(w written, deleted bool) ([]byte, error) {
		text := replaySchema(w.subject, w.version)
		if !deleted {
			schemaBytes += len(text)
		}
		return json.Marshal(replaySchemaValue{Subject: subject(w.subject), Version: w.version, ID: w.id, Schema: text, Deleted: deleted})
	}
	for i := range records {
		var r storage.Record
		switch m := i % 100; {
		case m < 3 && len(schemas) > 0:
			s := schemas[(i*7919)%len(schemas)].subject
			level := []string{"BACKWARD", "FULL", "FORWARD_TRANSITIVE"}[m]
			r = storage.Record{Key: registry.Key{Type: registry.KeyConfig, Subject: subject(s)}.Encode(), Value: []byte(`{"compatibilityLevel":"` + level + `"}`)}
		case m == 3 && len(schemas) > 0:
			w := schemas[(i*104729)%len(schemas)]
			v, err := schemaValue(w, true)
			if err != nil {
				return "", err
			}
			soft = append(soft, w)
			r = storage.Record{Key: key(w), Value: v}
		case m == 4 && len(soft) > 0:
			w := soft[len(soft)-1]
			soft = soft[:len(soft)-1]
			r = storage.Record{Key: key(w)}
		case m == 5 && i%1000 == 5 && len(schemas) > 0:
			w := schemas[(i*31)%len(schemas)]
			v, err := json.Marshal(map[string]any{"subject": subject(w.subject), "version": w.version})
			if err != nil {
				return "", err
			}
			r = storage.Record{Key: registry.Key{Type: registry.KeyDeleteSubject, Subject: subject(w.subject)}.Encode(), Value: v}
		default:
			w := written{subject: next % subjects, version: next/subjects + 1, id: next + 1}
			next++
			v, err := schemaValue(w, false)
			if err != nil {
				return "", err
			}
			schemas = append(schemas, w)
			r = storage.Record{Key: key(w), Value: v}
		}
		batch = append(batch, r)
		if len(batch) == 1000 || i == records-1 {
			if _, err := l.Append(ctx, batch...); err != nil {
				return "", err
			}
			batch = batch[:0]
		}
	}
	return fmt.Sprintf("records=%d schemas=%d subjects=%d avg-schema-bytes=%d", records, next, min(next, subjects), schemaBytes/max(next, 1)), nil
}

// replaySchema is version v of subject s's Avro schema in the logs
// WriteReplayLog writes: each version adds one optional field to the one
// before.
func replaySchema(s, v int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"record","name":"Order","namespace":"com.acme.team%d","fields":[`+
		`{"name":"id","type":"string"},{"name":"customer","type":"long"},{"name":"amount","type":"double"},`+
		`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]}}`, s)
	for f := 2; f <= v; f++ {
		fmt.Fprintf(&b, `,{"name":"extra%d","type":"long","default":0}`, f)
	}
	b.WriteString(`]}`)
	return b.String()
}

// ResetPeakRSS resets the process's peak resident set size (Linux: writes
// 5 to /proc/self/clear_refs); elsewhere it does nothing.
func ResetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// PeakRSS reads the process's peak resident set size (VmHWM) in bytes. It
// reports false where /proc/self/status is not there to read.
func PeakRSS() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}
