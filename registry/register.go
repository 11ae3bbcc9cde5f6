package registry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/lint"
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
	var r *registration
	var early *parsed
	check := func() (err error) {
		if req, err = s.applyTags(req); err != nil {
			return err
		}
		if err := s.checkRequest(subject, req); err != nil {
			return err
		}
		early = s.parseEarly(subject, req)
		return nil
	}
	err := s.mutate(ctx, check, func(m *Mutation) error {
		r = &registration{s: s, m: m, sn: m.Snapshot(), subject: subject, req: req, early: early}
		return r.decide()
	})
	if err != nil {
		w := fmt.Sprintf("register subject %q", subject)
		return Schema{}, nil, writeError(err, w, w)
	}
	if r.held != nil {
		return Schema{}, nil, r.held // written: the pending review, not the version
	}
	return r.out, r.findings, nil
}

// registration is one Register being decided on one snapshot. decide runs
// its steps in order; each reads what the earlier ones found, and a step
// that answers the request (the subject already holds the schema) ends it
// without writing.
type registration struct {
	s       *Service
	m       *Mutation
	sn      *Snapshot
	subject string
	req     RegisterRequest

	mode     Mode
	cfg      Config
	topic    Binding
	hasTopic bool
	c        *candidate
	ss       *subjectState
	findings []lint.Finding
	out      Schema
	answered bool
	// changes and verdict are what review found against the latest
	// version; held is the answer when governance holds the registration.
	changes []compat.Change
	verdict *Verdict
	held    error
	// early is the schema parsed before the write was queued (parseEarly),
	// and in what the parse step found the parse depends on.
	early *parsed
	in    parseInputs
}

func (r *registration) decide() error {
	r.s.state.mu.RLock() // ownership and topics, read with the decision
	defer r.s.state.mu.RUnlock()
	for _, step := range []func() error{
		r.authorize,
		r.configure,
		r.parse,
		r.answerIfHeld,
		r.checkNewVersion,
		r.checkCompatibility,
		r.lint,
		r.review,
		r.appendVersion,
	} {
		if err := step(); err != nil || r.answered {
			return err
		}
	}
	return nil
}

// authorize: the principal may register under the subject, and the topic
// the subject belongs to still takes new schemas.
func (r *registration) authorize() error {
	r.mode = r.sn.effectiveMode(r.subject)
	if err := r.s.authorizeSubjectLocked(r.m.Principal(), r.subject, actRegister, r.mode == Import); err != nil {
		return err
	}
	r.topic, r.hasTopic = r.s.governor().Binding(r.subject)
	if r.hasTopic && r.topic.Closed != "" {
		return Errorf(CodeOperationNotPermitted, "%s", r.topic.Closed)
	}
	return nil
}

// configure finds the config in force. Like Confluent's
// registerOrForward, a schema the subject already holds is answered before
// the mode is looked at, so a serializer that auto-registers keeps working
// against a READONLY subject; with default or override metadata or rules
// in the config the mode comes first, as there.
func (r *registration) configure() error {
	r.cfg = r.sn.effectiveConfig(r.subject, r.s.cfg.DefaultCompatibility)
	if r.cfg.hasDefaultsOrOverrides() {
		return r.checkMode()
	}
	return nil
}

// checkMode: the mode takes this registration (IMPORT takes only schemas
// that bring their id, and only IMPORT takes an id or a version).
func (r *registration) checkMode() error {
	switch {
	case r.mode == ReadOnly || r.mode == ReadOnlyOverride:
		return errReadOnlyMode(r.subject)
	case (r.req.ID != 0 || r.req.Version != 0) && r.mode != Import:
		return errNotImportMode(r.subject)
	case r.req.ID == 0 && r.mode == Import:
		return errNotReadWriteMode(r.subject)
	}
	return nil
}

// parse parses the schema with the metadata and rules it inherits.
func (r *registration) parse() error {
	md, rs := r.sn.inherit(r.subject, r.cfg, r.req.Metadata, r.req.RuleSet)
	in := parseInputs{normalize: r.cfg.normalize(r.req.Normalize), strict: r.cfg.validateNew(r.req), md: md, rs: rs}
	r.ss = r.sn.subject(r.subject)
	r.in = in
	var err error
	if r.early != nil && r.early.in.same(in) {
		r.c, err = r.early.c, r.early.err
	} else {
		r.c, err = r.s.prepare(r.sn, contextOf(r.subject), r.req, in.normalize, in.strict, md, rs)
	}
	var re *Error
	if err != nil && in.strict && !r.cfg.hasDefaultsOrOverrides() && errors.As(err, &re) && re.Code == CodeInvalidSchema {
		// Confluent looks the schema up in the subject, parsed as stored
		// schemas are, before it validates it as new: a schema registered
		// before its defaults were validated is answered, not refused.
		if c, lerr := r.s.prepare(r.sn, contextOf(r.subject), r.req, in.normalize, false, md, rs); lerr == nil && r.sn.holding(r.ss, c) != nil {
			r.c = c
			return nil
		}
	}
	return err
}

