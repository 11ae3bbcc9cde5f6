package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envAnnotation marks a flag with the environment variable it reads.
const envAnnotation = "charter_env"

// envName maps a flag name to its environment variable: --data-dir reads
// CHARTER_DATA_DIR.
func envName(flag string) string {
	return "CHARTER_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// withEnv makes flag read the environment variable env when the command
// line does not set it, and names the variable in the flag's help. It is
// the only way a flag gets an environment variable: the root command's
// pre-run hook (applyEnv) fills every flag so marked before any command
// runs, so no command can forget to read its variables.
func withEnv(fs *pflag.FlagSet, flag, env string) {
	f := fs.Lookup(flag)
	if f == nil {
		panic("withEnv: no flag --" + flag)
	}
	if f.Annotations == nil {
		f.Annotations = map[string][]string{}
	}
	f.Annotations[envAnnotation] = []string{env}
	f.Usage += " [$" + env + "]"
}

// annotateEnv gives every flag of fs its CHARTER_* variable (envName).
func annotateEnv(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[envAnnotation]; !ok {
			withEnv(fs, f.Name, envName(f.Name))
		}
	})
}

// flagEnv returns the variable a flag reads, or "".
func flagEnv(f *pflag.Flag) string {
	if v := f.Annotations[envAnnotation]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// applyEnv fills every flag of cmd that the command line did not set from
// its environment variable; an empty variable counts as unset. The flag
// stays "not changed", so a command can still tell a flag the user typed
// from a value the environment supplied.
func applyEnv(cmd *cobra.Command) error {
	var errs []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		env := flagEnv(f)
		if env == "" || f.Changed {
			return
		}
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
		}
	})
	if len(errs) > 0 {
		return usageErr("invalid environment: %s", strings.Join(errs, "; "))
	}
	return nil
}
