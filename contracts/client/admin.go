package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// The calls below read and change a registry as an operator or a
// migration tool does (charter's command line uses them): listings that
// include soft-deleted entries, deletes, configs, modes and registrations
// that keep their ids. None of them is cached, since each reads or changes
// what another writer may change at any time.

// flag is the query "?name=true" when on, else "".
func flag(name string, on bool) string {
	if !on {
		return ""
	}
	return "?" + name + "=true"
}

// Subjects lists the registry's subjects (GET /subjects): only those that
// start with prefix when it is set, and soft-deleted ones too with
// deleted.
func (c *Client) Subjects(ctx context.Context, prefix string, deleted bool) ([]string, error) {
	q := url.Values{}
	if deleted {
		q.Set("deleted", "true")
	}
	if prefix != "" {
		q.Set("subjectPrefix", prefix)
	}
	path := "/subjects"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []string
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, fmt.Errorf("list subjects: %w", err)
	}
	return out, nil
}

// AllVersions lists every version number of subject, soft-deleted ones
// included (GET /subjects/{subject}/versions?deleted=true), in the
// registry's order. Versions lists the live ones.
func (c *Client) AllVersions(ctx context.Context, subject string) ([]int, error) {
	var vs []int
	path := "/subjects/" + url.PathEscape(subject) + "/versions?deleted=true"
	if err := c.do(ctx, http.MethodGet, path, nil, &vs); err != nil {
		return nil, fmt.Errorf("subject %q versions: %w", subject, err)
	}
	return vs, nil
}

// Version returns one version of subject as the registry holds it now:
// version is a number or "latest", and deleted reaches a soft-deleted
// version too. Unlike SchemaByVersion and Latest it is never cached; use
// it to copy or inspect a registry.
func (c *Client) Version(ctx context.Context, subject, version string, deleted bool) (*Schema, error) {
	var s Schema
	path := "/subjects/" + url.PathEscape(subject) + "/versions/" + url.PathEscape(version) + flag("deleted", deleted)
	if err := c.do(ctx, http.MethodGet, path, nil, &s); err != nil {
		return nil, fmt.Errorf("subject %q version %s: %w", subject, version, err)
	}
	if s.Subject == "" {
		s.Subject = subject
	}
	return &s, nil
}

// importBody is a registration that carries its id and version, which a
// registry honours in IMPORT mode.
type importBody struct {
	registerBody
	ID      int `json:"id,omitempty"`
	Version int `json:"version,omitempty"`
}

// Import registers s under subject with its own id and version (s.ID and
// s.Version, when set), as a registry in IMPORT mode keeps them: it is how
// a registry is copied into another with the same ids. Registering a
// version the registry already holds with the same id changes nothing.
// The answer is the registry's; a registry that answers with the id only
// leaves Version 0.
func (c *Client) Import(ctx context.Context, subject string, s Schema) (*Schema, error) {
	body := importBody{registerBody: bodyOf(s), ID: s.ID, Version: s.Version}
	var out struct {
		ID      int `json:"id"`
		Version int `json:"version"`
	}
	path := "/subjects/" + url.PathEscape(subject) + "/versions"
	if err := c.do(ctx, http.MethodPost, path, body, &out); err != nil {
		return nil, fmt.Errorf("import subject %q version %d (id %d): %w", subject, s.Version, s.ID, err)
	}
	reg := s
	reg.Subject, reg.ID, reg.Version = subject, out.ID, out.Version
	return &reg, nil
}

// DeleteVersion deletes a version of subject: softly, or for good with
// permanent (which needs a soft delete first).
func (c *Client) DeleteVersion(ctx context.Context, subject string, version int, permanent bool) error {
	path := "/subjects/" + url.PathEscape(subject) + "/versions/" + strconv.Itoa(version) + flag("permanent", permanent)
	if err := c.do(ctx, http.MethodDelete, path, nil, nil); err != nil {
		return fmt.Errorf("delete subject %q version %d: %w", subject, version, err)
	}
	return nil
}

func configPath(resource, subject string) string {
	if subject == "" {
		return "/" + resource
	}
	return "/" + resource + "/" + url.PathEscape(subject)
}

// Config returns the global compatibility config (subject "") or a
// subject's own, as the registry's JSON, so that every field it knows
// survives a copy. A subject without a config of its own fails with
// CodeSubjectCompatibilityNotSet, unless defaultToGlobal asks for the
// global one instead.
func (c *Client) Config(ctx context.Context, subject string, defaultToGlobal bool) (json.RawMessage, error) {
	var out json.RawMessage
	path := configPath("config", subject) + flag("defaultToGlobal", defaultToGlobal && subject != "")
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, fmt.Errorf("config of %s: %w", describeSubject(subject), err)
	}
	return out, nil
}

// SetConfig updates the global config (subject "") or a subject's with
// cfg, a JSON object in the shape PUT /config takes
// ({"compatibility":"FULL",...}), and returns the registry's answer.
func (c *Client) SetConfig(ctx context.Context, subject string, cfg json.RawMessage) (json.RawMessage, error) {
	var out json.RawMessage
	if err := c.do(ctx, http.MethodPut, configPath("config", subject), cfg, &out); err != nil {
		return nil, fmt.Errorf("set config of %s: %w", describeSubject(subject), err)
	}
	return out, nil
}

// DeleteConfig removes a subject's own config, or resets the global one
// (subject "").
func (c *Client) DeleteConfig(ctx context.Context, subject string) error {
	if err := c.do(ctx, http.MethodDelete, configPath("config", subject), nil, nil); err != nil {
		return fmt.Errorf("delete config of %s: %w", describeSubject(subject), err)
	}
	return nil
}

// Mode returns the global mode (subject "") or a subject's own, such as
// READWRITE or IMPORT. A subject without one fails with
// CodeSubjectModeNotSet, unless defaultToGlobal.
func (c *Client) Mode(ctx context.Context, subject string, defaultToGlobal bool) (string, error) {
	var out struct {
		Mode string `json:"mode"`
	}
	path := configPath("mode", subject) + flag("defaultToGlobal", defaultToGlobal && subject != "")
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return "", fmt.Errorf("mode of %s: %w", describeSubject(subject), err)
	}
	return out.Mode, nil
}

// SetMode sets the global mode (subject "") or a subject's; force lets
// IMPORT be set while schemas exist.
func (c *Client) SetMode(ctx context.Context, subject, mode string, force bool) error {
	path := configPath("mode", subject) + flag("force", force)
	if err := c.do(ctx, http.MethodPut, path, map[string]string{"mode": mode}, nil); err != nil {
		return fmt.Errorf("set mode of %s to %s: %w", describeSubject(subject), mode, err)
	}
	return nil
}

// DeleteMode removes a subject's own mode.
func (c *Client) DeleteMode(ctx context.Context, subject string) error {
	if err := c.do(ctx, http.MethodDelete, configPath("mode", subject), nil, nil); err != nil {
		return fmt.Errorf("delete mode of %s: %w", describeSubject(subject), err)
	}
	return nil
}

func describeSubject(subject string) string {
	if subject == "" {
		return "the registry"
	}
	return "subject " + strconv.Quote(subject)
}
