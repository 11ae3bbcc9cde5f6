package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// GetConfig returns the global config (subject "") or a subject's. A
// subject without its own config is 40408 unless defaultToGlobal, which
// returns the config that applies to it.
func (s *Service) GetConfig(subject string, defaultToGlobal bool) (Config, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	if defaultToGlobal {
		return st.effectiveConfig(subject, s.cfg.DefaultCompatibility), nil
	}
	if subject == "" {
		return withDefaultLevel(st.global, s.cfg.DefaultCompatibility), nil
	}
	if c, ok := st.configs[subject]; ok {
		return c, nil
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
// config and returns the merged config.
func (s *Service) SetConfig(ctx context.Context, subject string, update Config) (Config, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Config{}, fmt.Errorf("set config: %w", err)
	}
	if subject != "" {
		if err := ValidateSubject(subject); err != nil {
			return Config{}, err
		}
	}
	update, err = validateConfig(update)
	if err != nil {
		return Config{}, err
	}
	var out Config
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actConfig, st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		if m := st.effectiveMode(subject); m == ReadOnly || m == ReadOnlyOverride {
			return nil, errReadOnlyConfig(subject)
		}
		cur, had := st.global, true
		if subject != "" {
			cur, had = st.configs[subject]
		}
		out = cur.merge(update)
		r, err := record(configKey(subject), out)
		if err != nil {
			return nil, err
		}
		e := AuditEntry{Operation: OpConfigChanged, Subject: subject, After: rawJSON(out)}
		if had {
			e.Before = rawJSON(cur)
		}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return s.withAudit([]storage.Record{r}, p, e)
	})
	if err != nil {
		return Config{}, fmt.Errorf("set config: %w", err)
	}
	return out, nil
}

// DeleteConfig removes the global (back to defaults) or a subject's config
// and returns what it was.
func (s *Service) DeleteConfig(ctx context.Context, subject string) (Config, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Config{}, fmt.Errorf("delete config: %w", err)
	}
	if subject != "" {
		if err := ValidateSubject(subject); err != nil {
			return Config{}, err
		}
	}
	var out Config
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actConfig, st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		if m := st.effectiveMode(subject); m == ReadOnly || m == ReadOnlyOverride {
			return nil, errReadOnlyConfig(subject)
		}
		if subject == "" {
			out = st.effectiveConfig("", s.cfg.DefaultCompatibility)
			return s.withAudit([]storage.Record{tombstone(configKey(""))}, p, AuditEntry{Operation: OpConfigDeleted, Before: rawJSON(st.global)})
		}
		c, ok := st.configs[subject]
		if !ok {
			return nil, errSubjectNotFound(subject)
		}
		out = c
		e := AuditEntry{Operation: OpConfigDeleted, Subject: subject, Before: rawJSON(c)}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return s.withAudit([]storage.Record{tombstone(configKey(subject))}, p, e)
	})
	if err != nil {
		return Config{}, fmt.Errorf("delete config: %w", err)
	}
	return out, nil
}

// GetMode returns the global mode (subject "") or a subject's.
func (s *Service) GetMode(subject string, defaultToGlobal bool) (Mode, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	if defaultToGlobal {
		return st.effectiveMode(subject), nil
	}
	if subject == "" {
		if st.globalMode != "" {
			return st.globalMode, nil
		}
		return ReadWrite, nil
	}
	if m, ok := st.modes[subject]; ok {
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
	p, err := s.principal(ctx)
	if err != nil {
		return "", fmt.Errorf("set mode: %w", err)
	}
	if subject != "" {
		if err := ValidateSubject(subject); err != nil {
			return "", err
		}
	}
	m, err := ParseMode(string(mode))
	if err != nil {
		return "", err
	}
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actMode, m == Import || st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		if m == Import && !force {
			if st.hasLiveSubjects(subject) {
				return nil, Errorf(CodeOperationNotPermitted, "Cannot import since found existing subjects; set force=true to switch to IMPORT anyway")
			}
		}
		r, err := record(modeKey(subject), modeValue{Mode: m})
		if err != nil {
			return nil, err
		}
		e := AuditEntry{Operation: OpModeChanged, Subject: subject, After: rawJSON(modeValue{Mode: m})}
		if cur, ok := st.modes[subject]; ok && subject != "" {
			e.Before = rawJSON(modeValue{Mode: cur})
		} else if subject == "" && st.globalMode != "" {
			e.Before = rawJSON(modeValue{Mode: st.globalMode})
		}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return s.withAudit([]storage.Record{r}, p, e)
	})
	if err != nil {
		return "", fmt.Errorf("set mode: %w", err)
	}
	return m, nil
}

// DeleteMode removes the global (back to READWRITE) or a subject's mode and
// returns what it was.
func (s *Service) DeleteMode(ctx context.Context, subject string) (Mode, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return "", fmt.Errorf("delete mode: %w", err)
	}
	if subject != "" {
		if err := ValidateSubject(subject); err != nil {
			return "", err
		}
	}
	var out Mode
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actMode, st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		if subject == "" {
			out = st.effectiveMode("")
			e := AuditEntry{Operation: OpModeDeleted}
			if st.globalMode != "" {
				e.Before = rawJSON(modeValue{Mode: st.globalMode})
			}
			return s.withAudit([]storage.Record{tombstone(modeKey(""))}, p, e)
		}
		m, ok := st.modes[subject]
		if !ok {
			// Confluent's ModeResource answers a missing subject mode on
			// delete with 40401, where GET says 40409.
			return nil, errSubjectNotFound(subject)
		}
		out = m
		e := AuditEntry{Operation: OpModeDeleted, Subject: subject, Before: rawJSON(modeValue{Mode: m})}
		e.Topic, e.Team = s.subjectTopicLocked(subject)
		return s.withAudit([]storage.Record{tombstone(modeKey(subject))}, p, e)
	})
	if err != nil {
		return "", fmt.Errorf("delete mode: %w", err)
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
	st := s.state
	st.mu.RLock()
	c, ok := st.configs[subject]
	st.mu.RUnlock()
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
