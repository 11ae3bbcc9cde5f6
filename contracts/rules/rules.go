package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/charter-registry/charter/confluent"
)

// Mode says which side of the wire rules run on.
type Mode int

// The modes a Program runs in: Write before a value is serialized, Read
// after it is deserialized. Upgrade and Downgrade are the modes migration
// rules run in (see Engine.Migrate): Upgrade when the reader's version is
// newer than the writer's, Downgrade when it is older.
const (
	Write Mode = iota + 1
	Read
	Upgrade
	Downgrade
)

// String is the mode's name as Confluent writes it: WRITE, READ, UPGRADE
// or DOWNGRADE.
func (m Mode) String() string {
	switch m {
	case Write:
		return "WRITE"
	case Read:
		return "READ"
	case Upgrade:
		return "UPGRADE"
	case Downgrade:
		return "DOWNGRADE"
	}
	return "UNKNOWN"
}

// Rule kinds, types and actions as Confluent names them.
const (
	KindCondition = "CONDITION"
	KindTransform = "TRANSFORM"

	TypeCEL      = "CEL"
	TypeCELField = "CEL_FIELD"
	TypeJSONata  = "JSONATA"

	ActionNone  = "NONE"
	ActionError = "ERROR"
	ActionDLQ   = "DLQ"

	// ParamDLQTopic names the dead-letter topic, in a DLQ action's
	// configuration, a rule's params or the schema's metadata properties.
	ParamDLQTopic = "dlq.topic"
)

// ErrConditionFailed is wrapped by an *Error whose CONDITION evaluated to
// false.
var ErrConditionFailed = errors.New("condition failed")

// Error is a rule whose outcome stops the value: a failed condition, an
// expression that could not be evaluated, or a success whose onSuccess
// action is ERROR or DLQ. Action says what the caller must do: with
// ActionDLQ, produce the record to DLQTopic and still report the error.
type Error struct {
	Rule    confluent.Rule
	Mode    Mode
	Subject string
	Topic   string
	// Action is ActionError or ActionDLQ.
	Action string
	// DLQTopic is the dead-letter topic for ActionDLQ; empty when none is
	// configured, which the dead-letter writer reports as an error.
	DLQTopic string
	// Err is the cause: ErrConditionFailed or an evaluation error.
	Err error
}

// Error starts like Confluent's "Rule failed: <name>" and adds the mode,
// subject, action and cause.
func (e *Error) Error() string {
	msg := e.Rule.Doc
	if msg == "" {
		msg = "Expr failed: '" + e.Rule.Expr + "'"
	}
	if e.Err != nil && !errors.Is(e.Err, ErrConditionFailed) {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("Rule failed: %s (%s on %s, action %s): %s", e.Rule.Name, e.Mode, e.Subject, e.Action, msg)
}

// Unwrap returns the cause, so errors.Is finds ErrConditionFailed.
func (e *Error) Unwrap() error { return e.Err }

// LogValue logs the rule, mode and action.
func (e *Error) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("rule", e.Rule.Name),
		slog.String("mode", e.Mode.String()),
		slog.String("subject", e.Subject),
		slog.String("topic", e.Topic),
		slog.String("action", e.Action),
		slog.String("error", e.Error()),
	)
}

// Opt configures an Engine.
type Opt interface{ apply(*Engine) }

type optFunc func(*Engine)

func (f optFunc) apply(e *Engine) { f(e) }

// Disable turns off the rules with these names, whatever their disabled flag
// in the registry says. Use it to stop a rule that misbehaves without
// registering a new schema version.
func Disable(names ...string) Opt {
	return optFunc(func(e *Engine) {
		for _, n := range names {
			e.disabled[n] = true
		}
	})
}

// DisableTypes turns off every rule of these types, such as CEL_FIELD.
func DisableTypes(types ...string) Opt {
	return optFunc(func(e *Engine) {
		for _, t := range types {
			e.disabledTypes[t] = true
		}
	})
}

// DLQTopic configures the DLQ action's topic. It wins over a rule's
// dlq.topic param and the schema's dlq.topic metadata property.
func DLQTopic(topic string) Opt {
	return optFunc(func(e *Engine) { e.dlqTopic = topic })
}

// OverrideActions replaces the onSuccess and onFailure actions of every
// rule of type ruleType; an empty string keeps the rule's own.
func OverrideActions(ruleType, onSuccess, onFailure string) Opt {
	return optFunc(func(e *Engine) { e.overrides[ruleType] = [2]string{onSuccess, onFailure} })
}

