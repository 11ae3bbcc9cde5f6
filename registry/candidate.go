package registry

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// candidate is a parsed request, ready to compare and store.
type candidate struct {
	typ      compat.Type
	format   compat.Format
	parsed   compat.Schema
	text     string
	refs     []Reference
	metadata *Metadata
	ruleSet  *RuleSet
	identity Identity
}

func (s *Service) checkRequest(subject string, req RegisterRequest) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	if !confluent.ValidSubject(subject, false) {
		return errInvalidSubjectName(subject)
	}
	if confluent.ParseSubject(subject).IsWildcard() {
		return Errorf(CodeInvalidSubject, "Invalid subject %q: ':*:' stands for every context in a subject prefix; register in one context", subject)
	}
	if confluent.ParseSubject(subject).IsContext() {
		return Errorf(CodeInvalidSubject, "Invalid subject %q: it names a context, not a subject in it", subject)
	}
	if len(req.Schema) > s.cfg.MaxSchemaBytes {
		return Errorf(CodeSchemaTooLarge, "Schema is %d bytes; the limit is %d bytes", len(req.Schema), s.cfg.MaxSchemaBytes)
	}
	if strings.TrimSpace(req.Schema) == "" {
		return Errorf(CodeInvalidSchema, "Invalid schema: the schema field is empty")
	}
	if _, _, err := s.format(req.SchemaType); err != nil {
		return err
	}
	for i, r := range req.References {
		if r.Name == "" || r.Subject == "" {
			return Errorf(CodeInvalidSchema, "Invalid schema: reference %d needs a name and a subject", i)
		}
		if r.Version == 0 || r.Version < -1 {
			return Errorf(CodeInvalidSchema, "Invalid schema: reference %q has version %d; use a version number of at least 1", r.Name, r.Version)
		}
	}
	return validateRuleSet(req.RuleSet)
}

// prepare parses a request against snapshot sn (which resolves its
// references, named in context ctx unless qualified). strict selects the
// format's stricter parse for new schemas (validateNewSchemas).
func (s *Service) prepare(sn *Snapshot, ctx string, req RegisterRequest, normalize, strict bool, md *Metadata, rs *RuleSet) (*candidate, error) {
	f, typ, err := s.format(req.SchemaType)
	if err != nil {
		return nil, err
	}
	parser := f
	if strict {
		parser = compat.ForNew(f)
	}
	refs, err := sn.pinReferences(ctx, req.References)
	if err != nil {
		return nil, err
	}
	deps, err := s.dependencies(sn, ctx, refs, 0, map[string]bool{})
	if err != nil {
		return nil, err
	}
	parsed, err := parser.Parse(req.Schema, deps)
	if err != nil {
		return nil, &Error{Code: CodeInvalidSchema, Message: invalidSchemaMessage(compat.AsParseError(err)), Err: err}
	}
	c := &candidate{typ: typ, format: f, parsed: parsed, refs: refs, metadata: md, ruleSet: rs}
	if normalize {
		c.text = parsed.Normalized()
	} else {
		c.text = parsed.Canonical()
	}
	c.identity = ComputeIdentity(c.text, c.refs, c.metadata, c.ruleSet)
	if len(req.References) == 0 {
		s.texts.put(textKey{typ: typ, normalize: normalize, strict: strict, text: req.Schema}, c.text)
	}
	return c, nil
}

// knownText returns the candidate of a request without references whose
// text parsed recently with the same options (textCache), known by its
// stored form alone, or nil. Its parsed form is nil: whoever reads it
// prepares the request first. It is what a schema sent again costs when
// its subject already holds it: a map lookup and the identity hash.
func (s *Service) knownText(req RegisterRequest, normalize, strict bool, md *Metadata, rs *RuleSet) *candidate {
	if len(req.References) > 0 {
		return nil
	}
	f, typ, err := s.format(req.SchemaType)
	if err != nil {
		return nil
	}
	text, ok := s.texts.get(textKey{typ: typ, normalize: normalize, strict: strict, text: req.Schema})
	if !ok {
		return nil
	}
	c := &candidate{typ: typ, format: f, text: text, refs: []Reference{}, metadata: md, ruleSet: rs}
	c.identity = ComputeIdentity(c.text, c.refs, c.metadata, c.ruleSet)
	return c
}

// checkNew runs the format's registration checks (compat.NewSchemaChecker)
// on a schema about to become a new version.
func checkNew(c *candidate) error {
	chk, ok := c.format.(compat.NewSchemaChecker)
	if !ok {
		return nil
	}
	if err := chk.CheckNew(c.parsed); err != nil {
		return &Error{Code: CodeInvalidSchema, Message: invalidSchemaMessage(compat.AsParseError(err)), Err: err}
	}
	return nil
}

