package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sample values an environment variable may hold, by flag type.
var envSamples = map[string]string{
	"string": "from-env", "bool": "true", "duration": "7s", "int": "7", "int64": "7",
	"stringSlice": "a,b", "float64": "0.5", "uint": "7",
}

// cliSamples are values given on the command line, unlike envSamples.
var cliSamples = map[string]string{
	"string": "from-cli", "bool": "false", "duration": "3s", "int": "3", "int64": "3",
	"stringSlice": "c", "float64": "0.25", "uint": "3",
}

// TestEveryMarkedFlagReadsItsVariable walks every command: each flag that
// names a variable in its help is filled from it by the root's pre-run
// hook, and a flag given on the command line keeps its value.
func TestEveryMarkedFlagReadsItsVariable(t *testing.T) {
	root := NewRootCommand()
	if root.PersistentPreRunE == nil {
		t.Fatal("the root command has no pre-run hook to read the environment")
	}
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		if c.PersistentPreRunE != nil && c != root {
			t.Errorf("%s has its own pre-run hook, which would keep the root's from reading the environment", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			env := flagEnv(f)
			if env == "" {
				return
			}
			seen++
			val, ok := envSamples[f.Value.Type()]
			if !ok {
				t.Errorf("%s --%s: no sample for type %s", c.CommandPath(), f.Name, f.Value.Type())
				return
			}
			t.Run(c.CommandPath()+" --"+f.Name, func(t *testing.T) {
				fresh, _, err := NewRootCommand().Find(splitPath(c))
				if err != nil {
					t.Fatal(err)
				}
				t.Setenv(env, val)
				if err := applyEnv(fresh); err != nil {
					t.Fatal(err)
				}
				got := fresh.Flags().Lookup(f.Name).Value.String()
				if got != val && got != "["+val+"]" && got != "7s" && got != "0.5" {
					t.Errorf("%s=%s gave --%s %q", env, val, f.Name, got)
				}
				// A flag on the command line wins.
				again, _, _ := NewRootCommand().Find(splitPath(c))
				fl := again.Flags().Lookup(f.Name)
				if err := again.Flags().Set(f.Name, cliSamples[f.Value.Type()]); err != nil {
					t.Fatal(err)
				}
				given := fl.Value.String()
				if err := applyEnv(again); err != nil {
					t.Fatal(err)
				}
				if fl.Value.String() != given {
					t.Errorf("%s overrode --%s given on the command line: %q", env, f.Name, fl.Value.String())
				}
			})
		})
	}
	walk(root)
	if seen < 20 {
		t.Errorf("only %d flags read a variable", seen)
	}
}

func splitPath(c *cobra.Command) []string {
	var out []string
	for ; c.HasParent(); c = c.Parent() {
		out = append([]string{c.Name()}, out...)
	}
	return out
}

// TestBadVariableIsAUsageError: a variable that does not parse as its
// flag's type stops the command with exit status 2, naming the variable.
func TestBadVariableIsAUsageError(t *testing.T) {
	serve, _, err := NewRootCommand().Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CHARTER_MAX_SCHEMA_BYTES", "lots")
	err = applyEnv(serve)
	var ec interface{ ExitCode() int }
	if err == nil || !asExit(err, &ec) || ec.ExitCode() != ExitUsage || !strings.Contains(err.Error(), `CHARTER_MAX_SCHEMA_BYTES="lots"`) {
		t.Errorf("got %v", err)
	}
}
