package dump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FormatVersion is the version of the directory layout Write produces.
const FormatVersion = 1

// Registry is everything an export holds.
type Registry struct {
	// Config and Mode are the global ones.
	Config   Config
	Mode     string
	Subjects []Subject
}

// Subject is one subject with every version, soft-deleted ones included,
// and its own config and mode when it has them.
type Subject struct {
	Subject  string    `json:"subject"`
	Config   Config    `json:"config,omitempty"`
	Mode     string    `json:"mode,omitempty"`
	Versions []Version `json:"versions"`
}

// index is registry.json.
type index struct {
	Format   int          `json:"format"`
	Config   Config       `json:"config,omitempty"`
	Mode     string       `json:"mode,omitempty"`
	Subjects []indexEntry `json:"subjects"`
}

type indexEntry struct {
	Subject string `json:"subject"`
	File    string `json:"file"`
}

const indexName = "registry.json"

// Write stores r under dir, which must be empty or absent unless
// overwrite is set (then earlier subject files are removed first).
func Write(dir string, r Registry, overwrite bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		if !overwrite {
			return fmt.Errorf("%s is not empty; choose an empty directory or pass --overwrite", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, indexName)); err != nil {
			return fmt.Errorf("%s is not empty and holds no %s: refusing to overwrite a directory that is not an export", dir, indexName)
		}
		if err := os.RemoveAll(filepath.Join(dir, "subjects")); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "subjects"), 0o755); err != nil {
		return err
	}
	idx := index{Format: FormatVersion, Config: r.Config, Mode: r.Mode, Subjects: []indexEntry{}}
	used := map[string]bool{}
	for _, s := range r.Subjects {
		name := "subjects/" + fileName(s.Subject, used) + ".json"
		if err := writeJSON(filepath.Join(dir, filepath.FromSlash(name)), s); err != nil {
			return err
		}
		idx.Subjects = append(idx.Subjects, indexEntry{Subject: s.Subject, File: name})
	}
	return writeJSON(filepath.Join(dir, indexName), idx)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// fileName turns a subject into a file name that is safe on every file
// system and unique even where names are compared without case.
func fileName(subject string, used map[string]bool) string {
	var b strings.Builder
	for i := 0; i < len(subject); i++ {
		c := subject[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_',
			c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	base := b.String()
	if base == "" {
		base = "%empty"
	}
	name := base
	for n := 2; used[strings.ToLower(name)]; n++ {
		name = fmt.Sprintf("%s~%d", base, n)
	}
	used[strings.ToLower(name)] = true
	return name
}

// Read loads an export written by Write.
func Read(dir string) (Registry, error) {
	b, err := os.ReadFile(filepath.Join(dir, indexName))
	if err != nil {
		return Registry{}, fmt.Errorf("%s is not an export: %w", dir, err)
	}
	idx, err := parseIndex(b)
	if err != nil {
		return Registry{}, fmt.Errorf("%s: %w", filepath.Join(dir, indexName), err)
	}
	r := Registry{Config: idx.Config, Mode: idx.Mode}
	for _, e := range idx.Subjects {
		p := filepath.Join(dir, filepath.FromSlash(e.File))
		b, err := os.ReadFile(p)
		if err != nil {
			return Registry{}, err
		}
		s, err := ParseSubject(b)
		if err != nil {
			return Registry{}, fmt.Errorf("%s: %w", p, err)
		}
		if s.Subject != e.Subject {
			return Registry{}, fmt.Errorf("%s holds subject %q, but %s lists it for %q", p, s.Subject, indexName, e.Subject)
		}
		r.Subjects = append(r.Subjects, *s)
	}
	return r, nil
}

func parseIndex(b []byte) (*index, error) {
	var idx index
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, err
	}
	if idx.Format != FormatVersion {
		return nil, fmt.Errorf("export format %d is not supported (this charter reads format %d)", idx.Format, FormatVersion)
	}
	if err := validConfig(idx.Config); err != nil {
		return nil, fmt.Errorf("global config: %w", err)
	}
	idx.Config = Config(compact(idx.Config))
	seen := map[string]bool{}
	for i, e := range idx.Subjects {
		if e.Subject == "" {
			return nil, fmt.Errorf("subjects[%d]: empty subject", i)
		}
		if seen[e.Subject] {
			return nil, fmt.Errorf("subjects[%d]: subject %q listed twice", i, e.Subject)
		}
		seen[e.Subject] = true
		f := filepath.ToSlash(filepath.Clean(filepath.FromSlash(e.File)))
		if !strings.HasPrefix(f, "subjects/") || strings.Contains(f, "..") || filepath.IsAbs(e.File) {
			return nil, fmt.Errorf("subjects[%d]: file %q must be under subjects/", i, e.File)
		}
	}
	return &idx, nil
}

func validConfig(c Config) error {
	if len(c) == 0 || string(c) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c, &m); err != nil {
		return errors.New("a config must be a JSON object")
	}
	return nil
}

// ParseSubject decodes and validates one subject file.
func ParseSubject(b []byte) (*Subject, error) {
	var s Subject
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.Subject == "" {
		return nil, errors.New("the subject name is empty")
	}
	if err := validConfig(s.Config); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s.Config = Config(compact(s.Config))
	versions := map[int]bool{}
	for i, v := range s.Versions {
		if v.Version <= 0 || v.ID <= 0 {
			return nil, fmt.Errorf("versions[%d]: version and id must be positive (got version %d, id %d)", i, v.Version, v.ID)
		}
		if versions[v.Version] {
			return nil, fmt.Errorf("versions[%d]: version %d appears twice", i, v.Version)
		}
		versions[v.Version] = true
		s.Versions[i].Metadata = compact(v.Metadata)
		s.Versions[i].RuleSet = compact(v.RuleSet)
		for j, r := range v.References {
			if r.Subject == "" || r.Version <= 0 || r.Name == "" {
				return nil, fmt.Errorf("versions[%d].references[%d]: name, subject and a positive version are needed", i, j)
			}
		}
	}
	return &s, nil
}

// compact removes the indentation Write added to raw JSON, so that what
// Import sends is what Export received.
func compact(raw []byte) []byte {
	if len(raw) == 0 {
		return raw
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
