package dump

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// Version is one schema version as an export stores it and `charter get
// --output json` prints it: the registry's record (confluent.Schema)
// without what describes one registry's copy (guid, ts). Metadata and
// RuleSet are kept as JSON text, so that an export file is imported as it
// was written.
type Version struct {
	Subject    string                `json:"subject,omitempty"`
	Version    int                   `json:"version,omitempty"`
	ID         int                   `json:"id,omitempty"`
	SchemaType string                `json:"schemaType,omitempty"`
	References []confluent.Reference `json:"references,omitempty"`
	Metadata   json.RawMessage       `json:"metadata,omitempty"`
	RuleSet    json.RawMessage       `json:"ruleSet,omitempty"`
	Schema     string                `json:"schema"`
	Deleted    bool                  `json:"deleted,omitempty"`
}

// VersionOf is the record of a schema the registry served.
func VersionOf(s *confluent.Schema) (Version, error) {
	v := Version{Subject: s.Subject, Version: s.Version, ID: s.ID, SchemaType: string(s.SchemaType),
		References: s.References, Schema: s.Schema, Deleted: s.Deleted}
	var err error
	if s.Metadata != nil {
		if v.Metadata, err = json.Marshal(s.Metadata); err != nil {
			return Version{}, err
		}
	}
	if s.RuleSet != nil {
		if v.RuleSet, err = json.Marshal(s.RuleSet); err != nil {
			return Version{}, err
		}
	}
	return v, nil
}

// schema is the registration of v.
func (v Version) schema() (confluent.Schema, error) {
	s := confluent.Schema{Version: v.Version, ID: v.ID, SchemaType: compat.Type(v.SchemaType),
		References: v.References, Schema: v.Schema}
	if len(v.Metadata) > 0 && string(v.Metadata) != "null" {
		s.Metadata = new(confluent.Metadata)
		if err := json.Unmarshal(v.Metadata, s.Metadata); err != nil {
			return s, errors.New("metadata: " + err.Error())
		}
	}
	if len(v.RuleSet) > 0 && string(v.RuleSet) != "null" {
		s.RuleSet = new(confluent.RuleSet)
		if err := json.Unmarshal(v.RuleSet, s.RuleSet); err != nil {
			return s, errors.New("ruleSet: " + err.Error())
		}
	}
	return s, nil
}

// Config is a compatibility config as the registry's JSON, so that every
// field the registry knows survives an export and import; Level and
// Policy read the fields the command line acts on.
type Config json.RawMessage

// Level returns the compatibilityLevel (or compatibility) field.
func (c Config) Level() string {
	var v struct {
		Level  string `json:"compatibilityLevel"`
		Level2 string `json:"compatibility"`
	}
	if json.Unmarshal(c, &v) != nil {
		return ""
	}
	if v.Level != "" {
		return v.Level
	}
	return v.Level2
}

// Policy returns the compatibilityPolicy field (STRICT or LENIENT), if
// any.
func (c Config) Policy() string {
	var v struct {
		Policy string `json:"compatibilityPolicy"`
	}
	_ = json.Unmarshal(c, &v)
	return v.Policy
}

// ValidateNewSchemas reports whether the registry validates the schemas
// first registered under this config (Avro field defaults, say): its
// validateNewSchemas field, true unless the config sets it false, as
// Confluent's schema.validate.new.schemas defaults to true.
func (c Config) ValidateNewSchemas() bool {
	var v struct {
		Validate *bool `json:"validateNewSchemas"`
	}
	_ = json.Unmarshal(c, &v)
	return v.Validate == nil || *v.Validate
}

// MarshalJSON writes the raw config.
func (c Config) MarshalJSON() ([]byte, error) {
	if len(c) == 0 {
		return []byte("null"), nil
	}
	return json.RawMessage(c).MarshalJSON()
}

// UnmarshalJSON keeps the raw config.
func (c *Config) UnmarshalJSON(b []byte) error {
	*c = append((*c)[:0], b...)
	return nil
}

// SetConfig updates the global config (subject "") or a subject's. The
// config is sent as given, except that a compatibilityLevel field (the
// name GET uses) is renamed compatibility (the name PUT uses).
func SetConfig(ctx context.Context, c *client.Client, subject string, cfg Config) (Config, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(cfg, &body); err != nil {
		return nil, err
	}
	if lvl, ok := body["compatibilityLevel"]; ok {
		if _, both := body["compatibility"]; !both {
			body["compatibility"] = lvl
		}
		delete(body, "compatibilityLevel")
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	out, err := c.SetConfig(ctx, subject, raw)
	return Config(out), err
}

// SetLevel sets only the compatibility level.
func SetLevel(ctx context.Context, c *client.Client, subject, level string) (Config, error) {
	b, _ := json.Marshal(map[string]string{"compatibility": level})
	return SetConfig(ctx, c, subject, b)
}
