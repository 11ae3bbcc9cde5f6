package api_test

import (
	"encoding/base64"
	"slices"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

const (
	moneyProto = `syntax = "proto3";
package acme;
message Money { int64 units = 1; string currency = 2; }
`
	orderProto = `syntax = "proto3";
package acme;
import "acme/money.proto";
message Order { string id = 1; acme.Money total = 2; }
`
)

// decodeDescriptor decodes a format=serialized schema text the way
// Confluent's Python and Node clients do: standard base64, then a
// FileDescriptorProto.
func decodeDescriptor(t *testing.T, text string) *descriptorpb.FileDescriptorProto {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		t.Fatalf("schema %q is not standard base64: %v", text, err)
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(b, fdp); err != nil {
		t.Fatalf("schema is not a FileDescriptorProto: %v", err)
	}
	return fdp
}

func messageNames(fdp *descriptorpb.FileDescriptorProto) []string {
	var out []string
	for _, m := range fdp.GetMessageType() {
		out = append(out, m.GetName())
	}
	return out
}

// TestFormatSerializedOnEveryEndpoint pins Confluent's format query
// parameter on every route that returns a schema: its clients fetch
// referenced Protobuf schemas with GET /subjects/{s}/versions/{v}
// ?format=serialized and decode a base64 FileDescriptorProto.
func TestFormatSerializedOnEveryEndpoint(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/subjects/money-value/versions", map[string]any{"schemaType": "PROTOBUF", "schema": moneyProto})
	if r.status != 200 {
		t.Fatalf("register money: %d %s", r.status, r.body)
	}
	orderBody := map[string]any{
		"schemaType": "PROTOBUF", "schema": orderProto,
		"references": []map[string]any{{"name": "acme/money.proto", "subject": "money-value", "version": 1}},
	}
	r = h.do("POST", "/subjects/order-value/versions", orderBody)
	if r.status != 200 {
		t.Fatalf("register order: %d %s", r.status, r.body)
	}
	var reg struct {
		ID   int    `json:"id"`
		GUID string `json:"guid"`
	}
	r.json(t, &reg)
	var plain struct {
		Schema string `json:"schema"`
		GUID   string `json:"guid"`
	}
	h.do("GET", "/subjects/order-value/versions/1", nil).json(t, &plain)

	checkOrder := func(t *testing.T, text string) {
		t.Helper()
		fdp := decodeDescriptor(t, text)
		if got := messageNames(fdp); !slices.Equal(got, []string{"Order"}) || fdp.GetPackage() != "acme" {
			t.Errorf("descriptor declares package %q messages %v, want acme [Order]", fdp.GetPackage(), got)
		}
		if !slices.Contains(fdp.GetDependency(), "acme/money.proto") {
			t.Errorf("descriptor imports %v, want acme/money.proto", fdp.GetDependency())
		}
	}
	type schemaJSON struct {
		Schema string `json:"schema"`
		GUID   string `json:"guid"`
	}
	jsonRoutes := []struct{ method, path string }{
		{"GET", "/subjects/order-value/versions/1?format=serialized"},
		{"GET", "/subjects/order-value/versions/latest?format=SERIALIZED"},
		{"GET", "/schemas/ids/" + strconv.Itoa(reg.ID) + "?format=serialized"},
		{"GET", "/schemas/guids/" + reg.GUID + "?format=serialized"},
		{"GET", "/subjects/order-value/metadata?format=serialized"},
		{"POST", "/subjects/order-value?format=serialized"},
	}
	for _, rt := range jsonRoutes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var body any
			if rt.method == "POST" {
				body = orderBody
			}
			r := h.do(rt.method, rt.path, body)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var out schemaJSON
			r.json(t, &out)
			checkOrder(t, out.Schema)
			if out.GUID != plain.GUID {
				t.Errorf("guid %q, want the stored schema's %q", out.GUID, plain.GUID)
			}
		})
	}
	for _, path := range []string{
		"/subjects/order-value/versions/1/schema?format=serialized",
		"/schemas/ids/" + strconv.Itoa(reg.ID) + "/schema?format=serialized",
	} {
		t.Run("GET "+path, func(t *testing.T) {
			r := h.do("GET", path, nil)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			checkOrder(t, string(r.body))
		})
	}
	t.Run("the referenced schema", func(t *testing.T) {
		var out schemaJSON
		h.do("GET", "/subjects/money-value/versions/1?format=serialized", nil).json(t, &out)
		fdp := decodeDescriptor(t, out.Schema)
		if got := messageNames(fdp); !slices.Equal(got, []string{"Money"}) {
			t.Errorf("messages %v, want [Money]", got)
		}
	})
	t.Run("GET /schemas listing", func(t *testing.T) {
		var out []schemaJSON
		h.do("GET", "/schemas?subjectPrefix=order-&format=serialized", nil).json(t, &out)
		if len(out) != 1 {
			t.Fatalf("listing has %d schemas, want 1", len(out))
		}
		checkOrder(t, out[0].Schema)
	})
}

