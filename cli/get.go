package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli/dump"
	"github.com/charter-registry/charter/confluent"
)

type getFlags struct {
	output   string
	id       int
	deleted  bool
	registry registryFlags
}

func newGetCommand() *cobra.Command {
	f := getFlags{}
	cmd := &cobra.Command{
		Use:   "get (SUBJECT [VERSION] | --id ID)",
		Short: "Print a registered schema",
		Long: `Print a registered schema: a version of a subject (the latest when VERSION
is left out), or the schema with a global id. Text output is the schema
itself, ready to save to a file; --output json prints the registry's whole
record (subject, version, id, schemaType, references, metadata, ruleSet).`,
		Example: `  charter get orders-value > orders.avsc
  charter get orders-value 3 --output json
  charter get --id 42 --registry http://localhost:8081`,
		Args: usageArgs(cobra.MaximumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGet(cmd, f, args)
		},
	}
	flagUsageErrors(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.output, "output", "text", "output: text (the schema) or json (the whole record)")
	fs.IntVar(&f.id, "id", 0, "fetch by global schema id instead of subject and version")
	fs.BoolVar(&f.deleted, "deleted", false, "include soft-deleted versions")
	f.registry.bind(fs)
	return cmd
}

func runGet(cmd *cobra.Command, f getFlags, args []string) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	switch {
	case f.id != 0 && len(args) > 0:
		return usageErr("give either --id or SUBJECT [VERSION], not both")
	case f.id == 0 && len(args) == 0:
		return usageErr("give SUBJECT [VERSION] or --id ID")
	case f.id < 0:
		return usageErr("--id must be positive")
	}
	version := "latest"
	if len(args) == 2 {
		if _, err := strconv.Atoi(args[1]); err != nil && !strings.EqualFold(args[1], "latest") {
			return usageErr("version %q: use a number or latest", args[1])
		}
		version = strings.ToLower(args[1])
	}
	c, err := f.registry.client()
	if err != nil {
		return err
	}
	var s *confluent.Schema
	if f.id != 0 {
		s, err = c.SchemaByID(cmd.Context(), f.id)
	} else {
		s, err = c.Version(cmd.Context(), args[0], version, f.deleted)
	}
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if f.output == "json" {
		rec, err := dump.VersionOf(s)
		if err != nil {
			return err
		}
		return writeJSON(w, rec)
	}
	text := s.Schema
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err = fmt.Fprint(w, text)
	return err
}
