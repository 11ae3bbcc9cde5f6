package registry

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// The schema model is Confluent's, shared with the clients.
type (
	// Reference names a schema that another schema depends on.
	Reference = confluent.Reference
	// Metadata is Confluent's schema metadata.
	Metadata = confluent.Metadata
	// Rule is one data-contract rule of a RuleSet.
	Rule = confluent.Rule
	// RuleSet is Confluent's set of data-contract rules attached to a schema.
	RuleSet = confluent.RuleSet
	// Schema is one registered schema version as the API serves it.
	Schema = confluent.Schema
)

var ruleNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_\-.]*$`)

var ruleModes = map[string]map[string]bool{
	"migrationRules": {"UPGRADE": true, "DOWNGRADE": true, "UPDOWN": true},
	"domainRules":    {"WRITE": true, "READ": true, "WRITEREAD": true},
	"encodingRules":  {"WRITE": true, "READ": true, "WRITEREAD": true},
}

// validateRuleSet checks a rule set the way Confluent does and returns an
// INVALID_RULESET error naming the first rule that is wrong.
func validateRuleSet(rs *RuleSet) error {
	if rs == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, group := range []struct {
		name  string
		rules []Rule
	}{{"migrationRules", rs.MigrationRules}, {"domainRules", rs.DomainRules}, {"encodingRules", rs.EncodingRules}} {
		for i, r := range group.rules {
			where := fmt.Sprintf("%s[%d]", group.name, i)
			if r.Name == "" {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: %s has no name", where)
			}
			if !ruleNamePattern.MatchString(r.Name) {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: %s name %q must start with a letter and contain only letters, digits, '_', '-' and '.'", where, r.Name)
			}
			if seen[r.Name] {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: found rule with duplicate name %q", r.Name)
			}
			seen[r.Name] = true
			if r.Kind != "TRANSFORM" && r.Kind != "CONDITION" {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: rule %q has kind %q; use TRANSFORM or CONDITION", r.Name, r.Kind)
			}
			if r.Type == "" {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: rule %q has no type (for example CEL, CEL_FIELD or JSONATA)", r.Name)
			}
			if !ruleModes[group.name][r.Mode] {
				return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: rule %q in %s has mode %q; use one of %s", r.Name, group.name, r.Mode, modeList(group.name))
			}
			for _, a := range []struct{ field, value string }{{"onSuccess", r.OnSuccess}, {"onFailure", r.OnFailure}} {
				if err := validateActions(r, a.field, a.value); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func validateActions(r Rule, field, value string) error {
	if value == "" {
		return nil
	}
	parts := strings.Split(value, ",")
	both := r.Mode == "UPDOWN" || r.Mode == "WRITEREAD"
	if len(parts) > 2 || (len(parts) == 2 && !both) {
		return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: rule %q %s %q: two comma-separated actions are allowed only for modes UPDOWN and WRITEREAD", r.Name, field, value)
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return Errorf(CodeInvalidRuleSet, "Invalid ruleSet: rule %q %s has an empty action", r.Name, field)
		}
	}
	return nil
}

func modeList(group string) string {
	if group == "migrationRules" {
		return "UPGRADE, DOWNGRADE, UPDOWN"
	}
	return "WRITE, READ, WRITEREAD"
}

// Config is a global or per-subject configuration. Nil fields are unset,
// so a PUT merges into what is there.
type Config struct {
	Compatibility      *compat.Level `json:"compatibilityLevel,omitempty"`
	Normalize          *bool         `json:"normalize,omitempty"`
	ValidateFields     *bool         `json:"validateFields,omitempty"`
	ValidateNewSchemas *bool         `json:"validateNewSchemas,omitempty"`
	// ValidateRules is kept and answered as Confluent does; charter runs
	// no rule executors, so nothing acts on it.
	ValidateRules       *bool     `json:"validateRules,omitempty"`
	Alias               *string   `json:"alias,omitempty"`
	CompatibilityGroup  *string   `json:"compatibilityGroup,omitempty"`
	CompatibilityPolicy *string   `json:"compatibilityPolicy,omitempty"`
	DefaultMetadata     *Metadata `json:"defaultMetadata,omitempty"`
	OverrideMetadata    *Metadata `json:"overrideMetadata,omitempty"`
	DefaultRuleSet      *RuleSet  `json:"defaultRuleSet,omitempty"`
	OverrideRuleSet     *RuleSet  `json:"overrideRuleSet,omitempty"`
	// Lint is charter's lint policy for registrations (not Confluent's).
	Lint *LintPolicy `json:"lint,omitempty"`
}

// merge returns c with every field that u sets replaced.
func (c Config) merge(u Config) Config {
	c.Compatibility = pick(c.Compatibility, u.Compatibility)
	c.Normalize = pick(c.Normalize, u.Normalize)
	c.ValidateFields = pick(c.ValidateFields, u.ValidateFields)
	c.ValidateNewSchemas = pick(c.ValidateNewSchemas, u.ValidateNewSchemas)
	c.ValidateRules = pick(c.ValidateRules, u.ValidateRules)
	c.Alias = pick(c.Alias, u.Alias)
	c.CompatibilityGroup = pick(c.CompatibilityGroup, u.CompatibilityGroup)
	c.CompatibilityPolicy = pick(c.CompatibilityPolicy, u.CompatibilityPolicy)
	c.DefaultMetadata = pick(c.DefaultMetadata, u.DefaultMetadata)
	c.OverrideMetadata = pick(c.OverrideMetadata, u.OverrideMetadata)
	c.DefaultRuleSet = pick(c.DefaultRuleSet, u.DefaultRuleSet)
	c.OverrideRuleSet = pick(c.OverrideRuleSet, u.OverrideRuleSet)
	c.Lint = pick(c.Lint, u.Lint)
	return c
}

// ConfigField names a field of Config by its JSON name
// (compatibilityLevel, normalize, alias, ...), for SetConfig to clear.
type ConfigField string

// without returns c with the fields named cleared, or an error naming the
// first name that is no field of Config.
func (c Config) without(fields []ConfigField) (Config, error) {
	for _, f := range fields {
		switch f {
		case "compatibilityLevel":
			c.Compatibility = nil
		case "normalize":
			c.Normalize = nil
		case "validateFields":
			c.ValidateFields = nil
		case "validateNewSchemas":
			c.ValidateNewSchemas = nil
		case "validateRules":
			c.ValidateRules = nil
		case "alias":
			c.Alias = nil
		case "compatibilityGroup":
			c.CompatibilityGroup = nil
		case "compatibilityPolicy":
			c.CompatibilityPolicy = nil
		case "defaultMetadata":
			c.DefaultMetadata = nil
		case "overrideMetadata":
			c.OverrideMetadata = nil
		case "defaultRuleSet":
			c.DefaultRuleSet = nil
		case "overrideRuleSet":
			c.OverrideRuleSet = nil
		case "lint":
			c.Lint = nil
		default:
			return c, Errorf(CodeInvalidRequest, "Unknown config field %q", string(f))
		}
	}
	return c, nil
}

// clone returns a copy of c that shares nothing with it: the configs a
// snapshot holds are shared by every later snapshot, so what a read or a
// write returns must not let the caller change them.
func (c Config) clone() Config {
	c.Compatibility = clonePtr(c.Compatibility)
	c.Normalize = clonePtr(c.Normalize)
	c.ValidateFields = clonePtr(c.ValidateFields)
	c.ValidateNewSchemas = clonePtr(c.ValidateNewSchemas)
	c.ValidateRules = clonePtr(c.ValidateRules)
	c.Alias = clonePtr(c.Alias)
	c.CompatibilityGroup = clonePtr(c.CompatibilityGroup)
	c.CompatibilityPolicy = clonePtr(c.CompatibilityPolicy)
	c.DefaultMetadata = c.DefaultMetadata.Clone()
	c.OverrideMetadata = c.OverrideMetadata.Clone()
	c.DefaultRuleSet = c.DefaultRuleSet.Clone()
	c.OverrideRuleSet = c.OverrideRuleSet.Clone()
	if c.Lint != nil {
		l := c.Lint.clone()
		c.Lint = &l
	}
	return c
}

// clonePtr returns a pointer to a copy of *p; nil for nil.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// pick returns update when it is set, else current.
func pick[T any](current, update *T) *T {
	if update != nil {
		return update
	}
	return current
}

// Mode controls which writes a subject or the registry accepts.
type Mode string

// The modes.
const (
	ReadWrite        Mode = "READWRITE"
	ReadOnly         Mode = "READONLY"
	ReadOnlyOverride Mode = "READONLY_OVERRIDE"
	Import           Mode = "IMPORT"
)

// ParseMode accepts a mode name in any letter case.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case ReadWrite, ReadOnly, ReadOnlyOverride, Import:
		return m, nil
	case "FORWARD":
		// A Confluent mode for a registry that forwards writes to another;
		// charter has none to forward to.
		return "", Errorf(CodeInvalidMode, "Mode FORWARD is not supported: charter does not forward writes to another registry; use READWRITE, READONLY, READONLY_OVERRIDE or IMPORT")
	}
	// RestInvalidModeException's message, word for word.
	return "", Errorf(CodeInvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.")
}

// SubjectVersion names one version of one subject.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}
