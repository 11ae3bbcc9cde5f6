package registry

import (
	"context"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// GetConfig returns the global config (subject "") or a subject's. A
// subject without its own config is 40408 unless defaultToGlobal, which
// returns the config that applies to it.
func (s *Service) GetConfig(subject string, defaultToGlobal bool) (Config, error) {
	sn := s.Snapshot()
	if defaultToGlobal {
		return sn.effectiveConfig(subject, s.cfg.DefaultCompatibility).clone(), nil
	}
	if subject == "" {
		return withDefaultLevel(sn.global, s.cfg.DefaultCompatibility).clone(), nil
	}
	if c, ok := sn.config(subject); ok {
		return c.clone(), nil
	}
	if confluent.ContextOf(subject) == GlobalContext {
		// Confluent answers ".__GLOBAL" without a config of its own with
		// the defaults, not 40408.
		return withDefaultLevel(Config{}, s.cfg.DefaultCompatibility), nil
	}
	return Config{}, Errorf(CodeSubjectCompatibilityNotSet, "Subject '%s' does not have subject-level compatibility configured", subject)
}

// validateConfig checks an update and returns it with the level and the
// policy in their canonical upper-case spelling.
func validateConfig(c Config) (Config, error) {
	if c.Compatibility != nil {
		l, err := compat.ParseLevel(string(*c.Compatibility))
		if err != nil {
			return c, &Error{Code: CodeInvalidCompatibilityLevel, Message: msgInvalidCompatibility, Err: err}
		}
		c.Compatibility = &l
	}
	if c.CompatibilityPolicy != nil {
		p := strings.ToUpper(*c.CompatibilityPolicy)
		if p != "STRICT" && p != "LENIENT" {
			return c, Errorf(CodeInvalidRequest, "Invalid compatibilityPolicy %q: use STRICT or LENIENT", *c.CompatibilityPolicy)
		}
		c.CompatibilityPolicy = &p
	}
	if err := validateLint(c.Lint); err != nil {
		return c, err
	}
	if err := validateRuleSet(c.DefaultRuleSet); err != nil {
		return c, err
	}
	return c, validateRuleSet(c.OverrideRuleSet)
}

// SetConfig merges update into the global (subject "") or a subject's
// config and returns the merged config. The fields named in clear are
// unset first (Confluent's PUT /config with a field sent as null), so a
// field update sets wins over its clearing.
func (s *Service) SetConfig(ctx context.Context, subject string, update Config, clear ...ConfigField) (Config, error) {
	check := func() (err error) {
		if subject != "" {
			if err := ValidateSubject(subject); err != nil {
				return err
			}
		}
		if _, err := (Config{}).without(clear); err != nil {
			return err
		}
		update, err = validateConfig(update)
		return err
	}
	var out Config
	err := s.mutate(ctx, check, func(m *Mutation) error {
		sn, unlock := s.lockedFor(m)
		defer unlock()
		if err := s.authorizeConfigChange(m, subject); err != nil {
			return err
		}
		cur, had := sn.global, true
		if subject != "" {
			cur, had = sn.config(subject)
		}
		base, err := cur.without(clear)
		if err != nil {
			return err
		}
		out = base.merge(update)
		r, err := record(configKey(subject), out)
		if err != nil {
			return err
		}
		m.Append(r)
		e := AuditEntry{Operation: OpConfigChanged, Subject: subject, After: rawJSON(out)}
		if had {
			e.Before = rawJSON(cur)
		}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return m.Audit(e)
	})
	if err != nil {
		return Config{}, writeError(err, "set config", "set config")
	}
	return out.clone(), nil
}

// lockedFor takes the state's read lock for a write's decision that reads
// ownership or topics, and returns the write's snapshot with the unlock.
func (s *Service) lockedFor(m *Mutation) (*Snapshot, func()) {
	s.state.mu.RLock()
	return m.Snapshot(), s.state.mu.RUnlock
}

// authorizeConfigChange: the principal may change the subject's config,
// and its mode takes config changes.
func (s *Service) authorizeConfigChange(m *Mutation, subject string) error {
	mode := m.Snapshot().effectiveMode(subject)
	if err := s.authorizeSubjectLocked(m.Principal(), subject, actConfig, mode == Import); err != nil {
		return err
	}
	if mode == ReadOnly || mode == ReadOnlyOverride {
		return errReadOnlyConfig(subject)
	}
	return nil
}

// DeleteConfig removes the global (back to defaults) or a subject's config
// and returns what it was.
func (s *Service) DeleteConfig(ctx context.Context, subject string) (Config, error) {
	var out Config
	err := s.mutate(ctx, validSubjectOrGlobal(subject), func(m *Mutation) error {
		sn, unlock := s.lockedFor(m)
		defer unlock()
		if err := s.authorizeConfigChange(m, subject); err != nil {
			return err
		}
		if subject == "" {
			out = sn.effectiveConfig("", s.cfg.DefaultCompatibility)
			m.Append(tombstone(configKey("")))
			return m.Audit(AuditEntry{Operation: OpConfigDeleted, Before: rawJSON(sn.global)})
		}
		c, ok := sn.config(subject)
		if !ok {
			return errSubjectNotFound(subject)
		}
		out = c
		m.Append(tombstone(configKey(subject)))
		e := AuditEntry{Operation: OpConfigDeleted, Subject: subject, Before: rawJSON(c)}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return m.Audit(e)
	})
	if err != nil {
		return Config{}, writeError(err, "delete config", "delete config")
	}
	return out.clone(), nil
}

// validSubjectOrGlobal checks a config or mode write's subject: "" is
// the global one.
func validSubjectOrGlobal(subject string) func() error {
	return func() error {
		if subject == "" {
			return nil
		}
		return ValidateSubject(subject)
	}
}

// GetMode returns the global mode (subject "") or a subject's.
func (s *Service) GetMode(subject string, defaultToGlobal bool) (Mode, error) {
	sn := s.Snapshot()
	if defaultToGlobal {
		return sn.effectiveMode(subject), nil
	}
	if subject == "" {
		if sn.globalMode != "" {
			return sn.globalMode, nil
		}
		return ReadWrite, nil
	}
	if m, ok := sn.mode(subject); ok {
		return m, nil
	}
	if confluent.ContextOf(subject) == GlobalContext {
		return ReadWrite, nil
	}
	return "", Errorf(CodeSubjectModeNotSet, "Subject '%s' does not have subject-level mode configured", subject)
}

// SetMode sets the global (subject "") or a subject's mode. Switching to
// IMPORT while schemas exist needs force.
func (s *Service) SetMode(ctx context.Context, subject string, mode Mode, force bool) (Mode, error) {
	var m Mode
	check := func() (err error) {
		if err := validSubjectOrGlobal(subject)(); err != nil {
			return err
		}
		m, err = ParseMode(string(mode))
		return err
	}
	err := s.mutate(ctx, check, func(mu *Mutation) error {
		sn, unlock := s.lockedFor(mu)
		defer unlock()
		if err := s.authorizeSubjectLocked(mu.Principal(), subject, actMode, m == Import || sn.effectiveMode(subject) == Import); err != nil {
			return err
		}
		if m == Import && !force && sn.hasLiveSubjects(subject) {
			return Errorf(CodeOperationNotPermitted, "Cannot import since found existing subjects; set force=true to switch to IMPORT anyway")
		}
		r, err := record(modeKey(subject), modeValue{Mode: m})
		if err != nil {
			return err
		}
		mu.Append(r)
		e := AuditEntry{Operation: OpModeChanged, Subject: subject, After: rawJSON(modeValue{Mode: m})}
		if cur, ok := sn.mode(subject); ok && subject != "" {
			e.Before = rawJSON(modeValue{Mode: cur})
		} else if subject == "" && sn.globalMode != "" {
			e.Before = rawJSON(modeValue{Mode: sn.globalMode})
		}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return mu.Audit(e)
	})
	if err != nil {
		return "", writeError(err, "set mode", "set mode")
	}
	return m, nil
}

// DeleteMode removes the global (back to READWRITE) or a subject's mode and
// returns what it was.
func (s *Service) DeleteMode(ctx context.Context, subject string) (Mode, error) {
	var out Mode
	err := s.mutate(ctx, validSubjectOrGlobal(subject), func(mu *Mutation) error {
		sn, unlock := s.lockedFor(mu)
		defer unlock()
		if err := s.authorizeSubjectLocked(mu.Principal(), subject, actMode, sn.effectiveMode(subject) == Import); err != nil {
			return err
		}
		if subject == "" {
			out = sn.effectiveMode("")
			mu.Append(tombstone(modeKey("")))
			e := AuditEntry{Operation: OpModeDeleted}
			if sn.globalMode != "" {
				e.Before = rawJSON(modeValue{Mode: sn.globalMode})
			}
			return mu.Audit(e)
		}
		m, ok := sn.mode(subject)
		if !ok {
			// Confluent's ModeResource answers a missing subject mode on
			// delete with 40401, where GET says 40409.
			return errSubjectNotFound(subject)
		}
		out = m
		mu.Append(tombstone(modeKey(subject)))
		e := AuditEntry{Operation: OpModeDeleted, Subject: subject, Before: rawJSON(modeValue{Mode: m})}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return mu.Audit(e)
	})
	if err != nil {
		return "", writeError(err, "delete mode", "delete mode")
	}
	return out, nil
}

// ResolveAlias returns the subject that subject stands for: the alias in
// subject's own config (not the global one), or subject itself. As in
// Confluent, resolution is one level (an alias of an alias is not
// followed), and an alias without a context takes the context of the
// subject that declares it (":.staging:zz" with alias "orders-value"
// stands for ":.staging:orders-value").
func (s *Service) ResolveAlias(subject string) string {
	if subject == "" {
		return subject
	}
	c, ok := s.Snapshot().config(subject)
	if !ok || c.Alias == nil || *c.Alias == "" {
		return subject
	}
	alias := *c.Alias
	if strings.HasPrefix(alias, ":.") {
		return alias
	}
	if ctx, ok := subjectContext(subject); ok && ctx != "." {
		return ":" + ctx + ":" + alias
	}
	return alias
}

// subjectContext returns the context of a qualified subject
// (":.staging:orders" is in ".staging"), false for an unqualified one.
func subjectContext(subject string) (string, bool) {
	if !strings.HasPrefix(subject, ":.") {
		return "", false
	}
	i := strings.IndexByte(subject[1:], ':')
	if i < 0 {
		return "", false
	}
	return subject[1 : 1+i], true
}
