package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

type subjectsFlags struct {
	output   string
	prefix   string
	deleted  bool
	registry registryFlags
}

func newSubjectsCommand() *cobra.Command {
	f := subjectsFlags{}
	cmd := &cobra.Command{
		Use:   "subjects",
		Short: "List the registry's subjects",
		Long:  `List the subjects of a registry, one per line, or as a JSON array with --output json.`,
		Example: `  charter subjects --registry http://localhost:8081
  charter subjects --prefix orders --output json
  charter subjects --deleted`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(f.output); err != nil {
				return err
			}
			c, err := f.registry.client()
			if err != nil {
				return err
			}
			subjects, err := c.Subjects(cmd.Context(), f.prefix, f.deleted)
			if err != nil {
				return err
			}
			if subjects == nil {
				subjects = []string{}
			}
			w := cmd.OutOrStdout()
			if f.output == "json" {
				return writeJSON(w, subjects)
			}
			for _, s := range subjects {
				if _, err := fmt.Fprintln(w, s); err != nil {
					return err
				}
			}
			return nil
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.output, "output", "text", "output: text or json")
	fs.StringVar(&f.prefix, "prefix", "", "only subjects that start with this prefix")
	fs.BoolVar(&f.deleted, "deleted", false, "include soft-deleted subjects")
	f.registry.bind(fs)
	return cmd
}
