package check

import (
	"context"
	"fmt"
	"strconv"

	"github.com/charter-registry/charter/cli/annotation"
	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/compat"
)

// RuleInvalidSchema is the rule id of a file that does not parse.
const RuleInvalidSchema = "INVALID_SCHEMA"

// RuleReferenceNotMapped is the rule id of a file that refers to another
// file charter.yaml maps to no subject: it parses here, but charter
// register could not register it with its reference, so the check fails
// before the merge does.
const RuleReferenceNotMapped = "REFERENCE_NOT_MAPPED"

// Checker checks files.
type Checker struct {
	// Formats parse and diff each schema type (charter.Formats()).
	Formats []compat.Format
	// Baseline supplies earlier versions; nil only parses every file.
	Baseline Baseline
	// Against names the baseline in each file's annotation.FileInfo: git:REF
	// or the registry's URL.
	Against string
	// Warn receives problems that do not fail the check, such as an
	// earlier version that no longer parses. Nil drops them.
	Warn func(msg string)
}

func (c *Checker) format(t compat.Type) compat.Format {
	for _, f := range c.Formats {
		if f.Type() == t {
			return f
		}
	}
	return nil
}

func (c *Checker) warn(format string, args ...any) {
	if c.Warn != nil {
		c.Warn(fmt.Sprintf(format, args...))
	}
}

// Check parses each file with its dependencies from p and compares it with
// the baseline. Parse errors and incompatible changes are annotations;
// the error is for failures to reach the baseline.
func (c *Checker) Check(ctx context.Context, p *project.Project, files []*project.File) (annotation.Set, error) {
	set := annotation.Set{Info: map[string]annotation.FileInfo{}}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return set, err
		}
		set.Files = append(set.Files, f.Path)
		info := annotation.FileInfo{Subject: f.Subject}
		anns, err := c.checkFile(ctx, p, f, &info)
		if err != nil {
			return set, fmt.Errorf("%s: %w", f.Path, err)
		}
		set.Info[f.Path] = info
		set.Annotations = append(set.Annotations, anns...)
	}
	set.Sort()
	return set, nil
}