// Engine compiles rule sets with one configuration. It is safe for
// concurrent use.
type Engine struct {
	disabled      map[string]bool
	disabledTypes map[string]bool
	overrides     map[string][2]string
	dlqTopic      string
	cel           *celEnv
	jsonata       jsonataCache
	executors     map[string]Executor
	// celCache holds CEL rules compiled for migrations, by kind and source.
	celCache sync.Map
}

// New returns an Engine with the options applied.
func New(opts ...Opt) (*Engine, error) {
	e := &Engine{disabled: map[string]bool{}, disabledTypes: map[string]bool{}, overrides: map[string][2]string{}, executors: map[string]Executor{}}
	for _, o := range opts {
		o.apply(e)
	}
	env, err := newCELEnv()
	if err != nil {
		return nil, err
	}
	e.cel = env
	return e, nil
}

// compiled is one rule ready to run.
type compiled struct {
	rule      confluent.Rule
	index     int
	write     bool
	read      bool
	cel       *celRule
	jsonata   *jsonataExpr
	exec      Executor
	transform bool
	// skipWrite/skipRead: a TRANSFORM shadowed by an earlier (write) or
	// later (read) transform with the same tags, which Confluent ignores.
	skipWrite, skipRead bool
	unsupported         error
}

// Program is the domain rules of one schema, compiled. It is safe for
// concurrent use.
type Program struct {
	engine       *Engine
	schema       *confluent.Schema
	fields       Fields
	rules        []*compiled
	hasMode      [3]bool
	hasTransform [3]bool
}

// Compile prepares the domain rules of s for values walked by fields. It
// returns nil when s has no enabled domain rule, so callers can skip rule
// handling entirely. A rule whose expression does not compile is kept and
// fails when it runs, taking its onFailure action, as in Confluent's serdes.
func (e *Engine) Compile(s *confluent.Schema, fields Fields) (*Program, error) {
	if s == nil || s.RuleSet == nil || len(s.RuleSet.DomainRules) == 0 {
		return nil, nil
	}
	p := &Program{engine: e, schema: s, fields: fields}
	all := s.RuleSet.DomainRules
	for i, r := range all {
		if r.Disabled || e.disabled[r.Name] || e.disabledTypes[r.Type] {
			continue
		}
		c := &compiled{rule: r, index: i, transform: r.Kind == KindTransform}
		switch strings.ToUpper(r.Mode) {
		case "WRITE":
			c.write = true
		case "READ":
			c.read = true
		case "WRITEREAD":
			c.write, c.read = true, true
		default:
			continue
		}
		switch r.Type {
		case TypeCEL, TypeCELField:
			c.cel = e.cel.compile(r)
		case TypeJSONata:
			c.jsonata = e.jsonata.get(r.Expr)
		default:
			if x, ok := e.executors[r.Type]; ok {
				c.exec = x
			} else {
				c.unsupported = fmt.Errorf("no rule executor for type %q", r.Type)
			}
		}
		if c.transform && len(r.Tags) > 0 {
			for j, o := range all {
				if j != i && sameTagTransform(r, o) {
					if j < i {
						c.skipWrite = true
					} else {
						c.skipRead = true
					}
				}
			}
		}
		p.rules = append(p.rules, c)
		p.hasMode[Write] = p.hasMode[Write] || c.write
		p.hasMode[Read] = p.hasMode[Read] || c.read
		p.hasTransform[Write] = p.hasTransform[Write] || (c.write && c.transform)
		p.hasTransform[Read] = p.hasTransform[Read] || (c.read && c.transform)
	}
	if len(p.rules) == 0 {
		return nil, nil
	}
	return p, nil
}

func sameTagTransform(a, b confluent.Rule) bool {
	return a.Kind == KindTransform && b.Kind == KindTransform && a.Mode == b.Mode && a.Type == b.Type && slices.Equal(a.Tags, b.Tags)
}

// Has reports whether p has rules that run in mode. A nil Program has none.
func (p *Program) Has(mode Mode) bool {
	return p != nil && mode > 0 && int(mode) < len(p.hasMode) && p.hasMode[mode]
}

// Transforms reports whether p has TRANSFORM rules that run in mode, so a
// caller knows whether a value must be encoded again after Run.
func (p *Program) Transforms(mode Mode) bool {
	return p.Has(mode) && p.hasTransform[mode]
}

// Info is what a run knows about the record.
type Info struct {
	Subject string
	Topic   string
	// Skip names rules not to run, such as the rule a dead letter was
	// routed by (its __rule.name header) when the dead letter is read.
	Skip []string
}

