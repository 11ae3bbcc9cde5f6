package client

import "github.com/charter-registry/charter/compat"

// Reference names a schema that another schema depends on, resolved to a
// subject version.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Metadata is Confluent's schema metadata: tags by field path, free-form
// properties and the names of sensitive fields.
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// Rule is one data-contract rule of a RuleSet, as the registry stores it.
type Rule struct {
	Name      string            `json:"name"`
	Doc       string            `json:"doc,omitempty"`
	Kind      string            `json:"kind,omitempty"`
	Mode      string            `json:"mode,omitempty"`
	Type      string            `json:"type,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	Expr      string            `json:"expr,omitempty"`
	OnSuccess string            `json:"onSuccess,omitempty"`
	OnFailure string            `json:"onFailure,omitempty"`
	Disabled  bool              `json:"disabled,omitempty"`
}

// RuleSet is the set of data-contract rules attached to a schema.
type RuleSet struct {
	MigrationRules []Rule `json:"migrationRules,omitempty"`
	DomainRules    []Rule `json:"domainRules,omitempty"`
	EncodingRules  []Rule `json:"encodingRules,omitempty"`
}

// Schema is a registered schema with what the registry knows about it.
// Subject and Version are set when it was fetched through a subject; ID is
// always set for schemas returned by the client.
type Schema struct {
	Subject    string      `json:"subject,omitempty"`
	Version    int         `json:"version,omitempty"`
	ID         int         `json:"id,omitempty"`
	GUID       string      `json:"guid,omitempty"`
	SchemaType compat.Type `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Metadata   *Metadata   `json:"metadata,omitempty"`
	RuleSet    *RuleSet    `json:"ruleSet,omitempty"`
	Schema     string      `json:"schema"`
}

// Type returns the schema's format, AVRO when the registry sent none.
func (s *Schema) Type() compat.Type {
	if s.SchemaType == "" {
		return compat.Avro
	}
	return s.SchemaType
}

// Property returns the metadata property named key and whether it is set.
func (s *Schema) Property(key string) (string, bool) {
	if s == nil || s.Metadata == nil {
		return "", false
	}
	v, ok := s.Metadata.Properties[key]
	return v, ok
}