// parsed is a schema parsed ahead of its write's decision, with what the
// parse depended on.
type parsed struct {
	in  parseInputs
	c   *candidate
	err error
}

// parseInputs is what a registration's parse depends on besides the
// request: the config's normalize and validateNewSchemas, and the
// metadata and rule set the version inherits.
type parseInputs struct {
	normalize, strict bool
	md                *Metadata
	rs                *RuleSet
}

func (a parseInputs) same(b parseInputs) bool {
	return a.normalize == b.normalize && a.strict == b.strict &&
		(a.md == b.md || reflect.DeepEqual(a.md, b.md)) && (a.rs == b.rs || reflect.DeepEqual(a.rs, b.rs))
}

// parseEarly parses the schema of a registration on the current snapshot
// before the write is queued, so that parsing, the costly part of a
// registration, runs in the writer's own goroutine and concurrent writers
// parse in parallel; the decision, made one after the other, uses it when
// nothing it depended on changed in between. A schema with references is
// parsed in the decision, where its references are resolved.
func (s *Service) parseEarly(subject string, req RegisterRequest) *parsed {
	if len(req.References) > 0 {
		return nil
	}
	sn := s.Snapshot()
	cfg := sn.effectiveConfig(subject, s.cfg.DefaultCompatibility)
	md, rs := sn.inherit(subject, cfg, req.Metadata, req.RuleSet)
	p := &parsed{in: parseInputs{normalize: cfg.normalize(req.Normalize), strict: cfg.validateNew(req), md: md, rs: rs}}
	if c := s.knownText(req, p.in.normalize, p.in.strict, md, rs); c != nil && sn.holding(sn.subject(subject), c) != nil {
		p.c = c // the subject holds it: answered without a parse (answerIfHeld)
		return p
	}
	p.c, p.err = s.prepare(sn, contextOf(subject), req, p.in.normalize, p.in.strict, md, rs)
	return p
}

// answerIfHeld answers with the version that already holds the schema;
// otherwise the mode must take a new version.
func (r *registration) answerIfHeld() error {
	held := r.sn.holding(r.ss, r.c)
	if held != nil && (r.req.ID == 0 || r.req.ID == held.id()) && (r.req.Version == 0 || r.req.Version == held.version) {
		r.out, r.answered = view(r.subject, held), true
		return nil
	}
	if !r.cfg.hasDefaultsOrOverrides() {
		if err := r.checkMode(); err != nil {
			return err
		}
	}
	if held != nil {
		return Errorf(CodeOperationNotPermitted, "Subject '%s' already holds this schema as version %d with id %d; it cannot be imported again with id %d version %d", r.subject, held.version, held.id(), r.req.ID, r.req.Version)
	}
	if r.c.parsed == nil {
		// Known by its text (parseEarly) and no longer held: parse it for
		// the checks that follow.
		c, err := r.s.prepare(r.sn, contextOf(r.subject), r.req, r.in.normalize, r.in.strict, r.in.md, r.in.rs)
		if err != nil {
			return err
		}
		r.c = c
	}
	return nil
}

// checkNewVersion runs the format's registration checks. IMPORT mode
// copies what another registry accepted; everything else registered here
// gets them.
func (r *registration) checkNewVersion() error {
	if r.mode == Import {
		return nil
	}
	return checkNew(r.c)
}

// checkCompatibility checks the schema against the versions the level
// selects.
func (r *registration) checkCompatibility() error {
	if r.mode == Import || r.req.Force {
		return nil
	}
	prev, err := r.s.previous(r.sn, r.subject, r.cfg, r.c.metadata)
	if err != nil {
		return err
	}
	if v := compat.Check(r.c.format, *r.cfg.Compatibility, r.c.typ, r.c.parsed, prev, options(r.cfg)); len(v) > 0 {
		e := incompatible(r.subject, *r.cfg.Compatibility, v)
		if r.hasTopic {
			e.Message += " " + r.s.governor().UpgradePath(r.subject)
		}
		return e
	}
	return nil
}

