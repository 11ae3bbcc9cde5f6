package registry

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/storage"
)

// RegisterRequest is a schema to register, look up or test.
type RegisterRequest struct {
	Schema     string
	SchemaType compat.Type
	References []Reference
	Metadata   *Metadata
	RuleSet    *RuleSet
	// ID and Version are honoured in IMPORT mode only.
	ID      int
	Version int
	// Normalize stores and compares the normalised form.
	Normalize bool
	// Force registers without the compatibility check.
	Force bool
	// TagsToAdd and TagsToRemove edit the schema's inline tags before it
	// is registered (Confluent's schemaTagsToAdd and schemaTagsToRemove).
	TagsToAdd, TagsToRemove []confluent.SchemaTags
}

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

// prepare parses a request under the state's read lock. strict selects the
// format's stricter parse for new schemas (validateNewSchemas).
func (s *Service) prepare(ctx string, req RegisterRequest, normalize, strict bool, md *Metadata, rs *RuleSet) (*candidate, error) {
	st := s.state
	f, typ, err := s.format(req.SchemaType)
	if err != nil {
		return nil, err
	}
	parser := f
	if sf, ok := f.(compat.Stricter); ok && strict {
		parser = sf.Strict()
	}
	refs, err := st.pinReferences(ctx, req.References)
	if err != nil {
		return nil, err
	}
	deps, err := s.dependenciesLocked(ctx, refs, 0, map[string]bool{})
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
	return c, nil
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
func (st *State) pinReferences(ctx string, refs []Reference) ([]Reference, error) {
	out := make([]Reference, len(refs))
	for i, r := range refs {
		if r.Version == Latest {
			ss := st.subjects[confluent.InContext(ctx, r.Subject)]
			var vs *versionState
			if ss != nil {
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

// dependenciesLocked resolves references to their schema texts, transitive
// dependencies first. A reference names its subject in ctx, the context of
// the schema holding it, unless it is qualified (confluent.InContext), as
// in Confluent: "customer" from a schema of ".staging" is
// ":.staging:customer".
func (s *Service) dependenciesLocked(ctx string, refs []Reference, depth int, seen map[string]bool) ([]compat.Dependency, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	if depth > s.cfg.MaxReferenceDepth {
		return nil, Errorf(CodeInvalidSchema, "Invalid schema: references nest deeper than %d levels", s.cfg.MaxReferenceDepth)
	}
	st := s.state
	var out []compat.Dependency
	for _, r := range refs {
		ss := st.subjects[confluent.InContext(ctx, r.Subject)]
		var vs *versionState
		if ss != nil {
			vs = ss.versions[r.Version]
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
		sub, err := s.dependenciesLocked(sc.ctx, sc.refs, depth+1, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
		out = append(out, compat.Dependency{Name: r.Name, Schema: sc.text})
	}
	return out, nil
}

// parsedLocked returns a stored schema parsed with its references as they
// are now, from the bounded cache of parsed forms.
func (s *Service) parsedLocked(sc *storedSchema) (compat.Schema, error) {
	return s.parsed.get(sc, func() (compat.Schema, error) {
		f, _, err := s.format(sc.typ)
		if err != nil {
			return nil, err
		}
		deps, err := s.dependenciesLocked(sc.ctx, sc.refs, 0, map[string]bool{})
		if err != nil {
			return nil, err
		}
		return f.Parse(sc.text, deps)
	})
}

// effective returns the subject's config merged over the global one.
// effectiveConfig is the config in scope for subject (contexts.go).
func (st *State) effectiveConfig(subject string, def compat.Level) Config {
	return st.configInScope(subject, def)
}

// effectiveMode is the mode in scope for subject (contexts.go).
func (st *State) effectiveMode(subject string) Mode { return st.modeInScope(subject) }

// inherit picks the metadata and rule set a new version gets: the request's,
// else the previous version's, else the config default; then the config
// override is laid over it.
func (st *State) inherit(subject string, cfg Config, md *Metadata, rs *RuleSet) (*Metadata, *RuleSet) {
	var prev *storedSchema
	if ss := st.subjects[subject]; ss != nil {
		if vs := ss.latest(false); vs != nil {
			prev = vs.schema
		}
	}
	if md == nil && prev != nil {
		md = prev.metadata
	}
	if md == nil {
		md = cfg.DefaultMetadata
	}
	if cfg.OverrideMetadata != nil {
		md = mergeMetadata(md, cfg.OverrideMetadata)
	}
	if rs == nil && prev != nil {
		rs = prev.ruleSet
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

// previousLocked returns, parsed and oldest first, the live versions of a
// subject that a check at cfg's level looks at: every one for a transitive
// level, the newest for the others, none for NONE. Parsing only those keeps
// the cost of a write from growing with the number of versions a subject
// has. With a compatibilityGroup configured, only versions whose metadata
// property of that name equals the new schema's take part.
func (s *Service) previousLocked(subject string, cfg Config, md *Metadata) ([]compat.Version, error) {
	st := s.state
	ss := st.subjects[subject]
	if ss == nil || cfg.Compatibility == nil || *cfg.Compatibility == compat.None {
		return nil, nil
	}
	all := cfg.Compatibility.Transitive()
	var out []compat.Version
	for i := len(ss.sorted) - 1; i >= 0; i-- {
		v := ss.sorted[i]
		vs := ss.versions[v]
		if vs.deleted {
			continue
		}
		sc := vs.schema
		if sc == nil || !sameGroup(cfg, md, sc.metadata) {
			continue
		}
		p, err := s.parsedLocked(sc)
		if err != nil {
			return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Stored schema %d (subject '%s' version %d) no longer parses: %v", sc.id, subject, v, err), Err: err}
		}
		out = append(out, compat.Version{Version: v, Type: sc.typ, Schema: p})
		if !all {
			break
		}
	}
	slices.Reverse(out)
	return out, nil
}

func (st *State) options(subject string, cfg Config) compat.Options {
	return compat.Options{Lenient: cfg.CompatibilityPolicy != nil && strings.EqualFold(*cfg.CompatibilityPolicy, "LENIENT")}
}

// Register adds a schema to a subject, or returns the version that already
// holds it.
func (s *Service) Register(ctx context.Context, subject string, req RegisterRequest) (Schema, error) {
	out, _, err := s.RegisterLinted(ctx, subject, req)
	return out, err
}

// RegisterLinted is Register that also returns the lint findings of a
// subject whose lint policy is warn: the schema was registered and the
// findings are in its audit entry. Under enforce a schema with findings is
// refused with CodeLintViolations (its Err is a *LintError). Findings are
// nil when no lint ran: the policy is off, the subject is importing, or
// the schema was already registered.
func (s *Service) RegisterLinted(ctx context.Context, subject string, req RegisterRequest) (Schema, []lint.Finding, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Schema{}, nil, fmt.Errorf("register subject %q: %w", subject, err)
	}
	if req, err = s.applyTags(req); err != nil {
		return Schema{}, nil, err
	}
	if err := s.checkRequest(subject, req); err != nil {
		return Schema{}, nil, err
	}
	var out Schema
	var findings []lint.Finding
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		mode := st.effectiveMode(subject)
		if err := s.authorizeSubjectLocked(p, subject, actRegister, mode == Import); err != nil {
			return nil, err
		}
		topic, hasTopic := s.governor().Binding(subject)
		if hasTopic && topic.Closed != "" {
			return nil, Errorf(CodeOperationNotPermitted, "%s", topic.Closed)
		}
		checkMode := func() error {
			if mode == ReadOnly || mode == ReadOnlyOverride {
				return errReadOnlyMode(subject)
			}
			if (req.ID != 0 || req.Version != 0) && mode != Import {
				return errNotImportMode(subject)
			}
			// IMPORT takes only schemas that bring their id.
			if req.ID == 0 && mode == Import {
				return errNotReadWriteMode(subject)
			}
			return nil
		}
		cfg := st.effectiveConfig(subject, s.cfg.DefaultCompatibility)
		// Like Confluent's registerOrForward, a schema the subject already
		// holds is answered before the mode is looked at, so a serializer
		// that auto-registers keeps working against a READONLY subject;
		// with default or override metadata or rules in the config the
		// mode comes first, as there.
		answerHeldFirst := !cfg.hasDefaultsOrOverrides()
		if !answerHeldFirst {
			if err := checkMode(); err != nil {
				return nil, err
			}
		}
		md, rs := st.inherit(subject, cfg, req.Metadata, req.RuleSet)
		c, err := s.prepare(contextOf(subject), req, cfg.normalize(req.Normalize), cfg.validateNew(), md, rs)
		if err != nil {
			return nil, err
		}
		ss := st.subjects[subject]
		held := st.holding(ss, c)
		if held != nil && (req.ID == 0 || req.ID == held.id) && (req.Version == 0 || req.Version == held.version) {
			out = st.view(subject, held)
			return nil, nil
		}
		if answerHeldFirst {
			if err := checkMode(); err != nil {
				return nil, err
			}
		}
		if held != nil {
			return nil, Errorf(CodeOperationNotPermitted, "Subject '%s' already holds this schema as version %d with id %d; it cannot be imported again with id %d version %d", subject, held.version, held.id, req.ID, req.Version)
		}
		// IMPORT mode copies what another registry accepted; everything
		// else registered here gets the format's registration checks.
		if mode != Import {
			if err := checkNew(c); err != nil {
				return nil, err
			}
		}
		if mode != Import && !req.Force {
			prev, err := s.previousLocked(subject, cfg, c.metadata)
			if err != nil {
				return nil, err
			}
			if v := compat.Check(c.format, *cfg.Compatibility, c.typ, c.parsed, prev, st.options(subject, cfg)); len(v) > 0 {
				e := incompatible(subject, *cfg.Compatibility, v)
				if hasTopic {
					e.Message += " " + s.governor().UpgradePath(subject)
				}
				return nil, e
			}
		}
		if mode != Import {
			lm, fs := s.lintLocked(subject, c)
			if lm == LintEnforce && len(fs) > 0 {
				return nil, lintRefused(subject, fs)
			}
			findings = fs
		}
		id, err := st.allocateID(subject, c, req.ID)
		if err != nil {
			return nil, err
		}
		version := 1
		if ss != nil && len(ss.sorted) > 0 {
			version = ss.sorted[len(ss.sorted)-1] + 1
		}
		if req.Version < 0 || req.Version > MaxVersion {
			return nil, Errorf(CodeInvalidVersion, "The specified version '%d' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", req.Version)
		}
		if req.Version == 0 && version > MaxVersion {
			return nil, Errorf(CodeOperationNotPermitted, "Subject '%s' has version %d, the highest a version can be; it takes no new version", subject, version-1)
		}
		if req.Version != 0 {
			if ss != nil && ss.versions[req.Version] != nil {
				return nil, Errorf(CodeOperationNotPermitted, "Subject '%s' version %d already exists with id %d; importing it again with another schema is not permitted", subject, req.Version, ss.versions[req.Version].id)
			}
			version = req.Version
		}
		val := schemaValue{Subject: subject, Version: version, ID: id, References: c.refs, Metadata: c.metadata, RuleSet: c.ruleSet, Schema: c.text, Timestamp: s.cfg.Now().UnixMilli()}
		if c.typ != compat.Avro {
			val.SchemaType = c.typ
		}
		r, err := record(schemaKey(subject, version), val)
		if err != nil {
			return nil, err
		}
		out = Schema{Subject: subject, Version: version, ID: id, SchemaType: val.SchemaType, References: c.refs, Metadata: c.metadata, RuleSet: c.ruleSet, Schema: c.text, GUID: c.identity.String(), Timestamp: val.Timestamp}
		return s.withAudit(append(st.contextRecordLocked(subject), r), p, AuditEntry{Operation: OpSchemaRegistered, Subject: subject, Version: version, SchemaID: id, Topic: topic.Topic, Team: topic.Owner, Lint: findings})
	})
	if err != nil {
		return Schema{}, nil, fmt.Errorf("register subject %q: %w", subject, err)
	}
	return out, findings, nil
}

// holding returns the latest live version of ss that holds c (the same
// schema, references, metadata and rules), or nil.
func (st *State) holding(ss *subjectState, c *candidate) *versionState {
	if ss == nil {
		return nil
	}
	for i := len(ss.sorted) - 1; i >= 0; i-- {
		vs := ss.versions[ss.sorted[i]]
		if !vs.deleted && vs.schema != nil && vs.schema.identity == c.identity {
			return vs
		}
	}
	return nil
}

// allocateID picks the id a new version of subject gets, in the subject's
// context.
func (st *State) allocateID(subject string, c *candidate, requested int) (int, error) {
	sp := st.space(contextOf(subject))
	if requested != 0 {
		if requested < 0 || requested > MaxID {
			return 0, Errorf(CodeInvalidSchema, "Invalid schema id %d: ids are integers from 1 to %d", requested, MaxID)
		}
		if sc := sp.ids[requested]; sc != nil && sc.identity != c.identity {
			return 0, Errorf(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: that id already names a different schema", requested)
		}
		return requested, nil
	}
	if id, ok := sp.byIdentity[c.identity]; ok {
		return id, nil
	}
	// A schema registered before and hard-deleted since gets its id back,
	// as Confluent keeps its content-hash to id mapping.
	if id, ok := sp.retired[c.identity]; ok && sp.ids[id] == nil {
		return id, nil
	}
	if sp.maxID >= MaxID {
		return 0, Errorf(CodeOperationNotPermitted, "No schema id is left: the registry has allocated id %d, the highest a 4-byte id can hold", sp.maxID)
	}
	return sp.maxID + 1, nil
}

// MaxID is the highest schema id, and MaxVersion the highest version:
// Confluent's are Java ints, and the wire format carries a 4-byte id.
const (
	MaxID      = math.MaxInt32
	MaxVersion = math.MaxInt32
)

func incompatible(subject string, level compat.Level, v []compat.Violation) *Error {
	msgs := ViolationMessages(level, v)
	return &Error{
		Code:    CodeIncompatibleSchema,
		Message: fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]", subject, strings.Join(msgs, ", ")),
		Err:     &IncompatibleError{Level: level, Violations: v},
	}
}

// IncompatibleError carries the violations behind an INCOMPATIBLE_SCHEMA
// error, for callers that render them (the API adds an upgrade hint).
type IncompatibleError struct {
	Level      compat.Level
	Violations []compat.Violation
}

func (e *IncompatibleError) Error() string {
	return fmt.Sprintf("%d compatibility violations at level %s", len(e.Violations), e.Level)
}

// ViolationMessages renders violations as Confluent's verbose message
// strings: one per violation, then the old version and the level.
func ViolationMessages(level compat.Level, v []compat.Violation) []string {
	out := make([]string, 0, len(v)+2)
	versions := map[int]bool{}
	for _, x := range v {
		out = append(out, fmt.Sprintf("{errorType:'%s', rule:'%s', path:'%s', description:'%s', direction:'%s'}", x.Kind, x.Rule, x.Path, x.Message, x.Direction))
		versions[x.OldVersion] = true
	}
	for ver := range versions {
		out = append(out, fmt.Sprintf("{oldSchemaVersion: %d}", ver))
	}
	out = append(out, fmt.Sprintf("{compatibility: '%s'}", level))
	return out
}

// Lookup finds the version of subject that holds the schema.
func (s *Service) Lookup(subject string, req RegisterRequest, deleted bool) (Schema, error) {
	req, err := s.applyTags(req)
	if err != nil {
		return Schema{}, err
	}
	if err := s.checkRequest(subject, req); err != nil {
		return Schema{}, err
	}
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	ss := st.subjects[subject]
	if ss == nil || (!deleted && !ss.hasLive()) {
		return Schema{}, errSubjectNotFound(subject)
	}
	cfg := st.effectiveConfig(subject, s.cfg.DefaultCompatibility)
	c, err := s.prepare(contextOf(subject), req, cfg.normalize(req.Normalize), false, req.Metadata, req.RuleSet)
	if err != nil {
		return Schema{}, err
	}
	for i := len(ss.sorted) - 1; i >= 0; i-- {
		vs := ss.versions[ss.sorted[i]]
		sc := vs.schema
		if sc == nil || (vs.deleted && !deleted) || sc.text != c.text || !slices.Equal(sc.refs, c.refs) {
			continue
		}
		if (req.Metadata != nil || req.RuleSet != nil) && sc.identity != c.identity {
			continue
		}
		return st.view(subject, vs), nil
	}
	// Confluent's lookUpSchemaUnderSubject answers a miss in an existing
	// subject with its bare "Schema not found" (Errors.SCHEMA_NOT_FOUND_MESSAGE).
	return Schema{}, Errorf(CodeSchemaNotFound, "Schema not found")
}

// CompatibilityResult is the answer to a compatibility test.
type CompatibilityResult struct {
	Compatible bool
	Level      compat.Level
	Violations []compat.Violation
	// Lint holds the schema's lint findings under the subject's lint
	// policy, compared with its latest version; nil when the policy is
	// off.
	Lint []lint.Finding
}

// CheckCompatibility tests a schema against one version of subject, or
// against the versions the subject's level selects when version is 0.
func (s *Service) CheckCompatibility(subject string, version int, req RegisterRequest) (CompatibilityResult, error) {
	req, err := s.applyTags(req)
	if err != nil {
		return CompatibilityResult{}, err
	}
	if err := s.checkRequest(subject, req); err != nil {
		return CompatibilityResult{}, err
	}
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	cfg := st.effectiveConfig(subject, s.cfg.DefaultCompatibility)
	md, rs := st.inherit(subject, cfg, req.Metadata, req.RuleSet)
	c, err := s.prepare(contextOf(subject), req, cfg.normalize(req.Normalize), cfg.validateNew(), md, rs)
	if err != nil {
		return CompatibilityResult{}, err
	}
	var prev []compat.Version
	if version == 0 {
		prev, err = s.previousLocked(subject, cfg, md)
		if err != nil {
			return CompatibilityResult{}, err
		}
	} else {
		ss := st.subjects[subject]
		if version == Latest {
			if ss != nil {
				if vs := ss.latest(false); vs != nil {
					prev, err = s.versionLocked(vs)
				}
			}
		} else {
			// Confluent looks only the version up, so a missing subject
			// is a missing version too (CompatibilityResource).
			var vs *versionState
			if ss != nil {
				vs = ss.versions[version]
			}
			if vs == nil || vs.deleted {
				return CompatibilityResult{}, errVersionNotFound(version)
			}
			prev, err = s.versionLocked(vs)
		}
		if err != nil {
			return CompatibilityResult{}, err
		}
	}
	level := *cfg.Compatibility
	v := compat.Check(c.format, level, c.typ, c.parsed, prev, st.options(subject, cfg))
	_, fs := s.lintLocked(subject, c)
	return CompatibilityResult{Compatible: len(v) == 0, Level: level, Violations: v, Lint: fs}, nil
}

func (s *Service) versionLocked(vs *versionState) ([]compat.Version, error) {
	sc := vs.schema
	if sc == nil {
		return nil, nil
	}
	p, err := s.parsedLocked(sc)
	if err != nil {
		return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Stored schema %d no longer parses: %v", sc.id, err), Err: err}
	}
	return []compat.Version{{Version: vs.version, Type: sc.typ, Schema: p}}, nil
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

func (c Config) validateNew() bool {
	return c.ValidateNewSchemas != nil && *c.ValidateNewSchemas
}
