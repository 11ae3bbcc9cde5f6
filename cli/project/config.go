package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/lint"
)

// ConfigName is the file charter check looks for.
const ConfigName = "charter.yaml"

// Config is the content of charter.yaml.
type Config struct {
	// Compatibility is the level for offline checks (--against git:REF).
	// Default BACKWARD.
	Compatibility compat.Level `yaml:"compatibility"`
	// ImportPaths are directories, relative to charter.yaml, in which
	// Protobuf imports are looked up (as protoc's -I) and whose .avsc
	// files may define Avro types other schemas refer to. The directory
	// of charter.yaml is always searched.
	ImportPaths []string `yaml:"importPaths"`
	// Schemas maps files to subjects.
	Schemas []Entry `yaml:"schemas"`
	// Lint selects the rules charter lint applies, and where it does not
	// apply them (files and subjects).
	Lint lint.Config `yaml:"lint"`
}

// Entry maps one file or glob to a subject.
type Entry struct {
	// Path is a file or a glob relative to charter.yaml: * and ? match
	// within a path segment, ** matches any number of segments.
	Path string `yaml:"path"`
	// Subject is the registry subject; {name} stands for the file name
	// without its extension and {topic} for Topic. When empty, Topic must
	// be set and the subject is "{topic}-value" (Confluent's
	// TopicNameStrategy).
	Subject string `yaml:"subject"`
	// Topic is the Kafka topic the schema is written to; optional.
	Topic string `yaml:"topic"`
	// Format is AVRO, PROTOBUF or JSON; when empty it follows the file's
	// extension.
	Format string `yaml:"format"`
	// Compatibility overrides the file-wide level for this entry's
	// offline checks.
	Compatibility compat.Level `yaml:"compatibility"`
	// Event says whether the entry's files are delta or state events, for
	// the naming rules; empty lets them infer it.
	Event string `yaml:"event"`
	// Lint, when set, replaces the file-wide use and except for this
	// entry's files; its ignore lists add to the file-wide ones.
	Lint *lint.Config `yaml:"lint"`
}

// ParseConfig reads charter.yaml. Unknown keys are refused, so that a
// misspelt key is not silently ignored; the result is validated.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: it needs at least a schemas list")
		}
		return nil, decodeError(err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// unknownField is how yaml.v3 reports a key KnownFields refuses.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)

// decodeError rewords yaml.v3's unmarshal errors in charter.yaml's terms:
// "line 3: field schemaz not found in type project.Config" becomes
// `line 3: unknown key "schemaz" in charter.yaml`.
func decodeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if g := unknownField.FindStringSubmatch(m); g != nil {
			m = fmt.Sprintf("line %s: unknown key %q in charter.yaml", g[1], g[2])
		}
		msgs[i] = m
	}
	return errors.New(strings.Join(msgs, "; "))
}

// LoadConfig reads and validates the charter.yaml at path.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// FindConfig looks for charter.yaml in dir and then in its parents,
// stopping at the first directory that holds .git. It returns the path of
// the file found.
func FindConfig(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		p := filepath.Join(d, ConfigName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", fmt.Errorf("no %s in %s or its parents up to the repository root; create one (see charter check --help) or pass --config", ConfigName, abs)
}

// Validate fills defaults and reports every mistake it finds.
func (c *Config) Validate() error {
	var errs []error
	if c.Compatibility == "" {
		c.Compatibility = compat.Backward
	} else if l, err := compat.ParseLevel(string(c.Compatibility)); err != nil {
		errs = append(errs, fmt.Errorf("compatibility: %w", err))
	} else {
		c.Compatibility = l
	}
	for i, p := range c.ImportPaths {
		if err := relative(p); err != nil {
			errs = append(errs, fmt.Errorf("importPaths[%d]: %w", i, err))
		}
	}
	if err := c.Lint.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("lint: %w", err))
	}
	if len(c.Schemas) == 0 {
		errs = append(errs, errors.New("schemas: the list is empty; add at least one {path, subject} entry"))
	}
	for i := range c.Schemas {
		e := &c.Schemas[i]
		at := fmt.Sprintf("schemas[%d]", i)
		if e.Path == "" {
			errs = append(errs, fmt.Errorf("%s: path is missing", at))
		} else if err := relative(e.Path); err != nil {
			errs = append(errs, fmt.Errorf("%s: path: %w", at, err))
		} else if err := validGlob(e.Path); err != nil {
			errs = append(errs, fmt.Errorf("%s: path: %w", at, err))
		}
		if e.Subject == "" && e.Topic == "" {
			errs = append(errs, fmt.Errorf("%s: give a subject (or a topic, for the subject {topic}-value)", at))
		}
		if strings.Contains(e.Subject, "{topic}") && e.Topic == "" {
			errs = append(errs, fmt.Errorf("%s: subject uses {topic} but no topic is set", at))
		}
		if e.Format != "" {
			t, err := ParseType(e.Format)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: format: %w", at, err))
			} else {
				e.Format = string(t)
			}
		}
		if _, err := lint.ParseEvent(e.Event); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", at, err))
		}
		if e.Lint != nil {
			if err := e.Lint.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: lint: %w", at, err))
			}
		}
		if e.Compatibility != "" {
			l, err := compat.ParseLevel(string(e.Compatibility))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: compatibility: %w", at, err))
			} else {
				e.Compatibility = l
			}
		}
	}
	return errors.Join(errs...)
}

// LintConfig returns the lint configuration for an entry: the file-wide
// one, with the entry's use and except instead when it gives them, and
// both ignore lists.
func (c *Config) LintConfig(e Entry) lint.Config {
	out := c.Lint
	if e.Lint == nil {
		return out
	}
	if len(e.Lint.Use) > 0 || len(e.Lint.Except) > 0 {
		out.Use, out.Except = e.Lint.Use, e.Lint.Except
	}
	out.Ignore = append(slices.Clone(out.Ignore), e.Lint.Ignore...)
	if len(e.Lint.IgnoreOnly) > 0 {
		m := maps.Clone(out.IgnoreOnly)
		if m == nil {
			m = map[string][]string{}
		}
		for k, v := range e.Lint.IgnoreOnly {
			m[k] = append(slices.Clone(m[k]), v...)
		}
		out.IgnoreOnly = m
	}
	return out
}

// Level returns the offline level for an entry: its own or the file-wide
// one.
func (c *Config) Level(e Entry) compat.Level {
	if e.Compatibility != "" {
		return e.Compatibility
	}
	if c.Compatibility == "" {
		return compat.Backward
	}
	return c.Compatibility
}

func relative(p string) error {
	if p == "" {
		return errors.New("empty")
	}
	if path.IsAbs(p) || filepath.IsAbs(p) || strings.Contains(p, `\`) {
		return fmt.Errorf("%q must be relative to charter.yaml, with forward slashes", p)
	}
	for _, seg := range strings.Split(path.Clean(p), "/") {
		if seg == ".." {
			return fmt.Errorf("%q leaves the directory of charter.yaml", p)
		}
	}
	return nil
}

// SubjectFor renders an entry's subject for a file.
func SubjectFor(e Entry, file string) string {
	s := e.Subject
	if s == "" {
		s = "{topic}-value"
	}
	return strings.NewReplacer("{name}", BaseName(file), "{topic}", e.Topic).Replace(s)
}
