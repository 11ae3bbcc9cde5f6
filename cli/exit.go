package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Exit codes of the command-line tools, beyond 0 (success) and 1 (an
// input, file or network error).
const (
	// ExitUsage is a wrong flag, argument or charter.yaml.
	ExitUsage = 2
	// ExitViolations means annotations were printed: incompatible
	// changes or schemas that do not parse. It is buf's code for the same.
	ExitViolations = 100
)

// exitError carries an exit code to Execute.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is what Execute returns for this error.
func (e *exitError) ExitCode() int { return e.code }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageArgs wraps a cobra argument validator so that a wrong number of
// arguments exits with ExitUsage.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return withCode(ExitUsage, v(cmd, args))
	}
}

// flagUsageErrors makes bad flags exit with ExitUsage.
func flagUsageErrors(cmd *cobra.Command) {
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return withCode(ExitUsage, err)
	})
}
