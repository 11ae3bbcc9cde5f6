package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli/project"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

type registerFlags struct {
	config    string
	output    string
	normalize bool
	change    changeFlags
	registry  registryFlags
}

func newRegisterCommand() *cobra.Command {
	f := registerFlags{}
	cmd := &cobra.Command{
		Use:   "register [FILE...]",
		Short: "Register the schema files charter.yaml maps, typically on merge",
		Long: `Register every schema file that charter.yaml maps to a subject (or only the
files named), so that the registry holds what the main branch holds.

Registering is idempotent: a schema a subject already holds keeps its version
and id, so running register on every merge only adds what changed. Files that
others import or refer to are registered first, and the references are sent
with each schema, so the registry resolves them as charter check did. A file
that is referred to must itself be mapped to a subject in charter.yaml.

The registry still enforces each subject's compatibility level: an
incompatible schema is refused and register exits non-zero. Run charter
check in pull requests to find out before the merge.

Prints the subject, version and id of each file.`,
		Example: `  # on merge to main
  charter register --registry https://registry.example.com

  # one file, JSON output
  CHARTER_REGISTRY_URL=http://localhost:8081 charter register schemas/orders.avsc --output json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegister(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "path of charter.yaml (default: found in the current directory or a parent)")
	fs.StringVar(&f.output, "output", "text", "output: text or json")
	fs.BoolVar(&f.normalize, "normalize", false, "ask the registry to normalize each schema before storing it")
	f.change.bind(fs, "these schemas are registered")
	f.registry.bind(fs)
	return cmd
}

// registered is one line of register's output.
type registered struct {
	File    string `json:"file"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
}

func runRegister(cmd *cobra.Command, f registerFlags, args []string) error {
	ctx := cmd.Context()
	if err := checkOutput(f.output); err != nil {
		return err
	}
	ch, err := f.change.resolve(os.Getenv)
	if err != nil {
		return err
	}
	c, err := f.registry.client(ch.opt())
	if err != nil {
		return err
	}
	cfgPath, p, err := loadProject(cmd, f.config)
	if err != nil {
		return err
	}
	root := filepath.Dir(cfgPath)
	chosen, err := selectFiles(p, root, args)
	if err != nil {
		return err
	}
	// Register what the chosen files need first, in dependency order.
	want := map[string]bool{}
	for _, c := range chosen {
		want[c.Path] = true
		for _, d := range p.Closure(c) {
			if d.Subject == "" {
				return withCode(ExitUsage, fmt.Errorf("%s refers to %s, which charter.yaml does not map to a subject; add an entry for it so that it can be registered as a reference", c.Path, d.Path))
			}
			want[d.Path] = true
		}
	}
	done := map[string]*confluent.Schema{}
	var out []registered
	for _, file := range p.Ordered() {
		if !want[file.Path] {
			continue
		}
		// The client leaves schemaType out where Confluent does.
		req := confluent.Schema{Schema: file.Text, SchemaType: file.Type}
		for _, r := range file.Refs {
			dep := done[r.Path]
			req.References = append(req.References, confluent.Reference{Name: r.Name, Subject: dep.Subject, Version: dep.Version})
		}
		s, err := register(ctx, c, file.Subject, req, f.normalize)
		if err != nil {
			return fmt.Errorf("register %s as %s: %w", file.Path, file.Subject, err)
		}
		done[file.Path] = s
		out = append(out, registered{File: file.Path, Subject: file.Subject, Version: s.Version, ID: s.ID})
	}
	if ch.reason != "" || ch.link != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "charter register: recorded with reason %q and link %q\n", ch.reason, ch.link)
	}
	w := cmd.OutOrStdout()
	if f.output == "json" {
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tVERSION\tID\tFILE")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", r.Subject, r.Version, r.ID, r.File)
	}
	return tw.Flush()
}

// loadProject finds and loads charter.yaml and the working tree's files.
func loadProject(cmd *cobra.Command, cfgPath string) (string, *project.Project, error) {
	if cfgPath == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", nil, err
		}
		if cfgPath, err = project.FindConfig(wd); err != nil {
			return "", nil, withCode(ExitUsage, err)
		}
	}
	cfg, err := project.LoadConfig(cfgPath)
	if err != nil {
		return "", nil, withCode(ExitUsage, err)
	}
	p, err := project.Load(cmd.Context(), cfg, project.Dir(filepath.Dir(cfgPath)))
	if err != nil {
		return "", nil, withCode(ExitUsage, err)
	}
	if len(p.Unmatched) > 0 {
		var msgs []string
		for _, i := range p.Unmatched {
			msgs = append(msgs, fmt.Sprintf("schemas[%d] (path %s) matches no file", i, cfg.Schemas[i].Path))
		}
		return "", nil, usageErr("%s: %s", cfgPath, strings.Join(msgs, "; "))
	}
	return cfgPath, p, nil
}

func checkOutput(o string) error {
	if o != "text" && o != "json" {
		return usageErr("--output %q: use text or json", o)
	}
	return nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// register registers s under subject. Some registries answer with the id
// only; the version is then looked up.
func register(ctx context.Context, c *client.Client, subject string, s confluent.Schema, normalize bool) (*confluent.Schema, error) {
	got, err := c.Register(ctx, subject, s, normalize)
	if err != nil || got.Version != 0 {
		return got, err
	}
	found, err := c.Lookup(ctx, subject, s, normalize)
	if err != nil {
		return nil, err
	}
	out := *got
	out.Version = found.Version
	if out.ID == 0 {
		out.ID = found.ID
	}
	return &out, nil
}
