package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/confluent"
)

// Migration rule modes as Confluent names them. UPDOWN rules run in both
// directions.
const (
	ModeUpgrade   = "UPGRADE"
	ModeDowngrade = "DOWNGRADE"
	ModeUpDown    = "UPDOWN"
)

// enabled reports whether r is switched on: not disabled in the registry,
// by name or by type.
func (e *Engine) enabled(r confluent.Rule) bool {
	return !r.Disabled && !e.disabled[r.Name] && !e.disabledTypes[r.Type]
}

// runsIn reports whether a migration rule of mode ruleMode runs in mode.
func runsIn(ruleMode string, mode Mode) bool {
	switch strings.ToUpper(ruleMode) {
	case ModeUpDown:
		return mode == Upgrade || mode == Downgrade
	case ModeUpgrade:
		return mode == Upgrade
	case ModeDowngrade:
		return mode == Downgrade
	}
	return false
}

// Migrates reports whether s carries an enabled migration rule that runs in
// mode, so a deserializer knows whether s is a step of a migration. A nil
// Engine migrates nothing.
func (e *Engine) Migrates(s *confluent.Schema, mode Mode) bool {
	if e == nil || s == nil || s.RuleSet == nil {
		return false
	}
	for _, r := range s.RuleSet.MigrationRules {
		if e.enabled(r) && runsIn(r.Mode, mode) {
			return true
		}
	}
	return false
}

// Migrate runs the migration rules of s, one version of a subject, on msg
// and returns msg as migrated. msg is a JSON-shaped value: maps with string
// keys, slices, strings, numbers, booleans and nil.
//
// Following Confluent's serdes, a reader whose version is newer than the
// writer's calls Migrate with Upgrade for every newer version up to its
// own, oldest first, and s's rules run in ruleSet order; a reader whose
// version is older calls it with Downgrade for every version newer than
// its own down from the writer's, newest first, and s's rules run in
// reverse order. Rules of type JSONATA and CEL are supported; a
// CONDITION must yield true, a TRANSFORM's result replaces msg. Failures
// take the rule's onFailure action (ERROR by default) as in Run.
func (e *Engine) Migrate(ctx context.Context, mode Mode, s *confluent.Schema, msg any, info Info) (any, error) {
	if mode != Upgrade && mode != Downgrade {
		return nil, fmt.Errorf("rules: migrations run in UPGRADE or DOWNGRADE mode, not %s", mode)
	}
	if s == nil || s.RuleSet == nil {
		return msg, nil
	}
	p := &Program{engine: e, schema: s}
	all := s.RuleSet.MigrationRules
	n := len(all)
	for k := range n {
		i := k
		if mode == Downgrade {
			i = n - 1 - k
		}
		r := all[i]
		if !e.enabled(r) || !runsIn(r.Mode, mode) || slices.Contains(info.Skip, r.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := &compiled{rule: r, index: i, transform: r.Kind == KindTransform}
		out, ok, err := e.runMigration(c, msg)
		if err != nil || !ok {
			cause := err
			if cause == nil {
				cause = ErrConditionFailed
			}
			if e := p.act(c, mode, info, p.onFailure(r, mode), ActionError, cause); e != nil {
				return nil, e
			}
			continue
		}
		if c.transform {
			msg = out
		}
		if e := p.act(c, mode, info, p.onSuccess(r, mode), ActionNone, nil); e != nil {
			return nil, e
		}
	}
	return msg, nil
}

// runMigration evaluates one migration rule on the whole message.
func (e *Engine) runMigration(c *compiled, msg any) (any, bool, error) {
	switch c.rule.Type {
	case TypeJSONata:
		return evalJSONata(e.jsonata.get(c.rule.Expr), c.transform, msg)
	case TypeCEL:
		key := c.rule.Kind + "\x00" + c.rule.Expr
		cr, ok := e.celCache.Load(key)
		if !ok {
			cr, _ = e.celCache.LoadOrStore(key, e.cel.compile(c.rule))
		}
		v, err := cr.(*celRule).eval(msg, nil, nil)
		if err != nil {
			return nil, false, err
		}
		if c.transform {
			return v, true, nil
		}
		return nil, v == true, nil
	case TypeCELField:
		return nil, false, errors.New("CEL_FIELD rules are not supported as migration rules")
	}
	return nil, false, fmt.Errorf("no rule executor for type %q", c.rule.Type)
}

// evalJSONata runs x on msg as a CONDITION (ok is whether it yielded true)
// or a TRANSFORM (out is the new value).
func evalJSONata(x *jsonataExpr, transform bool, msg any) (out any, ok bool, err error) {
	v, err := x.eval(msg)
	if err != nil {
		return nil, false, err
	}
	if transform {
		return v, true, nil
	}
	return nil, v == true, nil
}
