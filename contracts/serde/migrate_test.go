package serde_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/internal/registrytest"
)

// migrationExample is rules/migration-example.json.
type migrationExample struct {
	Subject  string `json:"subject"`
	Versions []struct {
		Version    int              `json:"version"`
		SchemaFile string           `json:"schemaFile"`
		Metadata   *client.Metadata `json:"metadata"`
		RuleSet    *client.RuleSet  `json:"ruleSet"`
	} `json:"versions"`
	Expect []struct {
		WrittenWith int            `json:"written_with"`
		Value       map[string]any `json:"value"`
		ReadWith    int            `json:"read_with"`
		ResultField string         `json:"result_field"`
		Result      float64        `json:"result"`
	} `json:"expect"`
}

// The three widget versions as Go structs, with their Avro field names.
type specificWidget struct {
	Name    string `avro:"name"`
	Size    int    `avro:"size"`
	Version int    `avro:"version"`
}

type newSpecificWidget struct {
	Name    string `avro:"name"`
	Height  int    `avro:"height"`
	Version int    `avro:"version"`
}

type newerSpecificWidget struct {
	Name    string `avro:"name"`
	Length  int    `avro:"length"`
	Version int    `avro:"version"`
}

// startRegistryURL is startRegistry that also returns the registry's URL,
// for the config calls the client does not make.
func startRegistryURL(t *testing.T) (*client.Client, string) {
	t.Helper()
	r := registrytest.Start(t)
	return r.Client(t, client.LatestTTL(0)), r.URL
}

func putConfig(t *testing.T, base, subject, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, base+"/config/"+subject, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /config/%s %s: status %d", subject, body, resp.StatusCode)
	}
}

// loadMigrationExample reads the example and registers its versions,
// with their metadata and migration rules, under its subject (or under
// subject when not empty), in a registry grouping compatibility by
// application.version.
func loadMigrationExample(t *testing.T) (*migrationExample, *client.Client, string) {
	t.Helper()
	path := sharedTestdata(t, "rules/migration-example.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ex migrationExample
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	cl, base := startRegistryURL(t)
	putConfig(t, base, ex.Subject, `{"compatibilityGroup":"application.version"}`)
	for _, v := range ex.Versions {
		text, err := os.ReadFile(filepath.Join(filepath.Dir(path), v.SchemaFile))
		if err != nil {
			t.Fatal(err)
		}
		got := register(t, cl, ex.Subject, client.Schema{Schema: string(text), Metadata: v.Metadata, RuleSet: v.RuleSet})
		if got.Version != v.Version {
			t.Fatalf("%s registered as version %d, want %d", v.SchemaFile, got.Version, v.Version)
		}
	}
	return &ex, cl, base
}

func appVersion(v int) map[string]string {
	return map[string]string{"application.version": fmt.Sprintf("v%d", v)}
}

// avroValue turns the JSON numbers of an example value into the Go ints
// hamba encodes as Avro int.
func avroValue(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if f, ok := v.(float64); ok {
			v = int(f)
		}
		out[k] = v
	}
	return out
}

// TestMigrationExample writes every expect entry of
// migration-example.json with its writer's version and reads it with the
// reader's, through UseLatestWithMetadata on both sides: the value comes
// back under the reader's field name, as Confluent's serdes give it.
func TestMigrationExample(t *testing.T) {
	ctx := context.Background()
	ex, cl, _ := loadMigrationExample(t)
	topic := "test"
	for _, e := range ex.Expect {
		t.Run(fmt.Sprintf("v%d_to_v%d", e.WrittenWith, e.ReadWith), func(t *testing.T) {
			ser, err := serde.NewSerializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(e.WrittenWith)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := ser.Serialize(ctx, topic, avroValue(e.Value))
			if err != nil {
				t.Fatal(err)
			}
			de, err := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(e.ReadWith)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := de.Deserialize(ctx, topic, b)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := got.(map[string]any)
			if !ok {
				t.Fatalf("got %T, want a map", got)
			}
			want := map[string]any{"name": e.Value["name"], e.ResultField: int(e.Result), "version": int(e.Value["version"].(float64))}
			if fmt.Sprint(m) != fmt.Sprint(want) {
				t.Fatalf("read %v, want %v", m, want)
			}
			if m[e.ResultField] != int(e.Result) {
				t.Fatalf("%s = %#v, want int %v", e.ResultField, m[e.ResultField], e.Result)
			}
		})
	}
}

