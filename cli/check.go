package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/cli/annotation"
	"github.com/charter-registry/charter/cli/check"
	"github.com/charter-registry/charter/cli/project"
)

type checkFlags struct {
	config    string
	against   string
	format    string
	color     string
	parseOnly bool
	registry  registryFlags
}

func newCheckCommand() *cobra.Command {
	f := checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [FILE...]",
		Short: "Check schema files for breaking changes, against a git ref or a registry",
		Long: `Check the schema files of a repository for changes that would break
producers or consumers, and report each one on the file and line that broke.

charter check reads charter.yaml, which says which files are schemas and
which registry subject each belongs to. It looks for charter.yaml in the
current directory and its parents (up to the git root); --config names it.

  compatibility: BACKWARD           # level for --against checks (default BACKWARD)
  importPaths: [proto]              # optional: where Protobuf imports are found
  schemas:
    - path: schemas/orders.avsc     # a file or a glob (*, ?, and ** for any depth)
      subject: orders-value
    - path: proto/*.proto
      subject: "{name}-value"       # {name} = file name without its extension
      format: PROTOBUF              # optional; otherwise taken from the extension
    - path: json/**/*.schema.json
      topic: payments               # subject defaults to {topic}-value
      compatibility: FULL           # optional: this entry's level

The format follows the extension: .avsc is Avro, .proto is Protobuf, .json
(and .schema.json) is JSON Schema. A Protobuf import, an Avro type defined in
another .avsc, or a JSON Schema "$ref" to another file is resolved from the
repository, as the registry resolves references.

What each file is compared with:
  --against git:REF   the files at a git revision (e.g. git:origin/main), at
                      the level in charter.yaml; no registry needed. In CI,
                      fetch the base branch first.
  --registry URL      the subject's registered versions, at the level the
                      registry has configured for the subject (its own or the
                      global one). Transitive levels check every version.
  --parse-only        every file is parsed, and references resolved, only.
  With none of these, charter check fails with exit status 2: a check that
  compares with nothing must be asked for.

A file that does not parse is reported as an INVALID_SCHEMA annotation on
that file, and so is one the registry would refuse as a new schema: an Avro
field default that does not fit its type, unless the registry's config for
the subject sets validateNewSchemas false or the subject already holds the
schema. A file whose subject has nothing to compare with (not registered,
or not at the git revision) passes with a NEW_SUBJECT note, in every format.
Changes that break nothing (a field added with a default, say) are listed as
notes too, with their rule ids, so a review sees every change; notes never
fail the check.

Exit status:
  0    no violations
  100  violations or unparsable schemas were reported
  1    an error reading files, running git or reaching the registry
  2    a wrong flag, argument or charter.yaml, or nothing to check against

Output (--format): text (for people; coloured only on a terminal), json (an
array of annotations), github-actions (annotations on the pull request's
lines), junit (a JUnit XML report), markdown (a summary table for a pull
request comment: file, subject, level, verdict and each change),
gitlab-code-quality (GitLab's Code Quality report). Each annotation has the
file, line, column, rule id, message, subject and level; files are named
from the git repository's root (from charter.yaml's directory outside git).`,
		Example: `  # in a pull request: compare with the base branch, no registry needed
  charter check --against git:origin/main

  # compare with what is registered, at each subject's configured level
  CHARTER_REGISTRY_URL=https://registry.example.com charter check

  # annotate a GitHub pull request
  charter check --against git:origin/${GITHUB_BASE_REF} --format github-actions

  # only some files, JSON output
  charter check --against git:HEAD~1 --format json schemas/orders.avsc`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "path of charter.yaml (default: found in the current directory or a parent)")
	fs.StringVar(&f.against, "against", "", "compare with the files at a git revision: git:REF, e.g. git:origin/main or git:HEAD~1")
	fs.StringVar(&f.format, "format", "text", "output format: "+annotation.FormatNames())
	fs.BoolVar(&f.parseOnly, "parse-only", false, "only parse the files and resolve their references; compare with nothing")
	fs.StringVar(&f.color, "color", "auto", "colour text output: auto (only on a terminal), always or never")
	f.registry.bind(fs)
	return cmd
}

