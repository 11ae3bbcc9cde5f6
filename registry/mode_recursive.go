package registry

import (
	"context"
	"sort"
	"strings"

	"github.com/charter-registry/charter/confluent"
)

// DeleteModeRecursive is DELETE /mode/{subject}?recursive=true, as
// Confluent's ModeResource answers it: the mode of subject goes, and when
// subject names a context (":.ctx:", or "" for the global mode) so do the
// modes of every subject under it, in one batch with an audit entry for
// each. Under the global mode that is every subject's mode of every
// context, the modes of contexts themselves included: Confluent's store
// lists mode keys by the default context's prefix, which is empty (its
// documentation says "the default context"). A subject or context without
// a mode of its own is no error here, unlike without recursive: the
// answer's mode is then empty. A subject that names no context deletes
// its own mode only.
func (s *Service) DeleteModeRecursive(ctx context.Context, subject string) (Mode, bool, error) {
	var out Mode
	had := false
	err := s.mutate(ctx, validSubjectOrGlobal(subject), func(mu *Mutation) error {
		sn, unlock := s.lockedFor(mu)
		defer unlock()
		var targets []string
		if subject == "" {
			// As without recursive: the global mode answers its effective
			// value, and its record goes whether set or not.
			targets = append(targets, "")
		} else if _, ok := sn.mode(subject); ok {
			targets = append(targets, subject)
		}
		if q := confluent.ParseSubject(subject); subject == "" || q.Name == "" {
			prefix := confluent.ContextPrefix(q.Context)
			if subject == "" {
				prefix = ""
			}
			var under []string
			sn.modes.each(func(k string, _ Mode) bool {
				if k != "" && k != subject && strings.HasPrefix(k, prefix) {
					under = append(under, k)
				}
				return true
			})
			sort.Strings(under)
			targets = append(targets, under...)
		}
		if err := s.authorizeSubjectLocked(mu.Principal(), subject, actMode, sn.effectiveMode(subject) == Import); err != nil {
			return err
		}
		for _, t := range targets {
			if t != subject {
				if err := s.authorizeSubjectLocked(mu.Principal(), t, actMode, sn.effectiveMode(t) == Import); err != nil {
					return err
				}
			}
		}
		for _, t := range targets {
			mu.Append(tombstone(modeKey(t)))
			if t == "" {
				out, had = sn.effectiveMode(""), true
				e := AuditEntry{Operation: OpModeDeleted}
				if sn.globalMode != "" {
					e.Before = rawJSON(modeValue{Mode: sn.globalMode})
				}
				if err := mu.Audit(e); err != nil {
					return err
				}
				continue
			}
			m, _ := sn.mode(t)
			if t == subject {
				out, had = m, true
			}
			e := AuditEntry{Operation: OpModeDeleted, Subject: t, Before: rawJSON(modeValue{Mode: m})}
			e.Topic, e.Team = s.subjectTopicLocked(t)
			if err := mu.Audit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", false, writeError(err, "delete mode", "delete mode")
	}
	return out, had, nil
}