// lint lints the schema under the subject's policy: enforce refuses a
// schema with findings, warn records them in the audit entry.
func (r *registration) lint() error {
	if r.mode == Import {
		return nil
	}
	lm, fs := r.s.lintOn(r.sn, r.subject, r.c)
	if lm == LintEnforce && len(fs) > 0 {
		return lintRefused(r.subject, fs)
	}
	r.findings = fs
	return nil
}

// appendVersion allocates the id and the version and adds the SCHEMA
// record and its audit entry.
func (r *registration) appendVersion() error {
	id, err := r.sn.allocateID(r.subject, r.c, r.req.ID)
	if err != nil {
		return err
	}
	version, err := r.nextVersion()
	if err != nil {
		return err
	}
	c := r.c
	val := schemaValue{Subject: r.subject, Version: version, ID: id, SchemaType: confluent.WireType(c.typ), References: c.refs, Metadata: c.metadata, RuleSet: c.ruleSet, Schema: c.text, Timestamp: r.s.cfg.Now().UnixMilli()}
	rec, err := record(schemaKey(r.subject, version), val)
	if err != nil {
		return err
	}
	r.m.Append(r.sn.contextRecord(r.subject)...)
	r.m.Append(rec)
	r.out = Schema{Subject: r.subject, Version: version, ID: id, SchemaType: val.SchemaType, References: c.refs, Metadata: c.metadata, RuleSet: c.ruleSet, Schema: c.text, GUID: c.identity.String(), Timestamp: val.Timestamp}
	return r.m.Audit(AuditEntry{Operation: OpSchemaRegistered, Subject: r.subject, Version: version, SchemaID: id, Topic: r.topic.Topic, Team: r.topic.Owner, Lint: r.findings, Changes: r.changes, Verdict: r.verdict})
}

// nextVersion is the version the schema gets: the one after the newest,
// or in IMPORT mode the one requested when it is free.
func (r *registration) nextVersion() (int, error) {
	version := r.ss.newest() + 1
	if r.req.Version < 0 || r.req.Version > MaxVersion {
		return 0, Errorf(CodeInvalidVersion, "The specified version '%d' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", r.req.Version)
	}
	if r.req.Version == 0 && version > MaxVersion {
		return 0, Errorf(CodeOperationNotPermitted, "Subject '%s' has version %d, the highest a version can be; it takes no new version", r.subject, version-1)
	}
	if r.req.Version == 0 {
		return version, nil
	}
	if r.ss != nil {
		if vs := r.ss.version(r.req.Version); vs != nil {
			return 0, Errorf(CodeOperationNotPermitted, "Subject '%s' version %d already exists with id %d; importing it again with another schema is not permitted", r.subject, r.req.Version, vs.id())
		}
	}
	return r.req.Version, nil
}

// holding returns the latest live version of ss that holds c (the same
// schema, references, metadata and rules), or nil.
func (sn *Snapshot) holding(ss *subjectState, c *candidate) *versionState {
	if ss == nil {
		return nil
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		vs := &ss.versions[i]
		if !vs.deleted && vs.schema != nil && vs.schema.identity == c.identity {
			return vs
		}
	}
	return nil
}

// allocateID picks the id a new version of subject gets, in the subject's
// context.
func (sn *Snapshot) allocateID(subject string, c *candidate, requested int) (int, error) {
	sp := sn.space(contextOf(subject))
	if requested != 0 {
		if requested < 0 || requested > MaxID {
			return 0, Errorf(CodeInvalidSchema, "Invalid schema id %d: ids are integers from 1 to %d", requested, MaxID)
		}
		if sc := sp.schema(requested); sc != nil && sc.identity != c.identity {
			// Confluent's sentence (checkIfSchemaWithIdExist), then why.
			return 0, Errorf(CodeOperationNotPermitted, "Overwrite new schema with id %d in context %s is not permitted. That id already names a different schema in the context", requested, messageContext(subject))
		}
		return requested, nil
	}
	if id, ok := sp.idOf(c.identity); ok {
		return id, nil
	}
	// A schema registered before and hard-deleted since gets its id back,
	// as Confluent keeps its content-hash to id mapping.
	if id, ok := sp.retiredID(c.identity); ok && sp.schema(id) == nil {
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
