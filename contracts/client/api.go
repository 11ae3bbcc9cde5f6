package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// maxReferenceDepth bounds how deep Dependencies follows references, so a
// reference cycle cannot loop forever.
const maxReferenceDepth = 64

// SchemaByID returns the schema with a global id. The answer is cached for
// the client's lifetime: ids never change meaning. The returned Schema is
// shared and must not be modified.
func (c *Client) SchemaByID(ctx context.Context, id int) (*Schema, error) {
	if s := c.cache.byID(id); s != nil {
		return s, nil
	}
	var s Schema
	if err := c.do(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(id), nil, &s); err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	s.ID = id
	// A by-id answer names no subject.
	s.Subject, s.Version = "", 0
	c.cache.putID(id, &s)
	return &s, nil
}

// SchemaByVersion returns version of subject. It is cached for the client's
// lifetime. The returned Schema is shared and must not be modified.
func (c *Client) SchemaByVersion(ctx context.Context, subject string, version int) (*Schema, error) {
	if s := c.cache.byVersion(subject, version); s != nil {
		return s, nil
	}
	var s Schema
	path := "/subjects/" + url.PathEscape(subject) + "/versions/" + strconv.Itoa(version)
	if err := c.do(ctx, http.MethodGet, path, nil, &s); err != nil {
		return nil, fmt.Errorf("subject %q version %d: %w", subject, version, err)
	}
	c.cache.putVersion(&s)
	return &s, nil
}

// Versions lists the live versions of subject (GET
// /subjects/{subject}/versions) in ascending order. It is not cached: a
// caller that asks often, such as a deserializer planning migrations,
// caches what it derives from the answer.
func (c *Client) Versions(ctx context.Context, subject string) ([]int, error) {
	var vs []int
	path := "/subjects/" + url.PathEscape(subject) + "/versions"
	if err := c.do(ctx, http.MethodGet, path, nil, &vs); err != nil {
		return nil, fmt.Errorf("subject %q versions: %w", subject, err)
	}
	slices.Sort(vs)
	return vs, nil
}

// Latest returns the latest version of subject, cached for LatestTTL.
func (c *Client) Latest(ctx context.Context, subject string) (*Schema, error) {
	now := time.Now()
	if s := c.cache.getLatest(subject, now); s != nil {
		return s, nil
	}
	var s Schema
	path := "/subjects/" + url.PathEscape(subject) + "/versions/latest"
	if err := c.do(ctx, http.MethodGet, path, nil, &s); err != nil {
		return nil, fmt.Errorf("subject %q latest version: %w", subject, err)
	}
	if c.cfg.latestTTL > 0 {
		c.cache.putLatest(subject, &s, now.Add(c.cfg.latestTTL))
	}
	return &s, nil
}

// LatestWithMetadata returns the latest version of subject whose metadata
// properties include every pair in props (GET
// /subjects/{subject}/metadata?key=k&value=v), cached for LatestTTL. Use it
// to pin producers to a major version of a contract, for example
// application.major.version=2.
func (c *Client) LatestWithMetadata(ctx context.Context, subject string, props map[string]string) (*Schema, error) {
	now := time.Now()
	key := metadataKey(subject, props)
	if s := c.cache.getLatest(key, now); s != nil {
		return s, nil
	}
	q := url.Values{}
	for k, v := range props {
		q.Add("key", k)
		q.Add("value", v)
	}
	var s Schema
	path := "/subjects/" + url.PathEscape(subject) + "/metadata?" + q.Encode()
	if err := c.do(ctx, http.MethodGet, path, nil, &s); err != nil {
		return nil, fmt.Errorf("subject %q latest with metadata %v: %w", subject, props, err)
	}
	if c.cfg.latestTTL > 0 {
		c.cache.putLatest(key, &s, now.Add(c.cfg.latestTTL))
	}
	return &s, nil
}

