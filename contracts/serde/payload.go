package serde

import (
	"context"
	"fmt"
	"strings"

	"github.com/charter-registry/charter/contracts/rules"
)

// PayloadTransformer runs a schema's encoding rules (ruleSet.encodingRules)
// of one type on the serialized payload: after encoding on write, before
// decoding on read. contracts/encrypt's ENCRYPT_PAYLOAD executor is one.
type PayloadTransformer interface {
	// Type is the rule type it runs ("ENCRYPT_PAYLOAD").
	Type() string
	// Transform returns the payload transformed for rc.Mode.
	Transform(ctx context.Context, rc rules.RuleContext, payload []byte) ([]byte, error)
}

// PayloadRules makes the serializer and deserializer run encoding rules of
// the transformers' types. A schema with an encoding rule of another type
// is refused, as a rule the serde cannot run.
func PayloadRules(ts ...PayloadTransformer) Opt {
	return commonOpt(func(c *common) {
		if c.payload == nil {
			c.payload = map[string]PayloadTransformer{}
		}
		for _, t := range ts {
			c.payload[t.Type()] = t
		}
	})
}

// encodingRules returns the encoding rules of p that run in mode, in the
// order they run.
func encodingRules(p *parsed, mode rules.Mode) []int {
	if p.info == nil || p.info.RuleSet == nil {
		return nil
	}
	var out []int
	for i, r := range p.info.RuleSet.EncodingRules {
		if r.Disabled {
			continue
		}
		m := strings.ToUpper(r.Mode)
		if m == "WRITEREAD" || (m == "WRITE" && mode == rules.Write) || (m == "READ" && mode == rules.Read) {
			out = append(out, i)
		}
	}
	if mode == rules.Read {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// runPayloadRules transforms body (the bytes after the header and, for
// Protobuf, the message indexes) with the encoding rules of mode.
func runPayloadRules(ctx context.Context, c *common, p *parsed, mode rules.Mode, info rules.Info, body []byte) ([]byte, error) {
	if c.noRules {
		return body, nil
	}
	for _, i := range encodingRules(p, mode) {
		r := p.info.RuleSet.EncodingRules[i]
		t, ok := c.payload[r.Type]
		if !ok {
			return nil, &rules.Error{Rule: r, Mode: mode, Subject: info.Subject, Topic: info.Topic, Action: rules.ActionError, Err: fmt.Errorf("no rule executor for encoding rule type %q", r.Type)}
		}
		out, err := t.Transform(ctx, rules.RuleContext{Rule: r, Mode: mode, Info: info, Schema: p.info}, body)
		if err != nil {
			return nil, &rules.Error{Rule: r, Mode: mode, Subject: info.Subject, Topic: info.Topic, Action: rules.ActionError, Err: err}
		}
		body = out
	}
	return body, nil
}
