package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/cli/annotation"
	"github.com/charter-registry/charter/cli/check"
	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/lint"
)

type lintFlags struct {
	config    string
	against   string
	format    string
	color     string
	listRules bool
	subjects  bool
	registry  registryFlags
}

func newLintCommand() *cobra.Command {
	f := lintFlags{}
	cmd := &cobra.Command{
		Use:   "lint [FILE... | SUBJECT...]",
		Short: "Check the design of event schemas: naming, keys, envelopes, enums, docs, timestamps, PII",
		Long: `Check schema files, or a registry's subjects, against event-design rules:
delta events named with a past-tense verb and state events for the entity,
keys that are ids and never null, no before/after envelopes or link-only
notifications, enums with a fallback symbol and one meaning, documented
records and fields, logical timestamp types, personal data tagged PII.
charter lint --list-rules lists every rule with its purpose.

Which files, and how, comes from charter.yaml (see charter check --help):

  lint:
    use: [DEFAULT]                  # rule ids or categories (default DEFAULT: all)
    except: [FIELD_DOC_MISSING]     # left out of use
    ignore: [legacy/, audit-value]  # files, directories, globs or subjects
    ignore_only:
      PII_UNTAGGED: [schemas/metrics/*.avsc]
  schemas:
    - path: schemas/orders.avsc
      subject: orders-value
      event: delta                  # or state; otherwise inferred from names
      lint: {except: [HEURISTIC]}   # this entry's own use/except

A finding is silenced where it is declared, with a reason, by
"charter:lint-ignore RULE[,RULE] reason" in the Avro "doc", a Protobuf
comment, or a JSON Schema "$comment" of the field, enum or record (a
record's covers its fields; the top record's covers the schema). One
without a reason silences nothing and is reported.

What is linted:
  FILE...             the files charter.yaml maps (default: all of them);
                      without a charter.yaml, the files named, each alone
                      with every rule
  --against git:REF   the same, reporting only problems the files did not
                      already have at REF; rules about changes
                      (ENUM_MIXED_MEANINGS, TOPIC_NAME_VERSIONED) compare
                      each file with its version at REF
  --registry URL, or --subjects with CHARTER_REGISTRY_URL
                      the latest version of each SUBJECT (default: every
                      subject) in the registry, compared with the version
                      before it; charter.yaml's lint section applies when
                      one is found. A registry URL in the environment alone
                      does not switch charter lint from files to subjects.

Exit status: 0 no findings, 100 findings (or unparsable schemas), 1 an
error reading files, running git or reaching the registry, 2 a wrong flag,
argument or charter.yaml. Output formats are those of charter check.`,
		Example: `  # in a pull request: only problems the change adds
  charter lint --against git:origin/main --format github-actions

  # every mapped file
  charter lint

  # what a registry holds
  CHARTER_REGISTRY_URL=https://registry.example.com charter lint --subjects orders-value`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "path of charter.yaml (default: found in the current directory or a parent)")
	fs.StringVar(&f.against, "against", "", "report only problems that are new since a git revision: git:REF, e.g. git:origin/main")
	fs.StringVar(&f.format, "format", "text", "output format: "+annotation.FormatNames())
	fs.StringVar(&f.color, "color", "auto", "colour text output: auto (only on a terminal), always or never")
	fs.BoolVar(&f.listRules, "list-rules", false, "list the rules and categories, then exit")
	fs.BoolVar(&f.subjects, "subjects", false, "lint the registry's subjects (the SUBJECTs named, or all) instead of files; implied by --registry")
	f.registry.bind(fs)
	return cmd
}

func runLint(cmd *cobra.Command, f lintFlags, args []string) error {
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if f.listRules {
		return listRules(cmd)
	}
	format, err := annotation.ParseFormat(f.format)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	color, err := useColor(f.color, out)
	if err != nil {
		return err
	}
	registryMode := f.subjects || cmd.Flags().Changed("registry")
	if f.against != "" && registryMode {
		return usageErr("give either --against (files) or --registry/--subjects (a registry's subjects), not both")
	}
	var set annotation.Set
	what := ""
	if registryMode {
		set, err = lintRegistry(cmd, f, args)
		what = "subject"
	} else {
		set, err = lintFiles(cmd, f, args)
		what = "schema file"
	}
	if err != nil {
		return err
	}
	if err := annotation.Print(out, format, set, annotation.Options{Color: color, Lint: true}); err != nil {
		return err
	}
	if n := len(set.Annotations); n > 0 {
		return &exitError{code: ExitViolations, err: fmt.Errorf("%s in %s linted", plural(n, "problem"), plural(len(set.Files), what))}
	}
	fmt.Fprintf(errw, "charter lint: %s linted, no problems\n", plural(len(set.Files), what))
	return nil
}

