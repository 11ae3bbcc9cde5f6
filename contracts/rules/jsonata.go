package rules

import (
	"errors"
	"fmt"
	"sync"

	jsonata "github.com/xiatechs/jsonata-go"
)

// jsonataCache holds compiled JSONata expressions by source text, so a
// migration rule met on every record compiles once per Engine. A source
// that does not compile is cached with its error and fails each run.
type jsonataCache struct {
	m sync.Map // string -> *jsonataExpr
}

type jsonataExpr struct {
	expr *jsonata.Expr
	err  error
}

func (c *jsonataCache) get(src string) *jsonataExpr {
	if x, ok := c.m.Load(src); ok {
		return x.(*jsonataExpr)
	}
	x := &jsonataExpr{}
	func() {
		// The parser is third-party code fed text from the registry; a
		// panic in it must not take the consumer down.
		defer func() {
			if r := recover(); r != nil {
				x.expr, x.err = nil, fmt.Errorf("JSONata expression %q: parser panicked: %v", src, r)
			}
		}()
		x.expr, x.err = jsonata.Compile(src)
		if x.err != nil {
			x.err = fmt.Errorf("JSONata expression %q does not compile: %w", src, x.err)
		}
	}()
	actual, _ := c.m.LoadOrStore(src, x)
	return actual.(*jsonataExpr)
}

// eval runs the expression on msg, a JSON-shaped value. An expression that
// yields nothing is an error: a TRANSFORM must give the new value.
func (x *jsonataExpr) eval(msg any) (out any, err error) {
	if x.err != nil {
		return nil, x.err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("JSONata evaluation panicked: %v", r)
		}
	}()
	out, err = x.expr.Eval(msg)
	if errors.Is(err, jsonata.ErrUndefined) {
		return nil, errors.New("JSONata expression yielded no value")
	}
	if err != nil {
		return nil, fmt.Errorf("JSONata: %w", err)
	}
	return out, nil
}
