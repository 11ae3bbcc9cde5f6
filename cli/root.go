package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	}
	root.AddCommand(newServeCommand())
	root.AddCommand(newAuthCommand())
	root.AddCommand(newDLQCommand())
	root.AddCommand(newCheckCommand(), newRegisterCommand(), newDiffCommand(), newGetCommand(),
		newSubjectsCommand(), newConfigCommand(), newExportCommand(), newImportCommand())
	return root
}

// Execute runs the root command and returns the process exit code.
func Execute() int {
	root := NewRootCommand()
	if err := root.Execute(); err != nil {
		var ec interface{ ExitCode() int }
		fmt.Fprintln(os.Stderr, "charter:", err)
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

// envName maps a flag name to its environment variable: --data-dir reads
// CHARTER_DATA_DIR.
func envName(flag string) string {
	return "CHARTER_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv fills every flag the command line did not set from its CHARTER_*
// environment variable, and names the variable in the flag's help.
func bindEnv(fs *pflag.FlagSet) error {
	var errs []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed {
			return
		}
		v, ok := os.LookupEnv(envName(f.Name))
		if !ok {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", envName(f.Name), v, err))
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("invalid environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

func annotateEnv(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		f.Usage += fmt.Sprintf(" [$%s]", envName(f.Name))
	})
}
