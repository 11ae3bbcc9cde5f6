package check

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/cli/dump"
	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// Baseline supplies what a file is compared with.
type Baseline interface {
	// Previous returns the earlier versions of the file's subject, oldest
	// first, with the level to check at. No versions means the subject is
	// new and there is nothing to break.
	Previous(ctx context.Context, f *project.File) (Previous, error)
}

// Previous is what one file is checked against.
type Previous struct {
	// New is true when the subject has nothing to compare with: no
	// registered version, or no file for it at the git revision.
	New     bool
	Level   compat.Level
	Options compat.Options
	// NoValidateNew is true when the subject's config turns
	// validateNewSchemas off: the registry then takes a new schema as it
	// reads a stored one (an Avro field default that does not fit its
	// type, say), and so does the check.
	NoValidateNew bool
	Versions      []Version
}

// Version is one earlier schema, as text with its resolved dependencies.
type Version struct {
	Version int
	Type    compat.Type
	Text    string
	Deps    []compat.Dependency
	// Label names the version in messages: git:REF or "version 3".
	Label string
}

// Git compares each file with the file that the same charter.yaml maps to
// the same subject at a git revision, at charter.yaml's level.
type Git struct {
	// Old is the project loaded from the revision (project.Git).
	Old *project.Project
}

// Previous implements Baseline.
func (g Git) Previous(_ context.Context, f *project.File) (Previous, error) {
	out := Previous{Level: f.Level}
	old := g.Old.BySubject(f.Subject)
	if old == nil {
		out.New = true
		return out, nil
	}
	out.Versions = []Version{{
		Version: 1,
		Type:    old.Type,
		Text:    old.Text,
		Deps:    g.Old.Dependencies(old),
		Label:   g.Old.Source().Describe(),
	}}
	return out, nil
}

// Registry compares each file with its subject's registered versions, at
// the subject's configured level (its own config, else the global one).
// Only the latest version is fetched unless the level is transitive.
// Versions by number are cached by the client; "latest" is fetched again
// unless the client caches it (client.LatestTTL).
type Registry struct {
	Client *client.Client
}

// NewRegistry returns a Registry baseline over c.
func NewRegistry(c *client.Client) *Registry {
	return &Registry{Client: c}
}

// Level reads the level and options the registry has configured for
// subject: its own config, else the global one, else BACKWARD.
func (r *Registry) Level(ctx context.Context, subject string) (compat.Level, compat.Options, error) {
	cfg, err := r.config(ctx, subject)
	if err != nil {
		return "", compat.Options{}, err
	}
	return levelOf(subject, cfg)
}

// config reads the config the registry applies to subject: its own, else
// the global one.
func (r *Registry) config(ctx context.Context, subject string) (dump.Config, error) {
	raw, err := r.Client.Config(ctx, subject, true)
	if client.HasCode(err, confluent.CodeSubjectCompatibilityNotSet) {
		// Older registries ignore defaultToGlobal.
		raw, err = r.Client.Config(ctx, "", false)
	}
	if err != nil {
		return nil, fmt.Errorf("subject %s: read its compatibility level: %w", subject, err)
	}
	return dump.Config(raw), nil
}

// levelOf is the level and options of subject's config cfg, BACKWARD when
// it names none.
func levelOf(subject string, cfg dump.Config) (compat.Level, compat.Options, error) {
	var err error
	level := compat.Backward
	if l := cfg.Level(); l != "" {
		if level, err = compat.ParseLevel(l); err != nil {
			return "", compat.Options{}, fmt.Errorf("subject %s: the registry's level: %w", subject, err)
		}
	}
	return level, compat.Options{Lenient: strings.EqualFold(cfg.Policy(), "LENIENT")}, nil
}

