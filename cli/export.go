package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli/dump"
)

type exportFlags struct {
	overwrite bool
	registry  registryFlags
}

func newExportCommand() *cobra.Command {
	f := exportFlags{}
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Dump every subject, version, id, config and mode of a registry into a directory",
		Long: `Dump a whole registry into DIR: every subject (soft-deleted ones too), every
version with its global id, references, metadata and rule set, the global and
per-subject compatibility configs, and the global and per-subject modes.

DIR gets registry.json (global config, mode and the subject list) and one
JSON file per subject under subjects/, readable and diffable. Restore it
into another registry, with the same ids, with charter import. The source
can be charter or any Confluent-compatible registry.`,
		Example: `  charter export ./backup --registry https://old-registry.example.com
  charter export ./backup --overwrite     # refresh an earlier export`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.registry.client()
			if err != nil {
				return err
			}
			r, err := dump.Export(cmd.Context(), c)
			if err != nil {
				return fmt.Errorf("export from %s: %w", c.URL(), err)
			}
			if err := dump.Write(args[0], r, f.overwrite); err != nil {
				return err
			}
			versions := 0
			for _, s := range r.Subjects {
				versions += len(s.Versions)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported %s and %s from %s to %s\n", plural(len(r.Subjects), "subject"), plural(versions, "version"), c.URL(), args[0])
			return err
		},
	}
	flagUsageErrors(cmd)
	cmd.Flags().BoolVar(&f.overwrite, "overwrite", false, "replace an earlier export in DIR")
	f.registry.bind(cmd.Flags())
	return cmd
}