func (c *Checker) checkFile(ctx context.Context, p *project.Project, f *project.File, info *annotation.FileInfo) ([]annotation.Annotation, error) {
	fm := c.format(f.Type)
	if fm == nil {
		return []annotation.Annotation{{File: f.Path, Rule: RuleInvalidSchema, Subject: f.Subject,
			Message: fmt.Sprintf("no %s format is available to parse this file", f.Type)}}, nil
	}
	// The file is parsed as the registry parses a schema registered for
	// the first time (compat.ForNew: Avro field defaults are validated),
	// so that what the registry would refuse fails here. A file that only
	// the stricter parse refuses may still pass, as it does at the
	// registry, when its subject turns validateNewSchemas off or already
	// holds it (refused, below).
	deps := p.Dependencies(f)
	next, refused := compat.ForNew(fm).Parse(f.Text, deps)
	if refused != nil {
		var err error
		if next, err = fm.Parse(f.Text, deps); err != nil {
			return []annotation.Annotation{invalid(f, "%s schema does not parse: %s", err)}, nil
		}
	}
	var unmapped []annotation.Annotation
	for _, d := range p.Closure(f) {
		if d.Subject == "" {
			unmapped = append(unmapped, annotation.Annotation{File: f.Path, Rule: RuleReferenceNotMapped, Subject: f.Subject,
				Message: fmt.Sprintf("%s refers to %s, which charter.yaml does not map to a subject; add an entry for it so that charter register can register it as a reference", f.Path, d.Path)})
		}
	}
	if refused != nil && (len(unmapped) > 0 || c.Baseline == nil) {
		return append([]annotation.Annotation{invalidNew(f, refused)}, unmapped...), nil
	}
	if len(unmapped) > 0 || c.Baseline == nil {
		return unmapped, nil
	}
	prev, err := c.Baseline.Previous(ctx, f)
	if err != nil {
		return nil, err
	}
	info.Level, info.Against = string(prev.Level), c.Against
	if refused != nil && prev.NoValidateNew {
		refused = nil
	}
	if refused != nil && prev.New {
		return []annotation.Annotation{invalidNew(f, refused)}, nil
	}
	if prev.New {
		// Nothing to break, but say so: a subject name typed wrong in
		// charter.yaml would otherwise pass unseen.
		where := "registered"
		if _, ok := c.Baseline.(Git); ok {
			where = "at " + c.Against
		}
		return []annotation.Annotation{{File: f.Path, Rule: annotation.RuleNewSubject, Severity: annotation.SeverityInfo,
			Subject: f.Subject, Level: string(prev.Level),
			Message: fmt.Sprintf("new subject %s: nothing %s to compare with; the first registration creates version 1", f.Subject, where)}}, nil
	}
	var versions []compat.Version
	texts := map[int]Version{}
	parsed := map[int]compat.Schema{}
	for _, v := range prev.Versions {
		vf := c.format(v.Type)
		var s compat.Schema
		if vf != nil {
			s, err = vf.Parse(v.Text, v.Deps)
		}
		if vf == nil || err != nil {
			c.warn("%s: %s of subject %s does not parse, so it was not compared: %v", f.Path, v.Label, f.Subject, err)
			continue
		}
		versions = append(versions, compat.Version{Version: v.Version, Type: v.Type, Schema: s})
		texts[v.Version] = v
		parsed[v.Version] = s
		if refused != nil && v.Type == f.Type && s.Canonical() == next.Canonical() {
			// The registry looks a schema up in its subject before it
			// validates it as new: one registered before its defaults
			// were validated is answered, not refused.
			refused = nil
		}
	}
	if h, ok := c.Baseline.(Holder); ok && refused != nil {
		// The versions fetched for the level need not include the one
		// holding the schema (an older one, or none at NONE): ask.
		held, err := h.Holds(ctx, f)
		if err != nil {
			return nil, err
		}
		if held {
			refused = nil
		}
	}
	if refused != nil {
		return []annotation.Annotation{invalidNew(f, refused)}, nil
	}
	violations := compat.Check(fm, prev.Level, f.Type, next, versions, prev.Options)
	out := c.annotate(fm, f, next, prev, violations, texts, parsed)
	if len(versions) > 0 {
		out = append(out, compatibleChanges(fm, f, next, prev, versions[len(versions)-1], texts)...)
	}
	return out, nil
}

// invalid is an INVALID_SCHEMA annotation on f for err, placed at its
// position; format words the message from f's type and err's.
func invalid(f *project.File, format string, err error) annotation.Annotation {
	pe := compat.AsParseError(err)
	return annotation.Annotation{File: f.Path, Line: pe.Line, Column: pe.Column, Rule: RuleInvalidSchema, Subject: f.Subject,
		Message: fmt.Sprintf(format, f.Type, pe.Message)}
}

// invalidNew is the INVALID_SCHEMA annotation of a file that parses but
// that the registry refuses as a new schema.
func invalidNew(f *project.File, err error) annotation.Annotation {
	return invalid(f, "%s schema is not valid as a new schema, so the registry would refuse it: %s", err)
}

// compatibleChanges are the changes from the latest earlier version that
// break nothing, as notes (SeverityInfo), so that a review sees every
// change and not only the breaking ones.
func compatibleChanges(fm compat.Format, f *project.File, next compat.Schema, prev Previous, latest compat.Version, texts map[int]Version) []annotation.Annotation {
	against := "version " + strconv.Itoa(latest.Version)
	if v, ok := texts[latest.Version]; ok && v.Label != "" {
		against = v.Label
	}
	var out []annotation.Annotation
	for _, ch := range fm.Diff(latest.Schema, next, prev.Options) {
		if !ch.Compatible {
			continue
		}
		out = append(out, annotation.Annotation{
			File: f.Path, Line: ch.Line, Column: ch.Column, Rule: ch.Rule, Severity: annotation.SeverityInfo,
			Message: "compatible change: " + ch.Message, Subject: f.Subject, Level: string(prev.Level), Path: ch.Path, Against: against,
		})
	}
	return out
}

