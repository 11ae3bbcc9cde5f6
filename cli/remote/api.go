package remote

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// Reference is a schema's reference to another subject's version.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Schema is a registered schema as the registry serves it. Metadata and
// RuleSet are kept as raw JSON so that an export carries them unchanged,
// whatever fields the source registry uses.
type Schema struct {
	Subject    string          `json:"subject,omitempty"`
	Version    int             `json:"version,omitempty"`
	ID         int             `json:"id,omitempty"`
	SchemaType string          `json:"schemaType,omitempty"`
	References []Reference     `json:"references,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	RuleSet    json.RawMessage `json:"ruleSet,omitempty"`
	Schema     string          `json:"schema"`
	Deleted    bool            `json:"deleted,omitempty"`
}

// Type returns the schema type, AVRO when the registry left it out.
func (s Schema) Type() string {
	if s.SchemaType == "" {
		return "AVRO"
	}
	return s.SchemaType
}

// RegisterRequest is the body of a registration or lookup. ID and Version
// are honoured only while the subject is in IMPORT mode.
type RegisterRequest struct {
	Schema     string          `json:"schema"`
	SchemaType string          `json:"schemaType,omitempty"`
	References []Reference     `json:"references,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	RuleSet    json.RawMessage `json:"ruleSet,omitempty"`
	ID         int             `json:"id,omitempty"`
	Version    int             `json:"version,omitempty"`
}

func flag(q url.Values, name string, on bool) url.Values {
	if on {
		if q == nil {
			q = url.Values{}
		}
		q.Set(name, "true")
	}
	return q
}

// Subjects lists subject names; deleted includes soft-deleted ones.
func (c *Client) Subjects(ctx context.Context, prefix string, deleted bool) ([]string, error) {
	q := flag(nil, "deleted", deleted)
	if prefix != "" {
		if q == nil {
			q = url.Values{}
		}
		q.Set("subjectPrefix", prefix)
	}
	var out []string
	err := c.do(ctx, "GET", []string{"subjects"}, q, nil, &out)
	return out, err
}

// Versions lists a subject's version numbers, oldest first.
func (c *Client) Versions(ctx context.Context, subject string, deleted bool) ([]int, error) {
	var out []int
	err := c.do(ctx, "GET", []string{"subjects", subject, "versions"}, flag(nil, "deleted", deleted), nil, &out)
	return out, err
}

// Version fetches one version; version is a number or "latest".
func (c *Client) Version(ctx context.Context, subject, version string, deleted bool) (Schema, error) {
	var out Schema
	err := c.do(ctx, "GET", []string{"subjects", subject, "versions", version}, flag(nil, "deleted", deleted), nil, &out)
	if out.Subject == "" {
		out.Subject = subject
	}
	return out, err
}

// SchemaByID fetches a schema by its global id.
func (c *Client) SchemaByID(ctx context.Context, id int) (Schema, error) {
	var out Schema
	err := c.do(ctx, "GET", []string{"schemas", "ids", strconv.Itoa(id)}, nil, nil, &out)
	if out.ID == 0 {
		out.ID = id
	}
	return out, err
}

// Register registers a schema under subject, or returns the version that
// already holds it. Some registries answer with the id only; Register then
// looks the version up.
func (c *Client) Register(ctx context.Context, subject string, req RegisterRequest, normalize bool) (Schema, error) {
	var out Schema
	if err := c.do(ctx, "POST", []string{"subjects", subject, "versions"}, flag(nil, "normalize", normalize), req, &out); err != nil {
		return Schema{}, err
	}
	if out.Version == 0 {
		found, err := c.Lookup(ctx, subject, req, normalize)
		if err != nil {
			return Schema{}, err
		}
		out.Version = found.Version
		if out.ID == 0 {
			out.ID = found.ID
		}
	}
	out.Subject = subject
	return out, nil
}

// Lookup finds the version of subject that holds a schema.
func (c *Client) Lookup(ctx context.Context, subject string, req RegisterRequest, normalize bool) (Schema, error) {
	req.ID, req.Version = 0, 0
	var out Schema
	err := c.do(ctx, "POST", []string{"subjects", subject}, flag(nil, "normalize", normalize), req, &out)
	return out, err
}

// DeleteVersion deletes one version, softly unless permanent.
func (c *Client) DeleteVersion(ctx context.Context, subject string, version int, permanent bool) error {
	return c.do(ctx, "DELETE", []string{"subjects", subject, "versions", strconv.Itoa(version)}, flag(nil, "permanent", permanent), nil, nil)
}

// Config is a compatibility config as raw JSON, so that every field the
// registry knows survives an export and import; Level reads the level.
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

func configPath(subject string) []string {
	if subject == "" {
		return []string{"config"}
	}
	return []string{"config", subject}
}

// Config fetches the global config (subject "") or a subject's. With
// defaultToGlobal, a subject without its own config gets the global one;
// without it, the registry answers 40408.
func (c *Client) Config(ctx context.Context, subject string, defaultToGlobal bool) (Config, error) {
	var out Config
	err := c.do(ctx, "GET", configPath(subject), flag(nil, "defaultToGlobal", defaultToGlobal && subject != ""), nil, &out)
	return out, err
}

// SetConfig updates the global config (subject "") or a subject's. The
// body is sent as given, except that a compatibilityLevel field (the name
// GET uses) is renamed compatibility (the name PUT uses).
func (c *Client) SetConfig(ctx context.Context, subject string, cfg Config) (Config, error) {
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
	var out Config
	err := c.do(ctx, "PUT", configPath(subject), nil, body, &out)
	return out, err
}

// SetLevel sets only the compatibility level.
func (c *Client) SetLevel(ctx context.Context, subject, level string) (Config, error) {
	b, _ := json.Marshal(map[string]string{"compatibility": level})
	return c.SetConfig(ctx, subject, b)
}

// DeleteConfig removes a subject's own config (or resets the global one).
func (c *Client) DeleteConfig(ctx context.Context, subject string) error {
	return c.do(ctx, "DELETE", configPath(subject), nil, nil, nil)
}

func modePath(subject string) []string {
	if subject == "" {
		return []string{"mode"}
	}
	return []string{"mode", subject}
}

// Mode fetches the global mode (subject "") or a subject's own; a subject
// without one gets 40409 unless defaultToGlobal.
func (c *Client) Mode(ctx context.Context, subject string, defaultToGlobal bool) (string, error) {
	var out struct {
		Mode string `json:"mode"`
	}
	err := c.do(ctx, "GET", modePath(subject), flag(nil, "defaultToGlobal", defaultToGlobal && subject != ""), nil, &out)
	return out.Mode, err
}

// SetMode sets the global mode (subject "") or a subject's. force lets
// IMPORT be set while schemas exist.
func (c *Client) SetMode(ctx context.Context, subject, mode string, force bool) error {
	return c.do(ctx, "PUT", modePath(subject), flag(nil, "force", force), map[string]string{"mode": mode}, nil)
}

// DeleteMode removes a subject's own mode.
func (c *Client) DeleteMode(ctx context.Context, subject string) error {
	return c.do(ctx, "DELETE", modePath(subject), nil, nil, nil)
}