// invalidSchemaMessage is the 42201 message for a parse error, with its
// position when it has one.
func invalidSchemaMessage(pe *compat.ParseError) string {
	if pe.Line > 0 && !strings.Contains(pe.Message, fmt.Sprintf("%d:%d", pe.Line, pe.Column)) {
		return fmt.Sprintf("Invalid schema at line %d, column %d: %s", pe.Line, pe.Column, pe.Message)
	}
	return "Invalid schema: " + pe.Message
}

// pinReferences resolves "latest" (-1) reference versions to numbers; a
// reference names its subject in the context ctx of the schema holding it.
func (sn *Snapshot) pinReferences(ctx string, refs []Reference) ([]Reference, error) {
	out := make([]Reference, len(refs))
	for i, r := range refs {
		if r.Version == Latest {
			var vs *versionState
			if ss := sn.subject(confluent.InContext(ctx, r.Subject)); ss != nil {
				vs = ss.latest(false)
			}
			if vs == nil {
				return nil, Errorf(CodeInvalidSchema, "Invalid schema: reference %q names subject '%s', which has no versions", r.Name, r.Subject)
			}
			r.Version = vs.version
		}
		out[i] = r
	}
	return out, nil
}

// dependencies resolves references to their schema texts in snapshot sn,
// transitive dependencies first. A reference names its subject in ctx,
// the context of the schema holding it, unless it is qualified
// (confluent.InContext), as in Confluent: "customer" from a schema of
// ".staging" is ":.staging:customer".
func (s *Service) dependencies(sn *Snapshot, ctx string, refs []Reference, depth int, seen map[string]bool) ([]compat.Dependency, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	if depth > s.cfg.MaxReferenceDepth {
		return nil, Errorf(CodeInvalidSchema, "Invalid schema: references nest deeper than %d levels", s.cfg.MaxReferenceDepth)
	}
	var out []compat.Dependency
	for _, r := range refs {
		var vs *versionState
		if ss := sn.subject(confluent.InContext(ctx, r.Subject)); ss != nil {
			vs = ss.version(r.Version)
		}
		if vs == nil {
			return nil, Errorf(CodeInvalidSchema, "Invalid schema: reference %q names subject '%s' version %d, which does not exist", r.Name, r.Subject, r.Version)
		}
		sc := vs.schema
		if sc == nil {
			return nil, Errorf(CodeInvalidSchema, "Invalid schema: reference %q names a schema that was deleted", r.Name)
		}
		if seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		sub, err := s.dependencies(sn, sc.ctx(), sc.refs(), depth+1, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
		out = append(out, compat.Dependency{Name: r.Name, Schema: sc.text()})
	}
	return out, nil
}

// parsedOn returns a stored schema parsed with its references as they are
// in snapshot sn, from the bounded cache of parsed forms.
func (s *Service) parsedOn(sn *Snapshot, sc *storedSchema) (compat.Schema, error) {
	return s.parsed.get(sc, func() (compat.Schema, error) {
		f, _, err := s.format(sc.typ())
		if err != nil {
			return nil, err
		}
		deps, err := s.dependencies(sn, sc.ctx(), sc.refs(), 0, map[string]bool{})
		if err != nil {
			return nil, err
		}
		return f.Parse(sc.text(), deps)
	})
}

// effectiveConfig is the config in scope for subject (contexts.go).
func (sn *Snapshot) effectiveConfig(subject string, def compat.Level) Config {
	return sn.configInScope(subject, def)
}

// effectiveMode is the mode in scope for subject (contexts.go).
func (sn *Snapshot) effectiveMode(subject string) Mode { return sn.modeInScope(subject) }

// inherit picks the metadata and rule set a new version gets: the request's,
// else the previous version's, else the config default; then the config
// override is laid over it.
func (sn *Snapshot) inherit(subject string, cfg Config, md *Metadata, rs *RuleSet) (*Metadata, *RuleSet) {
	var prev *storedSchema
	if ss := sn.subject(subject); ss != nil {
		if vs := ss.latest(false); vs != nil {
			prev = vs.schema
		}
	}
	if md == nil && prev != nil {
		md = prev.metadata()
	}
	if md == nil {
		md = cfg.DefaultMetadata
	}
	if cfg.OverrideMetadata != nil {
		md = mergeMetadata(md, cfg.OverrideMetadata)
	}
	if rs == nil && prev != nil {
		rs = prev.ruleSet()
	}
	if rs == nil {
		rs = cfg.DefaultRuleSet
	}
	if cfg.OverrideRuleSet != nil {
		rs = mergeRuleSet(rs, cfg.OverrideRuleSet)
	}
	return md, rs
}

func mergeMetadata(base, over *Metadata) *Metadata {
	out := &Metadata{Tags: map[string][]string{}, Properties: map[string]string{}}
	for _, m := range []*Metadata{base, over} {
		if m == nil {
			continue
		}
		for k, v := range m.Tags {
			out.Tags[k] = v
		}
		for k, v := range m.Properties {
			out.Properties[k] = v
		}
		for _, s := range m.Sensitive {
			if !slices.Contains(out.Sensitive, s) {
				out.Sensitive = append(out.Sensitive, s)
			}
		}
	}
	if len(out.Tags) == 0 {
		out.Tags = nil
	}
	if len(out.Properties) == 0 {
		out.Properties = nil
	}
	return out
}

func mergeRuleSet(base, over *RuleSet) *RuleSet {
	if base == nil {
		return over
	}
	merge := func(a, b []Rule) []Rule {
		out := []Rule{}
		for _, r := range a {
			if !slices.ContainsFunc(b, func(x Rule) bool { return x.Name == r.Name }) {
				out = append(out, r)
			}
		}
		out = append(out, b...)
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return &RuleSet{
		MigrationRules: merge(base.MigrationRules, over.MigrationRules),
		DomainRules:    merge(base.DomainRules, over.DomainRules),
		EncodingRules:  merge(base.EncodingRules, over.EncodingRules),
		EnableAt:       over.EnableAt,
	}
}

// previous returns, parsed and oldest first, the live versions of a
// subject that a check at cfg's level looks at: every one for a transitive
// level, the newest for the others, none for NONE. Parsing only those keeps
// the cost of a write from growing with the number of versions a subject
// has. With a compatibilityGroup configured, only versions whose metadata
// property of that name equals the new schema's take part.
func (s *Service) previous(sn *Snapshot, subject string, cfg Config, md *Metadata) ([]compat.Version, error) {
	ss := sn.subject(subject)
	if ss == nil || cfg.Compatibility == nil || *cfg.Compatibility == compat.None {
		return nil, nil
	}
	all := cfg.Compatibility.Transitive()
	var out []compat.Version
	for i := len(ss.versions) - 1; i >= 0; i-- {
		vs := &ss.versions[i]
		if vs.deleted {
			continue
		}
		sc := vs.schema
		if sc == nil || !sameGroup(cfg, md, sc.metadata()) {
			continue
		}
		p, err := s.parsedOn(sn, sc)
		if err != nil {
			return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Stored schema %d (subject '%s' version %d) no longer parses: %v", sc.id(), subject, vs.version, err), Err: err}
		}
		out = append(out, compat.Version{Version: vs.version, Type: sc.typ(), Schema: p})
		if !all {
			break
		}
	}
	slices.Reverse(out)
	return out, nil
}

func options(cfg Config) compat.Options {
	return compat.Options{Lenient: cfg.CompatibilityPolicy != nil && strings.EqualFold(*cfg.CompatibilityPolicy, "LENIENT")}
}

func sameGroup(cfg Config, a, b *Metadata) bool {
	if cfg.CompatibilityGroup == nil || *cfg.CompatibilityGroup == "" {
		return true
	}
	prop := func(m *Metadata) string {
		if m == nil {
			return ""
		}
		return m.Properties[*cfg.CompatibilityGroup]
	}
	return prop(a) == prop(b)
}

// hasDefaultsOrOverrides reports whether c sets default or override
// metadata or rules (Confluent's Config.hasDefaultsOrOverrides).
func (c Config) hasDefaultsOrOverrides() bool {
	return c.DefaultMetadata != nil || c.OverrideMetadata != nil || c.DefaultRuleSet != nil || c.OverrideRuleSet != nil
}

func (c Config) normalize(requested bool) bool {
	return requested || (c.Normalize != nil && *c.Normalize)
}

// validateNew reports whether req is parsed with its format's stricter
// parse for new schemas (compat.Stricter): under validateNewSchemas, which
// is on unless a config turns it off (Confluent's
// schema.validate.new.schemas defaults to true), and only for a schema that
// does not bring its id, as Confluent skips it for an import with an id.
func (c Config) validateNew(req RegisterRequest) bool {
	return (c.ValidateNewSchemas == nil || *c.ValidateNewSchemas) && req.ID == 0
}
