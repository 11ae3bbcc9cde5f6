package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli/dump"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

type configFlags struct {
	output   string
	set      string
	unset    bool
	change   changeFlags
	registry registryFlags
}

func newConfigCommand() *cobra.Command {
	f := configFlags{}
	cmd := &cobra.Command{
		Use:   "config [SUBJECT]",
		Short: "Show or set a compatibility level",
		Long: `Show or set the compatibility level of a subject, or the global level when no
subject is given. A subject without a level of its own uses the global one;
the text output says which applies.

Levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
FULL, FULL_TRANSITIVE.`,
		Example: `  charter config                          # the global level
  charter config orders-value             # the subject's level
  charter config orders-value --set FULL
  charter config orders-value --unset     # back to the global level
  charter config orders-value --output json`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfig(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.output, "output", "text", "output: text or json")
	fs.StringVar(&f.set, "set", "", "set the level")
	fs.BoolVar(&f.unset, "unset", false, "remove the subject's own config, so the global level applies")
	f.change.bind(fs, "the level is set or unset")
	f.registry.bind(fs)
	return cmd
}

func runConfig(cmd *cobra.Command, f configFlags, args []string) error {
	ctx := cmd.Context()
	if err := checkOutput(f.output); err != nil {
		return err
	}
	subject := ""
	if len(args) == 1 {
		subject = args[0]
	}
	if f.set != "" && f.unset {
		return usageErr("give either --set or --unset")
	}
	if f.set != "" {
		l, err := compat.ParseLevel(f.set)
		if err != nil {
			return withCode(ExitUsage, err)
		}
		f.set = string(l)
	}
	ch, err := f.change.resolve(os.Getenv)
	if err != nil {
		return err
	}
	c, err := f.registry.client(ch.opt())
	if err != nil {
		return err
	}
	switch {
	case f.set != "":
		if _, err := dump.SetLevel(ctx, c, subject, f.set); err != nil {
			return err
		}
	case f.unset:
		if subject == "" {
			return usageErr("--unset needs a SUBJECT")
		}
		if err := c.DeleteConfig(ctx, subject); err != nil && !client.HasCode(err, confluent.CodeSubjectCompatibilityNotSet) {
			return err
		}
	}
	raw, err := c.Config(ctx, subject, false)
	inherited := false
	if subject != "" && client.HasCode(err, confluent.CodeSubjectCompatibilityNotSet, confluent.CodeSubjectNotFound) {
		inherited = true
		raw, err = c.Config(ctx, subject, true)
	}
	cfg := dump.Config(raw)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if f.output == "json" {
		return writeJSON(w, json.RawMessage(cfg))
	}
	name := subject
	if name == "" {
		name = "(global)"
	}
	from := ""
	if inherited {
		from = " (inherited from the global config)"
	}
	_, err = fmt.Fprintf(w, "%s: %s%s\n", name, cfg.Level(), from)
	return err
}
