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
)

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