// Previous implements Baseline.
func (r *Registry) Previous(ctx context.Context, f *project.File) (Previous, error) {
	cfg, err := r.config(ctx, f.Subject)
	if err != nil {
		return Previous{}, err
	}
	level, opts, err := levelOf(f.Subject, cfg)
	if err != nil {
		return Previous{}, err
	}
	out := Previous{Level: level, Options: opts, NoValidateNew: !cfg.ValidateNewSchemas()}
	var numbers []string
	if out.Level.Transitive() || out.Level == compat.None {
		vs, err := r.Client.Versions(ctx, f.Subject)
		if client.HasCode(err, confluent.CodeSubjectNotFound) || (err == nil && len(vs) == 0) {
			out.New = true
			return out, nil
		}
		if out.Level == compat.None && err == nil {
			// Nothing to check at NONE, but the subject exists.
			return out, nil
		}
		if err != nil {
			return Previous{}, fmt.Errorf("subject %s: %w", f.Subject, err)
		}
		for _, v := range vs {
			numbers = append(numbers, strconv.Itoa(v))
		}
	} else {
		numbers = []string{"latest"}
	}
	for _, n := range numbers {
		v, err := r.Fetch(ctx, f.Subject, n)
		if client.HasCode(err, confluent.CodeSubjectNotFound, confluent.CodeVersionNotFound) && n == "latest" {
			out.New = true
			return out, nil
		}
		if err != nil {
			return Previous{}, err
		}
		out.Versions = append(out.Versions, v)
	}
	return out, nil
}

// Holder is a Baseline that can say whether the file's subject already
// holds the file's schema, as the registry would find it when the file is
// registered (a lookup), whatever versions Previous fetched.
type Holder interface {
	Holds(ctx context.Context, f *project.File) (bool, error)
}

// Holds implements Holder: it asks the registry (POST /subjects/{subject},
// a lookup), the question the registry answers before it validates a
// schema as new. A file with references is not asked (its references'
// versions are the registry's choice at registration) and is answered
// false, so only the fetched versions decide.
func (r *Registry) Holds(ctx context.Context, f *project.File) (bool, error) {
	if len(f.Refs) > 0 {
		return false, nil
	}
	_, err := r.Client.Lookup(ctx, f.Subject, confluent.Schema{Schema: f.Text, SchemaType: f.Type}, false)
	if client.HasCode(err, confluent.CodeSubjectNotFound, confluent.CodeSchemaNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("subject %s: %w", f.Subject, err)
	}
	return true, nil
}

func (r *Registry) version(ctx context.Context, subject, version string) (*confluent.Schema, error) {
	if version == "latest" {
		return r.Client.Latest(ctx, subject)
	}
	n, err := strconv.Atoi(version)
	if err != nil {
		return nil, fmt.Errorf("version %q: use a number or latest", version)
	}
	return r.Client.SchemaByVersion(ctx, subject, n)
}

// deps fetches every schema refs reach, dependencies first, named as each
// referrer names them.
func (r *Registry) deps(ctx context.Context, refs []confluent.Reference, seen map[string]bool) ([]compat.Dependency, error) {
	var out []compat.Dependency
	for _, ref := range refs {
		key := ref.Subject + "\x00" + strconv.Itoa(ref.Version)
		if seen[key] {
			continue
		}
		seen[key] = true
		s, err := r.version(ctx, ref.Subject, strconv.Itoa(ref.Version))
		if err != nil {
			return nil, fmt.Errorf("%s (subject %s version %d): %w", ref.Name, ref.Subject, ref.Version, err)
		}
		inner, err := r.deps(ctx, s.References, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, inner...)
		out = append(out, compat.Dependency{Name: ref.Name, Schema: s.Schema})
	}
	return out, nil
}

// Fetch reads one version of a subject ("latest" or a number) with its
// references resolved.
func (r *Registry) Fetch(ctx context.Context, subject, version string) (Version, error) {
	s, err := r.version(ctx, subject, version)
	if err != nil {
		return Version{}, fmt.Errorf("subject %s version %s: %w", subject, version, err)
	}
	deps, err := r.deps(ctx, s.References, map[string]bool{})
	if err != nil {
		return Version{}, fmt.Errorf("subject %s version %d: references: %w", subject, s.Version, err)
	}
	return Version{Version: s.Version, Type: compat.Type(s.Type()), Text: s.Schema, Deps: deps, Label: "version " + strconv.Itoa(s.Version)}, nil
}
