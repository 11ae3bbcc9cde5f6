package rules

import (
	"context"
	"errors"

	"github.com/charter-registry/charter/confluent"
)

// RuleContext is what an Executor knows about one run of its rule.
type RuleContext struct {
	Rule confluent.Rule
	Mode Mode
	Info Info
	// Schema is the schema whose rules run (the writer's on read).
	Schema *confluent.Schema
}

// Param returns a rule parameter: the rule's params, then the schema's
// metadata properties, as Confluent's RuleContext.GetParameter does.
func (c RuleContext) Param(name string) (string, bool) {
	if v, ok := c.Rule.Params[name]; ok {
		return v, true
	}
	if c.Schema != nil {
		return c.Schema.Property(name)
	}
	return "", false
}

// Executor runs the domain rules of a type the engine does not evaluate
// itself, field by field: Confluent's field rule executors, such as the
// ENCRYPT rule of contracts/encrypt. Register one with WithExecutor.
type Executor interface {
	// Type is the rule type the executor runs ("ENCRYPT").
	Type() string
	// NewTransform prepares one run. The returned function is called for
	// every non-null primitive field whose tags meet the rule's, and
	// returns the field's new value.
	NewTransform(ctx context.Context, rc RuleContext) (FieldFunc, error)
}

// WithExecutor makes the engine run rules of x.Type() with x.
func WithExecutor(x Executor) Opt {
	return optFunc(func(e *Engine) { e.executors[x.Type()] = x })
}

// runExecutor runs a field executor's rule over msg.
func (p *Program) runExecutor(ctx context.Context, c *compiled, mode Mode, info Info, msg any) (any, bool, error) {
	if p.fields == nil {
		return nil, false, errors.New(c.rule.Type + " rules are not supported for this format")
	}
	fn, err := c.exec.NewTransform(ctx, RuleContext{Rule: c.rule, Mode: mode, Info: info, Schema: p.schema})
	if err != nil {
		return nil, false, err
	}
	out, err := p.fields.Walk(msg, func(f *Field, value any) (any, error) {
		if value == nil || (len(c.rule.Tags) > 0 && !intersects(c.rule.Tags, f.Tags)) {
			return value, nil
		}
		return fn(f, value)
	})
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}