func runCheck(cmd *cobra.Command, f checkFlags, args []string) error {
	ctx := cmd.Context()
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	format, err := annotation.ParseFormat(f.format)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	color, err := useColor(f.color, out)
	if err != nil {
		return err
	}
	registryGiven := cmd.Flags().Changed("registry")
	if f.against != "" && registryGiven {
		return usageErr("give either --against or --registry, not both")
	}
	switch {
	case f.parseOnly && (f.against != "" || registryGiven):
		return usageErr("--parse-only compares with nothing: drop --against and --registry, or drop --parse-only")
	case f.against != "":
		// A registry in the environment (set for the whole job, say) does
		// not count against an explicit --against.
		f.registry.url = ""
	case f.parseOnly:
		f.registry.url = ""
	}
	var ref string
	if f.against != "" {
		r, ok := strings.CutPrefix(f.against, "git:")
		if !ok || strings.TrimSpace(r) == "" {
			return usageErr("--against %q: use git:REF, for example git:origin/main or git:HEAD~1", f.against)
		}
		ref = r
	}

	cfgPath, cur, err := loadProject(cmd, f.config)
	if err != nil {
		return err
	}
	cfg, root := cur.Config, filepath.Dir(cfgPath)
	files, err := selectFiles(cur, root, args)
	if err != nil {
		return err
	}
	if ref == "" && !f.parseOnly && f.registry.url == "" {
		// Checking against nothing would pass every breaking change.
		return usageErr("nothing to check against: pass --against git:REF (e.g. git:origin/main), or --registry URL (or set %s) to compare with the registered versions, or --parse-only to only parse the files", envRegistryURL)
	}

	checker := &check.Checker{
		Formats: charter.Formats(),
		Warn:    func(msg string) { fmt.Fprintln(errw, "warning:", msg) },
	}
	against := "nothing (parse only)"
	switch {
	case ref != "":
		old, err := project.Load(ctx, cfg, project.Git(root, ref))
		if err != nil {
			return fmt.Errorf("read %s: %w", f.against, err)
		}
		checker.Baseline = check.Git{Old: old}
		against = f.against
		checker.Against = against
	case f.registry.url != "":
		c, err := f.registry.client()
		if err != nil {
			return err
		}
		checker.Baseline = check.NewRegistry(c)
		against = c.URL()
		checker.Against = against
	}
	set, err := checker.Check(ctx, cur, files)
	if err != nil {
		return err
	}
	if prefix := repoPrefix(ctx, root); prefix != "" {
		set = prefixed(set, prefix)
	}
	if err := annotation.Print(out, format, set, annotation.Options{Color: color}); err != nil {
		return err
	}
	if n := set.Failures(); n > 0 {
		return &exitError{code: ExitViolations, err: fmt.Errorf("%s in %s checked against %s", plural(n, "problem"), plural(len(set.Files), "schema file"), against)}
	}
	notes := ""
	newSubjects, compatible := 0, 0
	for _, a := range set.Annotations {
		if a.Rule == annotation.RuleNewSubject {
			newSubjects++
		} else {
			compatible++
		}
	}
	switch {
	case newSubjects > 0 && compatible > 0:
		notes = fmt.Sprintf(" (%s, %s)", plural(newSubjects, "new subject"), plural(compatible, "compatible change"))
	case newSubjects > 0:
		notes = " (" + plural(newSubjects, "new subject") + ")"
	case compatible > 0:
		notes = " (" + plural(compatible, "compatible change") + ")"
	}
	fmt.Fprintf(errw, "charter check: %s checked against %s, no problems%s\n", plural(len(set.Files), "schema file"), against, notes)
	return nil
}

// selectFiles narrows the project to the files named on the command line,
// which may be given relative to the current directory.
func selectFiles(p *project.Project, root string, args []string) ([]*project.File, error) {
	if len(args) == 0 {
		return p.Files, nil
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var out []*project.File
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(absRoot, abs)
		if err != nil {
			return nil, err
		}
		f := p.File(filepath.ToSlash(rel))
		if f == nil || f.Subject == "" {
			return nil, usageErr("%s is not a schema file that charter.yaml maps to a subject", a)
		}
		out = append(out, f)
	}
	return out, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// useColor decides whether text output is coloured: "auto" colours only a
// terminal, and NO_COLOR turns auto off.
func useColor(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if _, ok := os.LookupEnv("NO_COLOR"); ok {
			return false, nil
		}
		return isTerminal(w), nil
	}
	return false, usageErr("--color %q: use auto, always or never", mode)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

// repoPrefix is the path from the git repository's root to root, with a
// trailing slash, or "" when root is the repository's root or not in one.
// Annotations name files from the repository's root, which is what GitHub
// and most CI tools expect.
func repoPrefix(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func prefixed(set annotation.Set, prefix string) annotation.Set {
	out := annotation.Set{Files: make([]string, len(set.Files)), Annotations: make([]annotation.Annotation, len(set.Annotations)),
		Info: make(map[string]annotation.FileInfo, len(set.Info))}
	for i, f := range set.Files {
		out.Files[i] = prefix + f
	}
	for f, info := range set.Info {
		out.Info[prefix+f] = info
	}
	for i, a := range set.Annotations {
		a.File = prefix + a.File
		out.Annotations[i] = a
	}
	return out
}