func listRules(cmd *cobra.Command) error {
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCATEGORIES\tFORMATS\tPURPOSE")
	for _, r := range lint.Rules() {
		var cats, fmts []string
		for _, c := range r.Categories {
			cats = append(cats, string(c))
		}
		for _, t := range r.Formats {
			fmts = append(fmts, string(t))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, strings.Join(cats, ","), strings.Join(fmts, ","), r.Purpose)
	}
	return tw.Flush()
}

func formatOf(t compat.Type) compat.Format {
	for _, f := range charter.Formats() {
		if f.Type() == t {
			return f
		}
	}
	return nil
}

// findingKey identifies a finding across versions of a file: positions
// and paths move when fields are added, rule and message do not.
func findingKey(x lint.Finding) string { return x.Rule + "\x00" + x.Message }

func lintFiles(cmd *cobra.Command, f lintFlags, args []string) (annotation.Set, error) {
	ctx := cmd.Context()
	var ref string
	if f.against != "" {
		r, ok := strings.CutPrefix(f.against, "git:")
		if !ok || strings.TrimSpace(r) == "" {
			return annotation.Set{}, usageErr("--against %q: use git:REF, for example git:origin/main or git:HEAD~1", f.against)
		}
		ref = r
	}
	if f.config == "" && ref == "" && len(args) > 0 && findConfigQuietly() == "" {
		return lintLoose(args)
	}
	cfgPath, cur, err := loadProject(cmd, f.config)
	if err != nil {
		return annotation.Set{}, err
	}
	cfg, root := cur.Config, filepath.Dir(cfgPath)
	files, err := selectFiles(cur, root, args)
	if err != nil {
		return annotation.Set{}, err
	}
	var old *project.Project
	if ref != "" {
		if old, err = project.Load(ctx, cfg, project.Git(root, ref)); err != nil {
			return annotation.Set{}, fmt.Errorf("read %s: %w", f.against, err)
		}
	}
	set := annotation.Set{Info: map[string]annotation.FileInfo{}}
	for _, file := range files {
		if file.Subject == "" {
			continue
		}
		entry := project.Entry{}
		if file.Entry >= 0 {
			entry = cfg.Schemas[file.Entry]
		}
		rules := cfg.LintConfig(entry).For(file.Path, file.Subject)
		if len(rules) == 0 {
			continue // ignored: not linted, not listed
		}
		set.Files = append(set.Files, file.Path)
		set.Info[file.Path] = annotation.FileInfo{Subject: file.Subject, Against: f.against}
		fm := formatOf(file.Type)
		s, perr := parseFile(fm, file.Type, file.Text, cur.Dependencies(file))
		if perr != nil {
			set.Annotations = append(set.Annotations, annotation.Annotation{File: file.Path, Line: perr.Line, Column: perr.Column,
				Rule: check.RuleInvalidSchema, Subject: file.Subject, Message: fmt.Sprintf("%s schema does not parse: %s", file.Type, perr.Message)})
			continue
		}
		event, _ := lint.ParseEvent(entry.Event)
		in := lint.Input{Schema: s, Type: file.Type, Subject: file.Subject, Event: event, Format: fm}
		known := map[string]int{}
		if old != nil {
			prev := old.File(file.Path)
			if prev == nil || prev.Subject == "" {
				prev = old.BySubject(file.Subject)
			}
			if prev != nil && prev.Type == file.Type {
				if ps, err := parseFile(fm, prev.Type, prev.Text, old.Dependencies(prev)); err == nil {
					in.Previous, in.PreviousSubject = ps, prev.Subject
					for _, x := range lint.Run(lint.Input{Schema: ps, Type: prev.Type, Subject: prev.Subject, Event: event, Format: fm}, rules) {
						known[findingKey(x)]++
					}
				}
			}
		}
		for _, x := range lint.Run(in, rules) {
			if k := findingKey(x); known[k] > 0 {
				known[k]--
				continue
			}
			a := annotation.Annotation{File: file.Path, Line: x.Line, Column: x.Column, Rule: x.Rule, Message: x.Message, Subject: file.Subject, Path: x.Path}
			if old != nil {
				a.Against = f.against
			}
			set.Annotations = append(set.Annotations, a)
		}
	}
	set.Sort()
	if prefix := repoPrefix(ctx, root); prefix != "" {
		set = prefixed(set, prefix)
	}
	return set, nil
}

func parseFile(fm compat.Format, t compat.Type, text string, deps []compat.Dependency) (compat.Schema, *compat.ParseError) {
	if fm == nil {
		return nil, &compat.ParseError{Message: fmt.Sprintf("no %s format is available", t)}
	}
	s, err := fm.Parse(text, deps)
	if err != nil {
		return nil, compat.AsParseError(err)
	}
	return s, nil
}

