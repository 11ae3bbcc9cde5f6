package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/lint"
)

// LintMode says what a registration does with lint findings.
type LintMode string

// The lint modes. Off (the default) lints nothing. Warn registers the
// schema and returns the findings with it, and records them in the audit
// entry. Enforce refuses a schema with findings (CodeLintViolations).
const (
	LintOff     LintMode = "off"
	LintWarn    LintMode = "warn"
	LintEnforce LintMode = "enforce"
)

// LintPolicy is a subject's (or the global) lint configuration: the mode
// and the rule selection, as charter.yaml's lint section gives it. It is
// part of Config, so it is stored and replayed with it. In JSON it is an
// object, {"mode":"enforce","except":["HEURISTIC"]}, or just the mode.
type LintPolicy struct {
	Mode   LintMode `json:"mode"`
	Use    []string `json:"use,omitempty"`
	Except []string `json:"except,omitempty"`
	// Event is delta or state, for the naming rules; empty infers it.
	Event string `json:"event,omitempty"`
}

// UnmarshalJSON accepts the object form and the bare mode ("warn").
func (p *LintPolicy) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var m string
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		*p = LintPolicy{Mode: LintMode(m)}
		return nil
	}
	type plain LintPolicy
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = LintPolicy(v)
	return nil
}

func (p LintPolicy) config() lint.Config { return lint.Config{Use: p.Use, Except: p.Except} }

// ValidateLint checks a policy and spells its mode in lower case, for
// topics that carry one.
func ValidateLint(p *LintPolicy) error { return validateLint(p) }

// validateLint checks a policy and spells its mode in lower case.
func validateLint(p *LintPolicy) error {
	if p == nil {
		return nil
	}
	switch m := LintMode(strings.ToLower(string(p.Mode))); m {
	case LintOff, LintWarn, LintEnforce:
		p.Mode = m
	case "":
		return Errorf(CodeInvalidRequest, "Invalid lint policy: give a mode, off, warn or enforce")
	default:
		return Errorf(CodeInvalidRequest, "Invalid lint mode %q: use off, warn or enforce", p.Mode)
	}
	if err := p.config().Validate(); err != nil {
		return Errorf(CodeInvalidRequest, "Invalid lint policy: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if _, err := lint.ParseEvent(p.Event); err != nil {
		return Errorf(CodeInvalidRequest, "Invalid lint policy: %s", err.Error())
	}
	return nil
}

// LintError carries the findings behind a CodeLintViolations error, for
// callers that render them as a list.
type LintError struct {
	Subject  string
	Findings []lint.Finding
}

func (e *LintError) Error() string {
	return fmt.Sprintf("%d lint findings for subject %s", len(e.Findings), e.Subject)
}

func lintRefused(subject string, fs []lint.Finding) *Error {
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = fmt.Sprintf("{rule:'%s', path:'%s', line:%d, column:%d, message:'%s'}", f.Rule, f.Path, f.Line, f.Column, f.Message)
	}
	return &Error{
		Code:    CodeLintViolations,
		Message: fmt.Sprintf("Schema being registered violates the lint policy (enforce) of subject \"%s\", details: [%s]", subject, strings.Join(msgs, ", ")),
		Err:     &LintError{Subject: subject, Findings: fs},
	}
}

// lintOn lints a candidate under the subject's policy (see LintPolicy),
// compared with the subject's latest live version in snapshot sn. It
// returns the mode and the findings; LintOff and nil when the subject has
// no policy in force. Call it under the state's read lock (topics).
func (s *Service) lintOn(sn *Snapshot, subject string, c *candidate) (LintMode, []lint.Finding) {
	p := s.lintPolicyOn(sn, subject)
	if p == nil || p.Mode == LintOff || p.Mode == "" {
		return LintOff, nil
	}
	event, _ := lint.ParseEvent(p.Event)
	in := lint.Input{Schema: c.parsed, Type: c.typ, Subject: subject, Event: event, Format: c.format}
	if prev := s.latestOfType(sn, subject, c.typ); prev != nil {
		in.Previous, in.PreviousSubject = prev, subject
	} else {
		s.predecessorOn(sn, &in)
	}
	fs := lint.Run(in, p.config().Rules())
	if fs == nil {
		fs = []lint.Finding{}
	}
	return p.Mode, fs
}

