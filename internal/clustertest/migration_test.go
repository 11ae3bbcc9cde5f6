package clustertest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/internal/registrytest"
)

// confluentRecord is one record of a Confluent _schemas topic, key and
// value exactly as Confluent's registry serialises them (a nil value is a
// tombstone).
type confluentRecord struct {
	key, value string
	tombstone  bool
}

func schemaRecord(subjectVersionKey, value string) confluentRecord {
	return confluentRecord{key: subjectVersionKey, value: value}
}

// Schemas of the migrated registry.
const (
	orderV1 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}`
	orderV2 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}`
	orderV3 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""},{"name":"qty","type":"int","default":1}]}`
	payment = `{"type":"object","properties":{"amount":{"type":"number"}}}`
	oldV1   = `{"type":"record","name":"Old","fields":[{"name":"a","type":"int"}]}`
	oldV2   = `{"type":"record","name":"Old","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}`
	goneV1  = `{"type":"record","name":"Gone","fields":[{"name":"g","type":"int"}]}`
	fresh   = `{"type":"record","name":"Fresh","fields":[{"name":"x","type":"int"}]}`
)

// jsonString quotes s as a JSON string, as Jackson writes a schema field.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// confluentLog is a registry's history in Confluent's record format: the
// keytypes and the layouts of several Confluent versions (global CONFIG
// keys with "subject":null and without a subject; CONFIG and MODE values
// with and without the subject), soft deletes by rewritten SCHEMA records
// and by DELETE_SUBJECT, hard deletes by tombstones, and NOOP markers.
func confluentLog() []confluentRecord {
	return []confluentRecord{
		{key: `{"keytype":"NOOP","magic":0}`, tombstone: true},
		{key: `{"keytype":"CONFIG","subject":null,"magic":0}`, value: `{"compatibilityLevel":"FULL"}`},
		schemaRecord(`{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}`,
			`{"subject":"orders-value","version":1,"id":1,"schema":`+jsonString(orderV1)+`,"deleted":false}`),
		schemaRecord(`{"keytype":"SCHEMA","subject":"orders-value","version":2,"magic":1}`,
			`{"subject":"orders-value","version":2,"id":2,"schema":`+jsonString(orderV2)+`,"deleted":false}`),
		// The same schema under another subject shares its id.
		schemaRecord(`{"keytype":"SCHEMA","subject":"customers-value","version":1,"magic":1}`,
			`{"subject":"customers-value","version":1,"id":1,"schema":`+jsonString(orderV1)+`,"deleted":false}`),
		{key: `{"keytype":"CONFIG","subject":"orders-value","magic":0}`, value: `{"subject":"orders-value","compatibilityLevel":"NONE"}`},
		schemaRecord(`{"keytype":"SCHEMA","subject":"payments-value","version":1,"magic":1}`,
			`{"subject":"payments-value","version":1,"id":3,"schemaType":"JSON","references":[],"schema":`+jsonString(payment)+`,"deleted":false}`),
		// A hard-deleted schema: soft delete, then the tombstone.
		schemaRecord(`{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}`,
			`{"subject":"gone-value","version":1,"id":4,"schema":`+jsonString(goneV1)+`,"deleted":false}`),
		schemaRecord(`{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}`,
			`{"subject":"gone-value","version":1,"id":4,"schema":`+jsonString(goneV1)+`,"deleted":true}`),
		{key: `{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}`, tombstone: true},
		// Soft delete of one version: the SCHEMA record rewritten.
		schemaRecord(`{"keytype":"SCHEMA","subject":"orders-value","version":2,"magic":1}`,
			`{"subject":"orders-value","version":2,"id":2,"schema":`+jsonString(orderV2)+`,"deleted":true}`),
		schemaRecord(`{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}`,
			`{"subject":"orders-value","version":3,"id":5,"schema":`+jsonString(orderV3)+`,"deleted":false}`),
		schemaRecord(`{"keytype":"SCHEMA","subject":"old-value","version":1,"magic":1}`,
			`{"subject":"old-value","version":1,"id":6,"schema":`+jsonString(oldV1)+`,"deleted":false}`),
		schemaRecord(`{"keytype":"SCHEMA","subject":"old-value","version":2,"magic":1}`,
			`{"subject":"old-value","version":2,"id":7,"schema":`+jsonString(oldV2)+`,"deleted":false}`),
		// Soft delete of a whole subject.
		{key: `{"keytype":"DELETE_SUBJECT","subject":"old-value","magic":0}`, value: `{"subject":"old-value","version":2}`},
		{key: `{"keytype":"CONFIG","subject":"payments-value","magic":0}`, value: `{"compatibilityLevel":"FORWARD"}`},
		{key: `{"keytype":"CONFIG","subject":"legacy-value","magic":0}`, value: `{"compatibilityLevel":"BACKWARD"}`},
		{key: `{"keytype":"CONFIG","subject":"legacy-value","magic":0}`, tombstone: true},
		// Newer Confluent versions omit a null subject: this global CONFIG
		// replaces the one above.
		{key: `{"keytype":"CONFIG","magic":0}`, value: `{"compatibilityLevel":"BACKWARD_TRANSITIVE"}`},
		{key: `{"keytype":"MODE","subject":null,"magic":0}`, value: `{"mode":"READWRITE"}`},
		{key: `{"keytype":"MODE","subject":"payments-value","magic":0}`, value: `{"subject":"payments-value","mode":"READONLY"}`},
		{key: `{"keytype":"MODE","subject":"tmp-value","magic":0}`, value: `{"mode":"IMPORT"}`},
		{key: `{"keytype":"MODE","subject":"tmp-value","magic":0}`, tombstone: true},
		{key: `{"keytype":"NOOP","magic":0}`, tombstone: true},
	}
}

