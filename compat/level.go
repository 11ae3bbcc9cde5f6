package compat

import (
	"fmt"
	"strings"
)

// Level is a compatibility level as Confluent names it.
type Level string

// The compatibility levels.
const (
	None               Level = "NONE"
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
)

// Levels lists every valid level.
var Levels = []Level{None, Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive}

// ParseLevel accepts a level name in any letter case.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	for _, v := range Levels {
		if v == l {
			return l, nil
		}
	}
	return "", fmt.Errorf("invalid compatibility level %q: use one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE", s)
}

// Transitive reports whether the level checks every earlier version rather
// than only the latest.
func (l Level) Transitive() bool { return strings.HasSuffix(string(l), "_TRANSITIVE") }

// ChecksBackward reports whether the level asks new readers to read old
// data (BACKWARD, FULL and their transitive forms).
func (l Level) ChecksBackward() bool { return l.backward() }

// ChecksForward reports whether the level asks old readers to read new
// data (FORWARD, FULL and their transitive forms).
func (l Level) ChecksForward() bool { return l.forward() }

func (l Level) backward() bool {
	return l == Backward || l == BackwardTransitive || l == Full || l == FullTransitive
}

func (l Level) forward() bool {
	return l == Forward || l == ForwardTransitive || l == Full || l == FullTransitive
}

// Version is an earlier schema of a subject, as the level check sees it.
type Version struct {
	Version int
	Type    Type
	Schema  Schema
}

// Violation is an incompatible change found by a level check, with the
// earlier version it conflicts with and the direction that broke.
type Violation struct {
	Change
	// OldVersion is the earlier version the new schema conflicts with.
	OldVersion int `json:"oldVersion"`
	// Direction is BACKWARD when the new schema cannot read old data and
	// FORWARD when the old schema cannot read new data.
	Direction string `json:"direction"`
}

// Check tests next against the earlier versions of a subject (oldest first)
// at level. Non-transitive levels look only at the newest earlier version;
// transitive levels walk them newest first and stop at the first version
// that conflicts, as Confluent does. A schema of another Type than an
// earlier version is always incompatible with it.
func Check(f Format, level Level, nextType Type, next Schema, previous []Version, opts Options) []Violation {
	if level == None || level == "" || len(previous) == 0 {
		return nil
	}
	if !level.Transitive() {
		previous = previous[len(previous)-1:]
	}
	opts.IncompatibleOnly = true
	for i := len(previous) - 1; i >= 0; i-- {
		p := previous[i]
		var out []Violation
		if p.Type != nextType {
			out = append(out, Violation{
				Change: Change{
					Kind:    "TYPE_MISMATCH",
					Rule:    "SCHEMA_TYPE_CHANGED",
					Path:    "/",
					Message: fmt.Sprintf("different schema type: version %d is %s, the new schema is %s", p.Version, p.Type, nextType),
				},
				OldVersion: p.Version,
				Direction:  string(level),
			})
			return out
		}
		if level.backward() {
			out = appendIncompatible(out, f.Diff(p.Schema, next, opts), p.Version, "BACKWARD")
		}
		if level.forward() {
			out = appendIncompatible(out, f.Diff(next, p.Schema, opts), p.Version, "FORWARD")
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func appendIncompatible(out []Violation, changes []Change, version int, dir string) []Violation {
	for _, c := range changes {
		if !c.Compatible {
			out = append(out, Violation{Change: c, OldVersion: version, Direction: dir})
		}
	}
	return out
}
