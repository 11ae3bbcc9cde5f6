package serde

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	js "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// jsonCodec writes JSON text validated against a JSON Schema.
type jsonCodec struct{}

func newJSONCodec(codecConfig) codec { return jsonCodec{} }

func jsonOf(p *parsed) *jsonschema.Schema { return p.state.(*jsonschema.Schema) }

func (jsonCodec) prepare(p *parsed, info *client.Schema, deps []compat.Dependency) (rules.Fields, error) {
	s, err := jsonschema.New().Parse(info.Schema, deps)
	if err != nil {
		return nil, err
	}
	p.state = s.(*jsonschema.Schema)
	return rules.JSONFields(info.Schema, info.Metadata), nil
}

func (jsonCodec) encode(t *target, v any) ([]byte, error) {
	text, doc, err := jsonDocument(v)
	if err != nil {
		return nil, err
	}
	if err := jsonOf(t.p).Validate(doc); err != nil {
		return nil, err
	}
	out := make([]byte, 0, HeaderSize+len(text))
	out = append(out, t.header[:]...)
	return append(out, text...), nil
}

func (jsonCodec) problems(_ *parsed, _ any, err error) *ValidationError { return jsonProblems(err) }

// ruleValue is v decoded from its JSON text.
func (jsonCodec) ruleValue(_ *parsed, v any, _ []byte) (any, error) {
	_, doc, err := jsonDocument(v)
	return doc, err
}

func (jsonCodec) decode(d *Deserializer, p *parsed, body []byte, _ any, _ bool) (any, string, bool, error) {
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, "", false, err
	}
	if !d.cfg.skipValidate {
		if err := jsonOf(p).Validate(doc); err != nil {
			return nil, "", false, jsonProblems(err)
		}
	}
	return doc, "", false, nil
}

func (jsonCodec) decodeInto(_ *parsed, out any, body []byte, into any, transformed bool) (any, error) {
	if transformed {
		var err error
		if body, err = json.Marshal(out); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return nil, err
	}
	return into, nil
}

func (jsonCodec) payloadRecord(*parsed) string { return "" }

func (jsonCodec) splitPayload(body []byte) (clear, rest []byte, err error) { return nil, body, nil }

// recordName is the schema's title.
func (jsonCodec) recordName(s *client.Schema) string {
	var doc map[string]any
	if json.Unmarshal([]byte(s.Schema), &doc) != nil {
		return ""
	}
	title, _ := doc["title"].(string)
	return title
}

func (c jsonCodec) migrationRecord(w *parsed) string { return c.recordName(w.info) }

// migrationValue passes the payload on when no rule runs, and otherwise
// decodes and validates it.
func (jsonCodec) migrationValue(d *Deserializer, w *parsed, body []byte, steps int) (any, bool, error) {
	if steps == 0 {
		return nil, true, nil
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, false, err
	}
	if !d.cfg.skipValidate {
		if err := jsonOf(w).Validate(doc); err != nil {
			return nil, false, jsonProblems(err)
		}
	}
	return doc, false, nil
}

func (jsonCodec) migrated(_ *parsed, msg any) ([]byte, error) {
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("migrated value: %w", err)
	}
	return b, nil
}

// jsonDocument returns the JSON text of v and its decoded form for
// validation and rules. []byte and json.RawMessage are JSON text already.
func jsonDocument(v any) ([]byte, any, error) {
	var text []byte
	switch t := v.(type) {
	case json.RawMessage:
		text = t
	case []byte:
		text = t
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, err
		}
		text = b
	}
	doc, err := decodeJSON(text)
	if err != nil {
		return nil, nil, err
	}
	return text, doc, nil
}

// decodeJSON decodes one JSON value and refuses trailing data.
func decodeJSON(text []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return doc, nil
}

// jsonProblems turns a jsonschema validation error into problems with
// JSON paths, one per failing leaf; other errors (invalid JSON) are
// reported at the root.
func jsonProblems(err error) *ValidationError {
	var ve *js.ValidationError
	if !errors.As(err, &ve) {
		return &ValidationError{Problems: []Problem{{Path: "$", Message: err.Error()}}}
	}
	p := message.NewPrinter(language.English)
	var out []Problem
	var walk func(e *js.ValidationError)
	walk = func(e *js.ValidationError) {
		if len(out) >= maxProblems {
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, Problem{Path: jsonPath(e.InstanceLocation), Message: jsonMessage(e.ErrorKind, p)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return &ValidationError{Problems: out}
}

func jsonPath(loc []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, tok := range loc {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		b.WriteString("." + tok)
	}
	return b.String()
}

func jsonMessage(k js.ErrorKind, p *message.Printer) string {
	switch t := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("expected %s, got %s", strings.Join(t.Want, " or "), t.Got)
	case *kind.Required:
		return fmt.Sprintf("missing required properties %s", strings.Join(t.Missing, ", "))
	}
	return k.LocalizedString(p)
}