// writeConfluentTopic creates topic as Confluent does (one partition,
// compacted) and produces recs to it with a plain producer.
func writeConfluentTopic(t *testing.T, topic string, recs []confluentRecord) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm := admin(t)
	res, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact")}, topic)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		t.Fatalf("create %s: %v", topic, err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers(t)...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var krs []*kgo.Record
	for _, r := range recs {
		kr := &kgo.Record{Key: []byte(r.key), Partition: 0}
		if !r.tombstone {
			kr.Value = []byte(r.value)
		}
		krs = append(krs, kr)
	}
	if err := cl.ProduceSync(ctx, krs...).FirstErr(); err != nil {
		t.Fatalf("produce the Confluent records: %v", err)
	}
}

// TestMigrationFromConfluent points charter at a topic written in
// Confluent's _schemas format and checks that it serves the same ids,
// versions, deleted flags, configs and modes, and that new registrations
// continue the id sequence.
func TestMigrationFromConfluent(t *testing.T) {
	brokers(t)
	bin := registrytest.BuildBinary(t)
	topic := freshTopic(t, "migrate")
	writeConfluentTopic(t, topic, confluentLog())
	in := startInstance(t, bin, topic, "charter-migrated")
	in.waitReady(t, 90*time.Second)

	var sc registered
	for _, c := range []struct {
		id     int
		schema string
	}{{1, orderV1}, {2, orderV2}, {3, payment}, {5, orderV3}, {6, oldV1}, {7, oldV2}} {
		in.mustJSON(t, http.MethodGet, "/schemas/ids/"+strconv.Itoa(c.id), nil, http.StatusOK, &sc)
		if sc.Schema != c.schema {
			t.Errorf("id %d: schema %s, want %s", c.id, sc.Schema, c.schema)
		}
	}
	var typed struct {
		SchemaType string `json:"schemaType"`
	}
	in.mustJSON(t, http.MethodGet, "/schemas/ids/3", nil, http.StatusOK, &typed)
	if typed.SchemaType != "JSON" {
		t.Errorf("id 3: schemaType %q, want JSON", typed.SchemaType)
	}

	wantList := func(path string, want []int) {
		t.Helper()
		var got []int
		in.mustJSON(t, http.MethodGet, path, nil, http.StatusOK, &got)
		if !slices.Equal(got, want) {
			t.Errorf("GET %s = %v, want %v", path, got, want)
		}
	}
	wantList("/subjects/orders-value/versions", []int{1, 3})
	wantList("/subjects/orders-value/versions?deleted=true", []int{1, 2, 3})
	wantList("/subjects/old-value/versions?deleted=true", []int{1, 2})
	var uses []struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
	}
	in.mustJSON(t, http.MethodGet, "/schemas/ids/1/versions", nil, http.StatusOK, &uses)
	if len(uses) != 2 || uses[0].Subject != "customers-value" || uses[0].Version != 1 ||
		uses[1].Subject != "orders-value" || uses[1].Version != 1 {
		t.Errorf("GET /schemas/ids/1/versions = %+v, want customers-value/1 and orders-value/1", uses)
	}

	wantVersion := func(path string, id, version int, deleted bool) {
		t.Helper()
		var v struct {
			registered
			Deleted bool `json:"deleted"`
		}
		in.mustJSON(t, http.MethodGet, path, nil, http.StatusOK, &v)
		if v.ID != id || v.Version != version || v.Deleted != deleted {
			t.Errorf("GET %s = id %d version %d deleted %v, want id %d version %d deleted %v",
				path, v.ID, v.Version, v.Deleted, id, version, deleted)
		}
	}
	wantVersion("/subjects/orders-value/versions/1", 1, 1, false)
	wantVersion("/subjects/orders-value/versions/3", 5, 3, false)
	wantVersion("/subjects/orders-value/versions/latest", 5, 3, false)
	wantVersion("/subjects/orders-value/versions/2?deleted=true", 2, 2, true)
	wantVersion("/subjects/customers-value/versions/1", 1, 1, false)
	wantVersion("/subjects/old-value/versions/2?deleted=true", 7, 2, true)
	wantVersion("/subjects/payments-value/versions/1", 3, 1, false)

	wantError := func(path string, status, code int) {
		t.Helper()
		st, raw, err := in.get(context.Background(), path)
		if err != nil || st != status || errorCode(raw) != code {
			t.Errorf("GET %s = %d %s (%v), want %d with error_code %d", path, st, raw, err, status, code)
		}
	}
	wantError("/subjects/orders-value/versions/2", http.StatusNotFound, 40402)
	wantError("/subjects/old-value/versions", http.StatusNotFound, 40401)
	wantError("/subjects/gone-value/versions?deleted=true", http.StatusNotFound, 40401)
	wantError("/config/legacy-value", http.StatusNotFound, 40408)
	wantError("/mode/tmp-value", http.StatusNotFound, 40409)

	var subjects []string
	in.mustJSON(t, http.MethodGet, "/subjects", nil, http.StatusOK, &subjects)
	if !slices.Equal(slices.Sorted(slices.Values(subjects)), []string{"customers-value", "orders-value", "payments-value"}) {
		t.Errorf("GET /subjects = %v", subjects)
	}
	in.mustJSON(t, http.MethodGet, "/subjects?deleted=true", nil, http.StatusOK, &subjects)
	if !slices.Equal(slices.Sorted(slices.Values(subjects)), []string{"customers-value", "old-value", "orders-value", "payments-value"}) {
		t.Errorf("GET /subjects?deleted=true = %v", subjects)
	}

	wantField := func(path, field, want string) {
		t.Helper()
		var m map[string]any
		in.mustJSON(t, http.MethodGet, path, nil, http.StatusOK, &m)
		if m[field] != want {
			t.Errorf("GET %s: %s = %v, want %s (body %v)", path, field, m[field], want, m)
		}
	}
	wantField("/config", "compatibilityLevel", "BACKWARD_TRANSITIVE")
	wantField("/config/orders-value", "compatibilityLevel", "NONE")
	wantField("/config/payments-value", "compatibilityLevel", "FORWARD")
	wantField("/mode", "mode", "READWRITE")
	wantField("/mode/payments-value", "mode", "READONLY")

	// Lookups and new registrations continue Confluent's numbering.
	var found registered
	in.mustJSON(t, http.MethodPost, "/subjects/orders-value", map[string]string{"schema": orderV3}, http.StatusOK, &found)
	if found.ID != 5 || found.Version != 3 {
		t.Errorf("lookup of orders-value v3: id %d version %d, want 5 and 3", found.ID, found.Version)
	}
	var reg registered
	in.mustJSON(t, http.MethodPost, "/subjects/new-value/versions", map[string]string{"schema": orderV1}, http.StatusOK, &reg)
	if reg.ID != 1 {
		t.Errorf("an existing schema under a new subject got id %d, want 1", reg.ID)
	}
	in.mustJSON(t, http.MethodPost, "/subjects/fresh-value/versions", map[string]string{"schema": fresh}, http.StatusOK, &reg)
	if reg.ID != 8 || reg.Version != 1 {
		t.Errorf("a new schema got id %d version %d, want id 8 (after the highest id, 7) and version 1", reg.ID, reg.Version)
	}
	st, raw, err := in.call(context.Background(), http.MethodPost, "/subjects/payments-value/versions", map[string]string{"schema": fresh})
	if err != nil || st != http.StatusUnprocessableEntity || errorCode(raw) != 42205 {
		t.Errorf("register in a READONLY subject: %d %s %v, want 422 with 42205", st, raw, err)
	}
}
