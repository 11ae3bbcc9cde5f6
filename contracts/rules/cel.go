package rules

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
	"github.com/charter-registry/charter/confluent"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// celEnv is the base environment every rule compiles in: the variables
// Confluent binds, cross-type numeric comparisons, the strings extension and
// Confluent's format checks (isEmail, isUuid, ...).
type celEnv struct {
	env *cel.Env
}

func newCELEnv() (*celEnv, error) {
	opts := []cel.EnvOption{
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(ext.StringsValidateFormatCalls(true)),
		cel.Variable("message", cel.DynType),
		cel.Variable("value", cel.DynType),
		cel.Variable("fullName", cel.StringType),
		cel.Variable("name", cel.StringType),
		cel.Variable("typeName", cel.StringType),
		cel.Variable("tags", cel.ListType(cel.StringType)),
	}
	opts = append(opts, formatFunctions()...)
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("rules: CEL environment: %w", err)
	}
	return &celEnv{env: env}, nil
}

// celRule is a rule's expression, split at Confluent's "guard ;" prefix and
// compiled for plain values, and on demand for each Protobuf file whose
// messages it sees.
type celRule struct {
	base      *cel.Env
	guardSrc  string
	exprSrc   string
	condition bool
	plain     programs
	// byFile maps a protoreflect.FileDescriptor to *programs built with that
	// file's types, so fields of Protobuf messages resolve.
	byFile sync.Map
}

type programs struct {
	guard, expr cel.Program
	err         error
}

func (e *celEnv) compile(r confluent.Rule) *celRule {
	c := &celRule{base: e.env, exprSrc: r.Expr, condition: r.Kind != KindTransform}
	if g, x, ok := strings.Cut(r.Expr, ";"); ok {
		c.guardSrc, c.exprSrc = strings.TrimSpace(g), x
	}
	c.plain = c.build(e.env)
	return c
}

func (c *celRule) build(env *cel.Env) programs {
	var p programs
	p.expr, p.err = program(env, c.exprSrc)
	if p.err == nil && c.guardSrc != "" {
		p.guard, p.err = program(env, c.guardSrc)
	}
	return p
}

func program(env *cel.Env, src string) (cel.Program, error) {
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, fmt.Errorf("compile %q: %w", strings.TrimSpace(src), iss.Err())
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", strings.TrimSpace(src), err)
	}
	return prg, nil
}

// programsFor returns the programs for a value whose message (the whole
// value, or a field's container) is m.
func (c *celRule) programsFor(m any) *programs {
	pm, ok := m.(proto.Message)
	if !ok {
		return &c.plain
	}
	fd := pm.ProtoReflect().Descriptor().ParentFile()
	if p, ok := c.byFile.Load(fd); ok {
		return p.(*programs)
	}
	env, err := c.base.Extend(cel.TypeDescs(fileWithImports(fd)...))
	var p programs
	if err != nil {
		p.err = fmt.Errorf("CEL types of %s: %w", fd.Path(), err)
	} else {
		p = c.build(env)
	}
	actual, _ := c.byFile.LoadOrStore(fd, &p)
	return actual.(*programs)
}

// fileWithImports lists fd and every file it imports, transitively.
func fileWithImports(fd protoreflect.FileDescriptor) []any {
	seen := map[string]bool{}
	var out []any
	var add func(f protoreflect.FileDescriptor)
	add = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imps := f.Imports()
		for i := range imps.Len() {
			add(imps.Get(i).FileDescriptor)
		}
		out = append(out, f)
	}
	add(fd)
	return out
}

// activation binds the variables of one evaluation without building a map.
type activation struct {
	message any
	field   *Field
	value   any
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "message":
		return a.message, true
	}
	if a.field == nil {
		return nil, false
	}
	switch name {
	case "value":
		return a.value, true
	case "name":
		return a.field.Name, true
	case "fullName":
		return a.field.FullName, true
	case "typeName":
		return a.field.Type, true
	case "tags":
		if a.field.Tags == nil {
			return []string{}, true
		}
		return a.field.Tags, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// eval evaluates the rule. For a CEL rule, v is the message and f nil; for
// CEL_FIELD, v is the field's value, f the field and container its message.
// A guard that is false (or fails) makes a condition hold and a transform
// return v unchanged, as in Confluent's executor.
func (c *celRule) eval(v any, f *Field, container any) (any, error) {
	act := &activation{message: v}
	msgForTypes := v
	if f != nil {
		act.message, act.field, act.value = container, f, v
		msgForTypes = container
	}
	p := c.programsFor(msgForTypes)
	if p.err != nil {
		return nil, p.err
	}
	if p.guard != nil {
		g, _, err := p.guard.Eval(act)
		if err != nil || g.Type() != types.BoolType || g != types.True {
			if c.condition {
				return true, nil
			}
			return v, nil
		}
	}
	out, _, err := p.expr.Eval(act)
	if err != nil {
		return nil, fmt.Errorf("CEL expr %s failed: %w", strings.TrimSpace(c.exprSrc), err)
	}
	return native(out)
}

// native converts a CEL result to a plain Go value: bool, int64, uint64,
// float64, string, []byte, nil, []any, map[string]any or a proto.Message.
func native(v ref.Val) (any, error) {
	switch v.Type() {
	case types.ErrType:
		if err, ok := v.Value().(error); ok {
			return nil, err
		}
		return nil, errors.New("CEL evaluation error")
	case types.UnknownType:
		return nil, errors.New("CEL result is unknown")
	case types.NullType:
		return nil, nil
	}
	switch t := v.(type) {
	case traits.Mapper:
		out := map[string]any{}
		it := t.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			ks, ok := k.Value().(string)
			if !ok {
				return nil, fmt.Errorf("CEL map key %v is not a string", k.Value())
			}
			val, err := native(t.Get(k))
			if err != nil {
				return nil, err
			}
			out[ks] = val
		}
		return out, nil
	case traits.Lister:
		var out []any
		it := t.Iterator()
		for it.HasNext() == types.True {
			val, err := native(it.Next())
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	return v.Value(), nil
}