// TestMigrationEveryPair reads a widget written with each version with
// every version, into the reader's Go struct, and with UseLatest, which
// reads version 3.
func TestMigrationEveryPair(t *testing.T) {
	ctx := context.Background()
	ex, cl, _ := loadMigrationExample(t)
	field := map[int]string{1: "size", 2: "height", 3: "length"}
	length := func(v any) int {
		switch w := v.(type) {
		case *specificWidget:
			return w.Size
		case *newSpecificWidget:
			return w.Height
		case *newerSpecificWidget:
			return w.Length
		}
		return -1
	}
	fresh := map[int]func() any{
		1: func() any { return &specificWidget{} },
		2: func() any { return &newSpecificWidget{} },
		3: func() any { return &newerSpecificWidget{} },
	}
	for w := 1; w <= len(ex.Versions); w++ {
		ser, err := serde.NewSerializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(w)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ser.Serialize(ctx, "test", map[string]any{"name": "alice", field[w]: 123, "version": 1})
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= len(ex.Versions); r++ {
			de, err := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(r)))
			if err != nil {
				t.Fatal(err)
			}
			into := fresh[r]()
			if err := de.DeserializeInto(ctx, "test", b, into); err != nil {
				t.Fatalf("v%d read as v%d: %v", w, r, err)
			}
			if got := length(into); got != 123 {
				t.Fatalf("v%d read as v%d: %+v, want 123 in %s", w, r, into, field[r])
			}
		}
		latest, err := serde.NewDeserializer(cl, compat.Avro, serde.UseLatest())
		if err != nil {
			t.Fatal(err)
		}
		got, err := latest.Deserialize(ctx, "test", b)
		if err != nil {
			t.Fatal(err)
		}
		if m := got.(map[string]any); m["length"] != 123 || m["name"] != "alice" {
			t.Fatalf("v%d read with UseLatest: %v", w, m)
		}
		// Without a reader version, the writer's schema is the reader's.
		plain, _ := serde.NewDeserializer(cl, compat.Avro)
		got, err = plain.Deserialize(ctx, "test", b)
		if err != nil || got.(map[string]any)[field[w]] != 123 {
			t.Fatalf("v%d read plainly: %v, %v", w, got, err)
		}
	}
}

// TestMigrationRuleDisabled: with the UPGRADE rules disabled by name, a
// version 1 widget has no length for version 3, so reading it fails as a
// decode error naming the field; the DOWNGRADE direction still works.
func TestMigrationRuleDisabled(t *testing.T) {
	ctx := context.Background()
	_, cl, _ := loadMigrationExample(t)
	eng, err := rules.New(rules.Disable("myRule1"))
	if err != nil {
		t.Fatal(err)
	}
	ser1, _ := serde.NewSerializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(1)))
	ser3, _ := serde.NewSerializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(3)))
	v1, err := ser1.Serialize(ctx, "test", specificWidget{Name: "alice", Size: 123, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	v3, err := ser3.Serialize(ctx, "test", newerSpecificWidget{Name: "alice", Length: 123, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	read3, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(3)), serde.RuleEngine(eng))
	var w3 newerSpecificWidget
	err = read3.DeserializeInto(ctx, "test", v1, &w3)
	if serde.KindOf(err) != serde.KindDecode || !bytes.Contains([]byte(err.Error()), []byte("$.length: missing required field")) {
		t.Fatalf("upgrade with myRule1 disabled: err = %v, want a decode error for $.length", err)
	}
	read1, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(1)), serde.RuleEngine(eng))
	var w1 specificWidget
	if err := read1.DeserializeInto(ctx, "test", v3, &w1); err != nil || w1.Size != 123 {
		t.Fatalf("downgrade with myRule1 disabled: %+v, %v", w1, err)
	}
	// NoRules runs no migration either.
	bare, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(appVersion(3)), serde.NoRules())
	if _, err := bare.Deserialize(ctx, "test", v1); serde.KindOf(err) != serde.KindDecode {
		t.Fatalf("NoRules: err = %v, want a decode error", err)
	}
}