// TestFormatUnknownOrForeignServesStoredText pins Confluent's answer to a
// format its schema type does not define (ParsedSchema.formattedString
// logs "Unsupported format" and returns the canonical string): 200 with the
// stored text, never an error. An empty value is no format at all.
func TestFormatUnknownOrForeignServesStoredText(t *testing.T) {
	h := newHarness(t)
	avroID, _ := h.register("orders-value", recordV1)
	r := h.do("POST", "/subjects/money-value/versions", map[string]any{"schemaType": "PROTOBUF", "schema": moneyProto})
	if r.status != 200 {
		t.Fatalf("register money: %d %s", r.status, r.body)
	}
	var stored struct {
		Schema string `json:"schema"`
	}
	h.do("GET", "/subjects/money-value/versions/1", nil).json(t, &stored)
	cases := []struct{ path, want string }{
		{"/schemas/ids/" + strconv.Itoa(avroID) + "?format=serialized", recordV1},
		{"/subjects/orders-value/versions/1?format=ignore_extensions", recordV1},
		{"/subjects/money-value/versions/1?format=resolved", stored.Schema},
		{"/subjects/money-value/versions/1?format=no-such-format", stored.Schema},
		{"/subjects/money-value/versions/1?format=%20", stored.Schema},
		{"/subjects/money-value/versions/1?format=default", stored.Schema},
	}
	for _, c := range cases {
		r := h.do("GET", c.path, nil)
		if r.status != 200 {
			t.Errorf("GET %s: %d %s, want 200", c.path, r.status, r.body)
			continue
		}
		var out struct {
			Schema string `json:"schema"`
		}
		r.json(t, &out)
		if out.Schema != c.want {
			t.Errorf("GET %s: schema %q, want the stored text %q", c.path, out.Schema, c.want)
		}
	}
}

// TestFormatResolvedInlinesAvroReferences pins format=resolved over HTTP:
// the referenced record is written out in full, so the text stands alone.
func TestFormatResolvedInlinesAvroReferences(t *testing.T) {
	h := newHarness(t)
	money := `{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"units","type":"long"}]}`
	h.register("money-value", money)
	r := h.do("POST", "/subjects/order-value/versions", map[string]any{
		"schema":     `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":"Money"}]}`,
		"references": []map[string]any{{"name": "acme.Money", "subject": "money-value", "version": 1}},
	})
	if r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/subjects/order-value/versions/1/schema?format=resolved", nil)
	want := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":{"type":"record","name":"Money","fields":[{"name":"units","type":"long"}]}}]}`
	if r.status != 200 || string(r.body) != want {
		t.Errorf("resolved: %d %s, want 200 %s", r.status, r.body, want)
	}
	r = h.do("GET", "/subjects/order-value/versions/1/schema", nil)
	if want := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":"Money"}]}`; string(r.body) != want {
		t.Errorf("without format: %s, want the stored text %s", r.body, want)
	}
}

// TestBase64DescriptorWithoutJSONNamesRegisters: Confluent accepts a
// Protobuf schema sent as a base64 FileDescriptorProto whose fields have no
// json_name; it is the same schema as its .proto text.
func TestBase64DescriptorWithoutJSONNamesRegisters(t *testing.T) {
	h := newHarness(t)
	str, i64 := descriptorpb.FieldDescriptorProto_TYPE_STRING, descriptorpb.FieldDescriptorProto_TYPE_INT64
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	fdp := &descriptorpb.FileDescriptorProto{
		Syntax: proto.String("proto3"), Package: proto.String("acme"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Money"), Field: []*descriptorpb.FieldDescriptorProto{
			{Name: proto.String("units"), Number: proto.Int32(1), Type: &i64, Label: &opt},
			{Name: proto.String("currency"), Number: proto.Int32(2), Type: &str, Label: &opt},
		}}},
	}
	b, err := proto.Marshal(fdp)
	if err != nil {
		t.Fatal(err)
	}
	r := h.do("POST", "/subjects/money-value/versions", map[string]any{"schemaType": "PROTOBUF", "schema": base64.StdEncoding.EncodeToString(b)})
	if r.status != 200 {
		t.Fatalf("register the descriptor: %d %s", r.status, r.body)
	}
	var first struct{ ID int }
	r.json(t, &first)
	r = h.do("POST", "/subjects/money-value/versions", map[string]any{"schemaType": "PROTOBUF", "schema": moneyProto})
	var second struct{ ID int }
	r.json(t, &second)
	if r.status != 200 || second.ID != first.ID {
		t.Errorf("the .proto text registered as %d %s, want the descriptor's id %d", r.status, r.body, first.ID)
	}
}
