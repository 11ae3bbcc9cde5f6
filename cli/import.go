package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli/dump"
)

type importFlags struct {
	verbose  bool
	change   changeFlags
	registry registryFlags
}

func newImportCommand() *cobra.Command {
	f := importFlags{}
	cmd := &cobra.Command{
		Use:   "import DIR",
		Short: "Restore an export into a registry with the same ids and versions",
		Long: `Restore a directory written by charter export into a registry, keeping every
schema's global id and every subject's version numbers, so that serialized
data keeps resolving. This is how a team moves from another
Confluent-compatible registry to charter.

Import switches the target to IMPORT mode (forced, so it also works on a
registry that already holds schemas), registers every version with its id
and version (referenced schemas first), soft-deletes what was soft-deleted,
restores the global and per-subject configs and modes, and sets the global
mode back to the exported one.

A version the target already holds with the same id is skipped, so an
interrupted import can be run again. If the target holds a different schema
under an exported id, import stops there and leaves the target in IMPORT mode.`,
		Example: `  charter export ./backup --registry https://old-registry.example.com
  charter import ./backup --registry http://charter.internal:8081`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := dump.Read(args[0])
			if err != nil {
				return withCode(ExitUsage, err)
			}
			ch, err := f.change.resolve(os.Getenv)
			if err != nil {
				return err
			}
			c, err := f.registry.client(ch.opt())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			var progress func(string, int, int)
			if f.verbose {
				progress = func(subject string, version, id int) {
					fmt.Fprintf(w, "%s version %d id %d\n", subject, version, id)
				}
			}
			rep, err := dump.Import(cmd.Context(), c, r, progress)
			if err != nil {
				return fmt.Errorf("import into %s: %w", c.URL(), err)
			}
			_, err = fmt.Fprintf(w, "imported %s (%d soft-deleted), %s and %s into %s\n",
				plural(rep.Versions, "version"), rep.Deleted, plural(rep.Configs, "config"), plural(rep.Modes, "subject mode"), c.URL())
			return err
		},
	}
	flagUsageErrors(cmd)
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "print each version as it is imported")
	f.change.bind(cmd.Flags(), "the registry is imported into")
	f.registry.bind(cmd.Flags())
	return cmd
}