// TestMigrationMalformedJSONata: an UPGRADE rule whose expression does not
// parse fails the read with a rule error naming it (its onFailure, ERROR
// by default); with onFailure NONE the read goes on without it.
func TestMigrationMalformedJSONata(t *testing.T) {
	ctx := context.Background()
	cl, base := startRegistryURL(t)
	putConfig(t, base, "broken-value", `{"compatibility":"NONE"}`)
	const v1 = `{"type":"record","name":"W","fields":[{"name":"name","type":"string"},{"name":"size","type":"int"}]}`
	const v2 = `{"type":"record","name":"W","fields":[{"name":"name","type":"string"},{"name":"height","type":"int","default":-1}]}`
	register(t, cl, "broken-value", client.Schema{Schema: v1, Metadata: &client.Metadata{Properties: map[string]string{"app": "1"}}})
	for _, onFailure := range []string{"NONE", ""} {
		register(t, cl, "broken-value", client.Schema{Schema: v2,
			Metadata: &client.Metadata{Properties: map[string]string{"app": "2" + onFailure}},
			RuleSet: &client.RuleSet{MigrationRules: []client.Rule{
				{Name: "broken", Kind: "TRANSFORM", Mode: "UPGRADE", Type: "JSONATA", Expr: "$merge([$sift($, function($v, $k) {", OnFailure: onFailure},
			}}})
	}
	ser, _ := serde.NewSerializer(cl, compat.Avro, serde.UseLatestWithMetadata(map[string]string{"app": "1"}))
	b, err := ser.Serialize(ctx, "broken", map[string]any{"name": "bob", "size": 7})
	if err != nil {
		t.Fatal(err)
	}
	de, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(map[string]string{"app": "2"}))
	_, err = de.Deserialize(ctx, "broken", b)
	var re *rules.Error
	if serde.KindOf(err) != serde.KindRule || !errors.As(err, &re) || re.Rule.Name != "broken" || re.Mode != rules.Upgrade {
		t.Fatalf("err = %v, want the broken rule's error", err)
	}
	// Version 2's copy of the rule has onFailure NONE: reading into it
	// goes on without the rule, and the reader's default fills height.
	de2, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatestWithMetadata(map[string]string{"app": "2NONE"}))
	got, err := de2.Deserialize(ctx, "broken", b)
	if err != nil || got.(map[string]any)["height"] != -1 {
		t.Fatalf("onFailure NONE: %v, %v; want the default height", got, err)
	}
	de3, _ := serde.NewDeserializer(cl, compat.Avro, serde.UseLatest())
	if _, err := de3.Deserialize(ctx, "broken", b); serde.KindOf(err) != serde.KindRule {
		t.Fatalf("UseLatest: err = %v, want version 3's rule error", err)
	}
	eng, _ := rules.New(rules.Disable("broken"))
	de3, _ = serde.NewDeserializer(cl, compat.Avro, serde.UseLatest(), serde.RuleEngine(eng))
	got, err = de3.Deserialize(ctx, "broken", b)
	if err != nil || got.(map[string]any)["height"] != -1 {
		t.Fatalf("rules disabled: %v, %v; want the default height", got, err)
	}
}