// Run runs the rules of mode on msg and returns msg as transformed. The
// first rule whose action is ERROR or DLQ stops the run with an *Error.
func (p *Program) Run(ctx context.Context, mode Mode, msg any, info Info) (any, error) {
	if !p.Has(mode) {
		return msg, nil
	}
	n := len(p.rules)
	for k := range n {
		c := p.rules[k]
		if mode == Read {
			c = p.rules[n-1-k]
		}
		if (mode == Write && (!c.write || c.skipWrite)) || (mode == Read && (!c.read || c.skipRead)) {
			continue
		}
		if len(info.Skip) > 0 && slices.Contains(info.Skip, c.rule.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var out any
		var ok bool
		var err error
		if c.exec != nil {
			out, ok, err = p.runExecutor(ctx, c, mode, info, msg)
		} else {
			out, ok, err = p.runOne(c, msg)
		}
		if err != nil || !ok {
			cause := err
			if cause == nil {
				cause = ErrConditionFailed
			}
			if e := p.act(c, mode, info, p.onFailure(c.rule, mode), ActionError, cause); e != nil {
				return nil, e
			}
			continue
		}
		if c.transform {
			msg = out
		}
		if e := p.act(c, mode, info, p.onSuccess(c.rule, mode), ActionNone, nil); e != nil {
			return nil, e
		}
	}
	return msg, nil
}

// runOne evaluates one rule. ok is false when a condition did not hold.
func (p *Program) runOne(c *compiled, msg any) (out any, ok bool, err error) {
	if c.unsupported != nil {
		return nil, false, c.unsupported
	}
	switch c.rule.Type {
	case TypeJSONata:
		return evalJSONata(c.jsonata, c.transform, msg)
	case TypeCEL:
		v, err := c.cel.eval(msg, nil, nil)
		if err != nil {
			return nil, false, err
		}
		if c.transform {
			return v, true, nil
		}
		return nil, v == true, nil
	default: // CEL_FIELD
		if p.fields == nil {
			return nil, false, errors.New("CEL_FIELD rules are not supported for this format")
		}
		holds := true
		out, err := p.fields.Walk(msg, func(f *Field, value any) (any, error) {
			if value == nil || !holds {
				return value, nil
			}
			if len(c.rule.Tags) > 0 && !intersects(c.rule.Tags, f.Tags) {
				return value, nil
			}
			v, err := c.cel.eval(value, f, f.Container)
			if err != nil {
				return nil, err
			}
			if c.transform {
				return v, nil
			}
			if v != true {
				holds = false
			}
			return value, nil
		})
		if err != nil {
			return nil, false, err
		}
		return out, holds, nil
	}
}

// action picks the action for mode out of a WRITEREAD rule's "write,read"
// pair (an UPDOWN rule's "upgrade,downgrade" pair), and applies the engine's override for the rule's type.
func (p *Program) action(r confluent.Rule, mode Mode, own string, override int) string {
	if o, ok := p.engine.overrides[r.Type]; ok && o[override] != "" {
		own = o[override]
	}
	if a, b, ok := strings.Cut(own, ","); ok {
		if mode == Write || mode == Upgrade {
			return strings.TrimSpace(a)
		}
		return strings.TrimSpace(b)
	}
	return strings.TrimSpace(own)
}

func (p *Program) onSuccess(r confluent.Rule, mode Mode) string {
	return p.action(r, mode, r.OnSuccess, 0)
}

func (p *Program) onFailure(r confluent.Rule, mode Mode) string {
	return p.action(r, mode, r.OnFailure, 1)
}

// act applies action (def when empty) and returns the *Error that stops the
// value, or nil to go on.
func (p *Program) act(c *compiled, mode Mode, info Info, action, def string, cause error) error {
	if action == "" {
		action = def
	}
	switch strings.ToUpper(action) {
	case ActionNone:
		return nil
	case ActionDLQ:
		return &Error{Rule: c.rule, Mode: mode, Subject: info.Subject, Topic: info.Topic, Action: ActionDLQ, DLQTopic: p.dlqTopic(c.rule), Err: cause}
	case ActionError:
		return &Error{Rule: c.rule, Mode: mode, Subject: info.Subject, Topic: info.Topic, Action: ActionError, Err: cause}
	default:
		return &Error{Rule: c.rule, Mode: mode, Subject: info.Subject, Topic: info.Topic, Action: ActionError,
			Err: errors.Join(cause, fmt.Errorf("unknown rule action %q", action))}
	}
}

// dlqTopic resolves dlq.topic: the action's configuration, then the rule's
// params, then the schema's metadata properties.
func (p *Program) dlqTopic(r confluent.Rule) string {
	if p.engine.dlqTopic != "" {
		return p.engine.dlqTopic
	}
	if t := r.Params[ParamDLQTopic]; t != "" {
		return t
	}
	t, _ := p.schema.Property(ParamDLQTopic)
	return t
}