// LintLatest lints a subject's latest live version, compared with the
// live version before it, with the rules its lint policy selects (every
// rule when it has no policy, or it is off), for the catalogue. A subject
// without a live version has nothing to lint: SUBJECT_NOT_FOUND. Answers
// are cached per subject until its versions, policy or predecessor
// change; the returned slice must not be modified.
func (s *Service) LintLatest(subject string) ([]lint.Finding, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	sn := st.Snapshot()
	ss := sn.subject(subject)
	if ss == nil || !ss.hasLive() {
		s.lintCache.Delete(subject)
		return nil, errSubjectNotFound(subject)
	}
	var live []*storedSchema
	for i := len(ss.versions) - 1; i >= 0 && len(live) < 2; i-- {
		vs := &ss.versions[i]
		if sc := vs.schema; !vs.deleted && sc != nil {
			live = append(live, sc)
		}
	}
	latest := live[0]
	f, _, err := s.format(latest.typ())
	if err != nil {
		return nil, err
	}
	parsed, err := s.parsedOn(sn, latest)
	if err != nil {
		return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Stored schema %d of subject '%s' no longer parses: %v", latest.id(), subject, err), Err: err}
	}
	p := LintPolicy{}
	if lp := s.lintPolicyOn(sn, subject); lp != nil {
		p = *lp
	}
	event, _ := lint.ParseEvent(p.Event)
	in := lint.Input{Schema: parsed, Type: latest.typ(), Subject: subject, Event: event, Format: f}
	prevID := 0
	if len(live) == 2 && live[1].typ() == latest.typ() {
		if prev, err := s.parsedOn(sn, live[1]); err == nil {
			in.Previous, in.PreviousSubject = prev, subject
			prevID = live[1].id()
		}
	} else if len(live) == 1 {
		s.predecessorOn(sn, &in)
		if in.PreviousSubject != "" {
			if pss := sn.subject(in.PreviousSubject); pss != nil {
				if vs := pss.latest(false); vs != nil {
					prevID = vs.id()
				}
			}
		}
	}
	policy, _ := json.Marshal(p)
	key := fmt.Sprintf("%d\x00%d\x00%s\x00%s\x00%s\x00%s", latest.id(), prevID, in.PreviousSubject, in.Topic, in.PreviousTopic, policy)
	if e, ok := s.lintCache.Load(subject); ok && e.(lintCacheEntry).key == key {
		return e.(lintCacheEntry).findings, nil
	}
	fs := lint.Run(in, p.config().Rules())
	s.lintCache.Store(subject, lintCacheEntry{key: key, findings: fs})
	return fs, nil
}

// lintCacheEntry is one subject's cached LintLatest answer and what it
// was computed from. The findings are shared: callers do not modify them.
type lintCacheEntry struct {
	key      string
	findings []lint.Finding
}

// latestOfType is the subject's latest live version of type t in sn,
// parsed; nil when there is none.
func (s *Service) latestOfType(sn *Snapshot, subject string, t compat.Type) compat.Schema {
	ss := sn.subject(subject)
	if ss == nil {
		return nil
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		vs := &ss.versions[i]
		sc := vs.schema
		if vs.deleted || sc == nil || sc.typ() != t {
			continue
		}
		if prev, err := s.parsedOn(sn, sc); err == nil {
			return prev
		}
		return nil
	}
	return nil
}

// predecessorOn compares a subject's first schema with the topic its
// topic succeeds: when the subject is the key or value of a topic that
// another topic names as its successor, the predecessor's key or value
// schema is the previous version, so TOPIC_NAME_VERSIONED can judge a
// breaking successor's name.
func (s *Service) predecessorOn(sn *Snapshot, in *lint.Input) {
	t, ok := s.governor().Binding(in.Subject)
	if !ok {
		return
	}
	in.Topic = t.Topic
	for _, p := range s.governor().Predecessors(in.Subject) {
		if prev := s.latestOfType(sn, p.Subject, in.Type); prev != nil {
			in.Previous, in.PreviousSubject, in.PreviousTopic = prev, p.Subject, p.Topic
			return
		}
	}
}

// lintPolicyOn is the lint policy in force for subject: its own
// config's, else its topic's, else the global config's; nil when none
// sets one.
func (s *Service) lintPolicyOn(sn *Snapshot, subject string) *LintPolicy {
	if c, ok := sn.config(subject); ok && c.Lint != nil {
		return c.Lint
	}
	if t, ok := s.governor().Binding(subject); ok && t.Lint != nil {
		return t.Lint
	}
	return sn.global.Lint
}

// LintPolicy returns the lint policy in force for subject: its own
// config's, else its topic's, else the global config's. The zero policy
// (mode "") means none is set, which lints nothing at registration.
func (s *Service) LintPolicy(subject string) LintPolicy {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	if p := s.lintPolicyOn(st.Snapshot(), subject); p != nil {
		return p.clone()
	}
	return LintPolicy{}
}

// clone returns a copy of p that shares no slice with it.
func (p LintPolicy) clone() LintPolicy {
	p.Use, p.Except = slices.Clone(p.Use), slices.Clone(p.Except)
	return p
}
