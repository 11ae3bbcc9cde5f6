package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/cli/check"
	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/compat"
)

type diffFlags struct {
	output      string
	schemaType  string
	importPaths []string
	lenient     bool
	level       string
	registry    registryFlags
}

func newDiffCommand() *cobra.Command {
	f := diffFlags{}
	cmd := &cobra.Command{
		Use:   "diff (SUBJECT V1 V2 | OLD_FILE NEW_FILE)",
		Short: "List the semantic changes between two schemas, each compatible or breaking",
		Long: `List the semantic changes between two versions of a subject in the registry,
or between two schema files, with the rule id of each and whether it keeps
compatibility.

Each change is marked at the compatibility level in force (--level; by
default the subject's configured level, or BACKWARD for files):
  compatible         the level allows it (a change that breaks a direction
                     the level does not check says so in its message)
  breaking           new readers cannot read old data (breaks BACKWARD,
                     FULL and their transitive forms)
  breaking-forward   old readers cannot read new data (breaks FORWARD,
                     FULL and their transitive forms)

With files, the format follows the extension (.avsc, .proto, .json) unless
--type says otherwise, and imports and $refs are resolved from the files'
directories and --import-path. V1 and V2 are version numbers or "latest".
Every change is listed, compatible ones too: for Avro, a field added with
a default, a field removed, a doc or alias change, an enum symbol added or
a type promotion, each with its rule id (FIELD_ADDED_WITH_DEFAULT, ...).
The exit status is 0 whatever the changes are; use charter check to gate.`,
		Example: `  charter diff orders-value 3 latest --registry http://localhost:8081
  charter diff old/orders.avsc schemas/orders.avsc
  charter diff a.proto b.proto --import-path proto --output json`,
		Args: usageArgs(cobra.RangeArgs(2, 3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.output, "output", "text", "output: text or json")
	fs.StringVar(&f.schemaType, "type", "", "format of both files: AVRO, PROTOBUF or JSON (default: from the extension)")
	fs.StringSliceVarP(&f.importPaths, "import-path", "I", nil, "directory, relative to the current one, where Protobuf imports and Avro types are found (repeatable)")
	fs.BoolVar(&f.lenient, "lenient", false, "use Confluent's LENIENT policy for JSON Schema (ignore closed/open content model changes)")
	fs.StringVar(&f.level, "level", "", "compatibility level to judge each change at (default: the subject's configured level; BACKWARD for files)")
	f.registry.bind(fs)
	return cmd
}

// side is one of the two schemas being compared.
type side struct {
	label string
	typ   compat.Type
	text  string
	deps  []compat.Dependency
}

func runDiff(cmd *cobra.Command, f diffFlags, args []string) error {
	ctx := cmd.Context()
	if err := checkOutput(f.output); err != nil {
		return err
	}
	var a, b side
	var err error
	var level compat.Level
	if f.level != "" {
		if level, err = compat.ParseLevel(f.level); err != nil {
			return usageErr("--level: %v", err)
		}
	}
	opts := compat.Options{Lenient: f.lenient}
	if len(args) == 2 {
		if level == "" {
			level = compat.Backward
		}
		if a, err = fileSide(ctx, args[0], f); err != nil {
			return err
		}
		if b, err = fileSide(ctx, args[1], f); err != nil {
			return err
		}
	} else {
		c, err := f.registry.client()
		if err != nil {
			return err
		}
		reg := check.NewRegistry(c)
		if level == "" {
			lvl, o, err := reg.Level(ctx, args[0])
			if err != nil {
				return err
			}
			level = lvl
			opts.Lenient = opts.Lenient || o.Lenient
		}
		for i, v := range args[1:] {
			s, err := reg.Fetch(ctx, args[0], v)
			if err != nil {
				return err
			}
			sd := side{label: fmt.Sprintf("%s version %d", args[0], s.Version), typ: s.Type, text: s.Text, deps: s.Deps}
			if i == 0 {
				a = sd
			} else {
				b = sd
			}
		}
	}
	if a.typ != b.typ {
		return fmt.Errorf("%s is %s and %s is %s: schemas of different formats cannot be compared", a.label, a.typ, b.label, b.typ)
	}
	var fm compat.Format
	for _, x := range charter.Formats() {
		if x.Type() == a.typ {
			fm = x
		}
	}
	if fm == nil {
		return fmt.Errorf("no format for %s", a.typ)
	}
	pa, err := fm.Parse(a.text, a.deps)
	if err != nil {
		return withCode(ExitViolations, fmt.Errorf("%s does not parse: %s", a.label, compat.AsParseError(err).Message))
	}
	pb, err := fm.Parse(b.text, b.deps)
	if err != nil {
		return withCode(ExitViolations, fmt.Errorf("%s does not parse: %s", b.label, compat.AsParseError(err).Message))
	}
	changes := check.Diff(fm, pa, pb, opts)
	return printDiff(cmd.OutOrStdout(), f.output, a.label, b.label, level, changes)
}

// fileSide reads one schema file and resolves its references from the
// files around it.
func fileSide(ctx context.Context, name string, f diffFlags) (side, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return side{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return side{}, withCode(ExitUsage, fmt.Errorf("%s: %w (give SUBJECT V1 V2 to compare registered versions)", name, err))
	}
	wd, err := os.Getwd()
	if err != nil {
		return side{}, err
	}
	// Resolve from the current directory when the file is under it, so
	// that --import-path means what it says; otherwise from the file's
	// own directory.
	root := wd
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		root, rel = filepath.Dir(abs), filepath.Base(abs)
	}
	rel = filepath.ToSlash(rel)
	entry := project.Entry{Path: rel, Subject: "diff", Format: f.schemaType}
	if entry.Format == "" {
		if _, ok := project.TypeOf(rel); !ok {
			return side{}, usageErr("%s: cannot tell the format from the extension; pass --type %s", name, project.TypeNames())
		}
	}
	cfg := &project.Config{Schemas: []project.Entry{entry}, ImportPaths: f.importPaths}
	if err := cfg.Validate(); err != nil {
		return side{}, withCode(ExitUsage, err)
	}
	p, err := project.Load(ctx, cfg, project.Dir(root))
	if err != nil {
		return side{}, err
	}
	file := p.File(rel)
	if file == nil {
		return side{}, fmt.Errorf("%s: not readable", name)
	}
	return side{label: name, typ: file.Type, text: file.Text, deps: p.Dependencies(file)}, nil
}

func printDiff(w io.Writer, output, from, to string, level compat.Level, changes []check.Change) error {
	type row struct {
		Status string `json:"status"`
		// Unchecked names the direction a change breaks when the level
		// does not check it, so it passes.
		Unchecked string `json:"unchecked,omitempty"`
		check.Change
	}
	rows := make([]row, 0, len(changes))
	for _, c := range changes {
		r := row{Status: "compatible", Change: c}
		switch {
		case c.Compatible:
		case c.Direction == "FORWARD" && level.ChecksForward():
			r.Status = "breaking-forward"
		case c.Direction != "FORWARD" && level.ChecksBackward():
			r.Status = "breaking"
		case c.Direction == "FORWARD":
			r.Unchecked = "FORWARD"
		default:
			r.Unchecked = "BACKWARD"
		}
		rows = append(rows, r)
	}
	if output == "json" {
		return writeJSON(w, map[string]any{"from": from, "to": to, "level": level, "changes": rows})
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(w, "no semantic changes from %s to %s\n", from, to)
		return err
	}
	fmt.Fprintf(w, "changes from %s to %s, at %s:\n", from, to, level)
	for i := range rows {
		if rows[i].Unchecked != "" {
			rows[i].Message = fmt.Sprintf("(breaks %s, which %s does not check) %s", rows[i].Unchecked, level, rows[i].Message)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tRULE\tPATH\tLINE\tMESSAGE")
	for _, r := range rows {
		pos := "-"
		if r.Line > 0 {
			pos = fmt.Sprintf("%d:%d", r.Line, r.Column)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Status, r.Rule, r.Path, pos, strings.Join(strings.Fields(r.Message), " "))
	}
	return tw.Flush()
}