// lintRegistry lints the latest version of each subject, compared with
// the version before it. charter.yaml's lint section applies when one is
// found; without one every rule does.
func lintRegistry(cmd *cobra.Command, f lintFlags, subjects []string) (annotation.Set, error) {
	ctx := cmd.Context()
	c, err := f.registry.client()
	if err != nil {
		return annotation.Set{}, err
	}
	cfg := lint.Config{}
	path := f.config
	if path == "" {
		path = findConfigQuietly()
	}
	if path != "" {
		pc, err := project.LoadConfig(path)
		if err != nil {
			return annotation.Set{}, withCode(ExitUsage, err)
		}
		cfg = pc.Lint
	}
	if len(subjects) == 0 {
		if subjects, err = c.Subjects(ctx, "", false); err != nil {
			return annotation.Set{}, fmt.Errorf("list subjects: %w", err)
		}
	}
	reg := check.NewRegistry(c)
	set := annotation.Set{Info: map[string]annotation.FileInfo{}}
	for _, subject := range subjects {
		if len(cfg.For(subject)) == 0 {
			continue // ignored by charter.yaml
		}
		set.Files = append(set.Files, subject)
		set.Info[subject] = annotation.FileInfo{Subject: subject, Against: c.URL()}
		anns, err := lintSubject(ctx, reg, cfg, subject)
		if err != nil {
			return set, err
		}
		set.Annotations = append(set.Annotations, anns...)
	}
	set.Sort()
	return set, nil
}

func lintSubject(ctx context.Context, reg *check.Registry, cfg lint.Config, subject string) ([]annotation.Annotation, error) {
	latest, err := reg.Fetch(ctx, subject, "latest")
	if err != nil {
		return nil, err
	}
	fm := formatOf(latest.Type)
	s, perr := parseFile(fm, latest.Type, latest.Text, latest.Deps)
	if perr != nil {
		return []annotation.Annotation{{File: subject, Rule: check.RuleInvalidSchema, Subject: subject,
			Message: fmt.Sprintf("%s of %s does not parse: %s", latest.Label, subject, perr.Message)}}, nil
	}
	in := lint.Input{Schema: s, Type: latest.Type, Subject: subject, Format: fm}
	against := ""
	if versions, err := reg.Client.Versions(ctx, subject); err == nil {
		if i := slices.Index(versions, latest.Version); i > 0 {
			if prev, err := reg.Fetch(ctx, subject, strconv.Itoa(versions[i-1])); err == nil && prev.Type == latest.Type {
				if ps, perr := parseFile(fm, prev.Type, prev.Text, prev.Deps); perr == nil {
					in.Previous, in.PreviousSubject = ps, subject
					against = prev.Label
				}
			}
		}
	}
	var out []annotation.Annotation
	for _, x := range lint.Run(in, cfg.For(subject)) {
		out = append(out, annotation.Annotation{File: subject, Line: x.Line, Column: x.Column, Rule: x.Rule, Message: x.Message,
			Subject: subject, Path: x.Path, Against: against})
	}
	return out, nil
}

// findConfigQuietly finds charter.yaml from the working directory, or
// returns "" when there is none.
func findConfigQuietly() string {
	p, err := project.FindConfig(".")
	if err != nil {
		return ""
	}
	return p
}

// lintLoose lints files named on the command line when there is no
// charter.yaml: each alone, its format from its extension, with every
// rule. References to other files do not resolve, so a file that needs
// them is reported as not parsing.
func lintLoose(args []string) (annotation.Set, error) {
	set := annotation.Set{Info: map[string]annotation.FileInfo{}}
	rules := lint.Rules()
	for _, name := range args {
		typ, ok := project.TypeOf(name)
		if !ok {
			return set, usageErr("%s: cannot tell the format from the extension (%s); without charter.yaml only such files can be linted", name, project.Extensions())
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return set, err
		}
		file := filepath.ToSlash(name)
		set.Files = append(set.Files, file)
		fm := formatOf(typ)
		s, perr := parseFile(fm, typ, string(b), nil)
		if perr != nil {
			set.Annotations = append(set.Annotations, annotation.Annotation{File: file, Line: perr.Line, Column: perr.Column,
				Rule: check.RuleInvalidSchema, Message: fmt.Sprintf("%s schema does not parse: %s", typ, perr.Message)})
			continue
		}
		for _, x := range lint.Run(lint.Input{Schema: s, Type: typ, Format: fm}, rules) {
			set.Annotations = append(set.Annotations, annotation.Annotation{File: file, Line: x.Line, Column: x.Column, Rule: x.Rule, Message: x.Message, Path: x.Path})
		}
	}
	set.Sort()
	return set, nil
}
