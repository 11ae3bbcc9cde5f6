package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// NewRootCommand returns the charter command with every subcommand.
func NewRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "charter",
		Short: "A schema registry and data-contract service for Kafka",
		Long: `charter stores Avro, Protobuf and JSON Schema schemas, speaks the Confluent
Schema Registry API so existing clients work unchanged, and enforces
compatibility on every registration.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every flag that has an environment variable is filled from it
		// here, before any command runs, so that no command can forget.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return applyEnv(cmd) },
	}
	root.AddCommand(newServeCommand())
	root.AddCommand(newAuthCommand())
	root.AddCommand(newDLQCommand())
	root.AddCommand(newRepairCommand())
	root.AddCommand(newCheckCommand(), newLintCommand(), newRegisterCommand(), newDiffCommand(), newGetCommand(),
		newSubjectsCommand(), newConfigCommand(), newExportCommand(), newImportCommand())
	return root
}

// Execute runs the root command and returns the process exit code.
func Execute() int {
	root := NewRootCommand()
	if err := root.Execute(); err != nil {
		var ec interface{ ExitCode() int }
		fmt.Fprintln(os.Stderr, "charter:", errorText(err))
		if asExit(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}

func asExit(err error, target *interface{ ExitCode() int }) bool {
	for err != nil {
		if e, ok := err.(interface{ ExitCode() int }); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