// annotate turns violations into annotations on f: FORWARD ones are moved
// into f's text, and a FORWARD one that repeats a BACKWARD one at the
// same path and rule is dropped, so one change gives one annotation.
func (c *Checker) annotate(fm compat.Format, f *project.File, next compat.Schema, prev Previous, vs []compat.Violation,
	texts map[int]Version, parsed map[int]compat.Schema) []annotation.Annotation {
	type key struct {
		rule, path string
		version    int
	}
	backward := map[key]bool{}
	for _, v := range vs {
		if v.Direction != "FORWARD" {
			backward[key{v.Rule, v.Path, v.OldVersion}] = true
		}
	}
	diffs := map[int][]compat.Change{}
	var out []annotation.Annotation
	seen := map[annotation.Annotation]bool{}
	for _, v := range vs {
		line, col := v.Line, v.Column
		if v.Direction == "FORWARD" {
			if backward[key{v.Rule, v.Path, v.OldVersion}] {
				continue
			}
			if _, ok := texts[v.OldVersion]; !ok {
				line, col = 0, 0
			} else {
				d, done := diffs[v.OldVersion]
				if !done {
					d = fm.Diff(parsed[v.OldVersion], next, prev.Options)
					diffs[v.OldVersion] = d
				}
				line, col = relocate(parsed[v.OldVersion], next, v.Path, d)
			}
		}
		against := ""
		if old, ok := texts[v.OldVersion]; ok {
			against = old.Label
		} else if v.OldVersion > 0 {
			against = "version " + strconv.Itoa(v.OldVersion)
		}
		msg := v.Message
		if v.Direction == "FORWARD" {
			// The format diffed the earlier schema as reader of this one,
			// so its "new" and "old" are swapped; say so.
			reader := against
			if reader == "" {
				reader = "the earlier version"
			}
			msg = fmt.Sprintf("readers of %s cannot read data written with this file (FORWARD check, described from that reader's side): %s", reader, msg)
		}
		a := annotation.Annotation{
			File: f.Path, Line: line, Column: col, Rule: v.Rule, Message: msg,
			Subject: f.Subject, Level: string(prev.Level), Path: v.Path, Against: against,
		}
		if v.Rule == "" {
			a.Rule = v.Kind
		}
		if seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

// Change is one difference between two schemas as charter diff lists it.
type Change struct {
	compat.Change
	// Direction is BACKWARD for a change found reading data of the old
	// schema with the new one, FORWARD for one found only the other way
	// round (old readers, new data).
	Direction string `json:"direction"`
}

// Diff lists the changes from old to next: every change the BACKWARD diff
// finds, compatible or not, then the incompatible changes that only the
// FORWARD diff finds, placed in next's text where possible.
func Diff(f compat.Format, old, next compat.Schema, opts compat.Options) []Change {
	back := f.Diff(old, next, opts)
	var out []Change
	seen := map[[2]string]bool{}
	for _, c := range back {
		out = append(out, Change{Change: c, Direction: "BACKWARD"})
		seen[[2]string{c.Rule, c.Path}] = true
	}
	for _, c := range f.Diff(next, old, opts) {
		if c.Compatible || seen[[2]string{c.Rule, c.Path}] {
			continue
		}
		seen[[2]string{c.Rule, c.Path}] = true
		c.Line, c.Column = relocate(old, next, c.Path, back)
		c.Message = "old readers cannot read new data (described from the old reader's side): " + c.Message
		out = append(out, Change{Change: c, Direction: "FORWARD"})
	}
	return out
}
