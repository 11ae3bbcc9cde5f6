//go:build cgo

package conformance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
)

// person is serialised with a schema confluent derives by reflection
// (invopop/jsonschema: draft 2020-12 with a $ref into $defs).
type person struct {
	Name   string   `json:"name"`
	Age    int      `json:"age"`
	Emails []string `json:"emails"`
}

type jsonAddress struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type jsonCustomer struct {
	Name    string      `json:"name"`
	Address jsonAddress `json:"address"`
}

// addressJSON is registered under its own subject; customerJSON refers to
// it by the reference name "address.json".
const (
	addressJSON = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "street": {"type": "string"},
    "city": {"type": "string", "minLength": 1}
  },
  "required": ["street", "city"]
}`
	customerJSON = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "address": {"$ref": "address.json"}
  },
  "required": ["name", "address"]
}`
)

func TestConfluentSerdeJSONSchemaAutoRegister(t *testing.T) {
	srv := startRegistry(t)
	srv.requireType(t, "JSON")

	ser, err := jsonschema.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, jsonschema.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	in := person{Name: "Ada", Age: 36, Emails: []string{"ada@example.com"}}
	payload, err := ser.Serialize("people", &in)
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("people-value")
	if err != nil {
		t.Fatalf("people-value was not registered: %v", err)
	}
	if md.SchemaType != "JSON" || md.Version != 1 || md.ID != 1 {
		t.Fatalf("people-value = type %q version %d id %d, want JSON 1 1", md.SchemaType, md.Version, md.ID)
	}
	requireWireID(t, payload, md.ID)
	want, _ := json.Marshal(&in)
	if string(payload[5:]) != string(want) {
		t.Fatalf("payload body %s, want %s", payload[5:], want)
	}

	de, err := jsonschema.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, jsonschema.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out person
	if err := de.DeserializeInto("people", payload, &out); err != nil {
		t.Fatalf("DeserializeInto: %v", err)
	}
	if out.Name != in.Name || out.Age != in.Age || len(out.Emails) != 1 || out.Emails[0] != in.Emails[0] {
		t.Fatalf("round trip = %+v, want %+v", out, in)
	}
}

// TestConfluentSerdeJSONSchemaReference validates through a $ref that only
// resolves through another subject: the serializer fetches the referenced
// schema from charter, so a value that breaks a rule of the referenced
// schema is refused.
func TestConfluentSerdeJSONSchemaReference(t *testing.T) {
	srv := startRegistry(t)
	srv.requireType(t, "JSON")

	admin := newConfluentClient(t, srv)
	mustRegister(t, admin, "address-value", schemaregistry.SchemaInfo{Schema: addressJSON, SchemaType: "JSON"})
	ref := schemaregistry.Reference{Name: "address.json", Subject: "address-value", Version: 1}
	id := mustRegister(t, admin, "customers-value", schemaregistry.SchemaInfo{Schema: customerJSON, SchemaType: "JSON", References: []schemaregistry.Reference{ref}})

	t.Run("references are served back", func(t *testing.T) {
		md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("customers-value")
		if err != nil {
			t.Fatal(err)
		}
		if md.ID != id || md.SchemaType != "JSON" || len(md.References) != 1 || md.References[0] != ref {
			t.Fatalf("customers-value = id %d type %q refs %+v, want id %d JSON [%+v]", md.ID, md.SchemaType, md.References, id, ref)
		}
	})

	cfg := jsonschema.NewSerializerConfig()
	cfg.AutoRegisterSchemas = false
	cfg.UseLatestVersion = true
	cfg.EnableValidation = true
	ser, err := jsonschema.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("valid value round trips", func(t *testing.T) {
		in := jsonCustomer{Name: "Grace", Address: jsonAddress{Street: "1 Main St", City: "Arlington"}}
		payload, err := ser.Serialize("customers", &in)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		requireWireID(t, payload, id)
		de, err := jsonschema.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, jsonschema.NewDeserializerConfig())
		if err != nil {
			t.Fatal(err)
		}
		var out jsonCustomer
		if err := de.DeserializeInto("customers", payload, &out); err != nil || out != in {
			t.Fatalf("DeserializeInto = %+v, %v; want %+v", out, err, in)
		}
	})

	t.Run("referenced rule is enforced", func(t *testing.T) {
		in := jsonCustomer{Name: "Grace", Address: jsonAddress{Street: "1 Main St", City: ""}}
		_, err := ser.Serialize("customers", &in)
		if err == nil {
			t.Fatal("Serialize accepted an empty city, which address.json (minLength 1) forbids: the $ref was not resolved through address-value")
		}
		if !strings.Contains(err.Error(), "minLength") && !strings.Contains(err.Error(), "length must be >= 1") {
			t.Fatalf("Serialize refused the value for another reason than the referenced minLength: %v", err)
		}
		t.Logf("refused as expected: %v", err)
	})

	t.Run("unresolvable $ref without the reference is invalid", func(t *testing.T) {
		_, err := admin.Register("broken-value", schemaregistry.SchemaInfo{Schema: customerJSON, SchemaType: "JSON"}, false)
		requireConfluentCode(t, err, codeInvalidSchema)
	})
}