// registerBody is what POST /subjects/{subject}/versions and POST
// /subjects/{subject} take.
type registerBody struct {
	SchemaType compat.Type `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Metadata   *Metadata   `json:"metadata,omitempty"`
	RuleSet    *RuleSet    `json:"ruleSet,omitempty"`
	Schema     string      `json:"schema"`
}

func bodyOf(s Schema) registerBody {
	return registerBody{SchemaType: confluent.WireType(s.SchemaType), References: s.References, Metadata: s.Metadata, RuleSet: s.RuleSet, Schema: s.Schema}
}

func identityKey(subject string, s Schema, normalize bool) string {
	var b strings.Builder
	b.WriteString(subject)
	b.WriteByte(0)
	b.WriteString(string(s.Type()))
	b.WriteByte(0)
	b.WriteString(strconv.FormatBool(normalize))
	for _, r := range s.References {
		fmt.Fprintf(&b, "\x00%s\x00%s\x00%d", r.Name, r.Subject, r.Version)
	}
	// Metadata and rules are part of a schema's identity: the same text
	// with other rules is another version.
	if s.Metadata != nil || s.RuleSet != nil {
		extra, _ := json.Marshal(struct {
			M *Metadata
			R *RuleSet
		}{s.Metadata, s.RuleSet})
		b.WriteByte(0)
		b.Write(extra)
	}
	b.WriteByte(0)
	b.WriteString(s.Schema)
	return b.String()
}

// Register registers s under subject, or finds it if it is already there,
// and returns it with the id the registry gave it. Answers are cached, so
// registering the same schema again costs no request. Metadata and rules in
// s are sent as given; register through the registry's API when they must
// change.
func (c *Client) Register(ctx context.Context, subject string, s Schema, normalize bool) (*Schema, error) {
	key := identityKey(subject, s, normalize)
	if s := c.cache.getRegistered("r\x00" + key); s != nil {
		return s, nil
	}
	var out struct {
		ID      int `json:"id"`
		Version int `json:"version"`
	}
	path := "/subjects/" + url.PathEscape(subject) + "/versions"
	if normalize {
		path += "?normalize=true"
	}
	if err := c.do(ctx, http.MethodPost, path, bodyOf(s), &out); err != nil {
		return nil, fmt.Errorf("register under subject %q: %w", subject, err)
	}
	reg := s
	reg.Subject, reg.ID, reg.Version = subject, out.ID, out.Version
	c.cache.putRegistered("r\x00"+key, &reg)
	return &reg, nil
}

// Lookup finds s among the versions of subject (POST /subjects/{subject})
// and returns the registered version, with its id, version, metadata and
// rules. It fails with a *ResponseError of code 40403 when s is not
// registered there.
func (c *Client) Lookup(ctx context.Context, subject string, s Schema, normalize bool) (*Schema, error) {
	key := identityKey(subject, s, normalize)
	if s := c.cache.getRegistered("l\x00" + key); s != nil {
		return s, nil
	}
	var out Schema
	path := "/subjects/" + url.PathEscape(subject)
	if normalize {
		path += "?normalize=true"
	}
	if err := c.do(ctx, http.MethodPost, path, bodyOf(s), &out); err != nil {
		return nil, fmt.Errorf("look up schema under subject %q: %w", subject, err)
	}
	c.cache.putRegistered("l\x00"+key, &out)
	return &out, nil
}

// Dependencies resolves the references of s, transitively, into what
// compat.Format.Parse takes: every dependency before its dependents, each
// listed once.
func (c *Client) Dependencies(ctx context.Context, s *Schema) ([]compat.Dependency, error) {
	var deps []compat.Dependency
	seen := map[string]bool{}
	var walk func(refs []Reference, depth int) error
	walk = func(refs []Reference, depth int) error {
		if depth > maxReferenceDepth {
			return fmt.Errorf("references nest deeper than %d levels", maxReferenceDepth)
		}
		for _, r := range refs {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			ref, err := c.SchemaByVersion(ctx, r.Subject, r.Version)
			if err != nil {
				return fmt.Errorf("reference %q: %w", r.Name, err)
			}
			if err := walk(ref.References, depth+1); err != nil {
				return err
			}
			deps = append(deps, compat.Dependency{Name: r.Name, Schema: ref.Schema})
		}
		return nil
	}
	if err := walk(s.References, 0); err != nil {
		return nil, err
	}
	return deps, nil
}
