package confluent

import "github.com/charter-registry/charter/compat"

// Reference names a schema that another schema depends on: an Avro named
// type, a Protobuf import or a JSON Schema $ref, resolved to a subject
// version.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Metadata is Confluent's schema metadata: free-form tags by field path,
// properties and the names of sensitive fields. It takes part in a
// schema's identity.
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// Rule is one data-contract rule of a RuleSet.
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
// EnableAt, when set, is the time (Unix milliseconds) from which the rules
// apply.
type RuleSet struct {
	MigrationRules []Rule `json:"migrationRules,omitempty"`
	DomainRules    []Rule `json:"domainRules,omitempty"`
	EncodingRules  []Rule `json:"encodingRules,omitempty"`
	EnableAt       *int64 `json:"enableAt,omitempty"`
}

// Schema is one registered schema version as the API serves it. Subject
// and Version are set when it was reached through a subject.
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
	Deleted    bool        `json:"deleted,omitempty"`
	Timestamp  int64       `json:"ts,omitempty"`
}

// Type returns the schema's format: AVRO when none is given, as Confluent
// leaves schemaType out for Avro.
func (s *Schema) Type() compat.Type { return TypeOrAvro(s.SchemaType) }

// Property returns the metadata property named key and whether it is set.
func (s *Schema) Property(key string) (string, bool) {
	if s == nil || s.Metadata == nil {
		return "", false
	}
	v, ok := s.Metadata.Properties[key]
	return v, ok
}

// TypeOrAvro returns t, or AVRO when t is empty: Confluent's rule for a
// schema, request or record without a schemaType.
func TypeOrAvro(t compat.Type) compat.Type {
	if t == "" {
		return compat.Avro
	}
	return t
}

// WireType returns t as a schemaType field carries it: empty for AVRO,
// which Confluent leaves out, TypeOrAvro's inverse.
func WireType(t compat.Type) compat.Type {
	if t == compat.Avro {
		return ""
	}
	return t
}

// SchemaEntity names a record or a field of a schema (Confluent's
// SchemaEntity): EntityType is "sr_record" or "sr_field".
type SchemaEntity struct {
	EntityPath string `json:"entityPath"`
	EntityType string `json:"entityType"`
}

// SchemaTags are tags for one entity (Confluent's SchemaTags), as sent in
// schemaTagsToAdd, schemaTagsToRemove, tagsToAdd and tagsToRemove.
type SchemaTags struct {
	SchemaEntity SchemaEntity `json:"schemaEntity"`
	Tags         []string     `json:"tags"`
}
