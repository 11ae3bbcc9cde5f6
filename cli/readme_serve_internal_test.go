package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeServeLinesParse takes every `charter serve` line of the
// README's shell blocks, as written, and parses it with the serve
// command's own flags, so that a flag the README names and charter does
// not have, or a value it cannot parse, fails here. The lines that name
// Kafka brokers and hosts of their own (kafka-1:9092, 10.0.0.5) cannot run
// on a test machine as written; the lines that can are run by
// TestReadmeGovernanceWorkflow and the README's other workflow tests.
func TestReadmeServeLinesParse(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, block := range strings.Split(string(b), "```sh\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		for _, line := range strings.Split(block, "\n") {
			line, _, _ = strings.Cut(line, " #") // a trailing comment
			fields := strings.Fields(line)
			// Leading VAR=value assignments are the environment, not flags.
			for len(fields) > 0 && strings.Contains(fields[0], "=") && !strings.HasPrefix(fields[0], "-") {
				fields = fields[1:]
			}
			if len(fields) >= 2 && fields[0] == "charter" && fields[1] == "serve" {
				lines = append(lines, strings.Join(fields, " "))
			}
		}
	}
	if len(lines) < 3 {
		t.Fatalf("found %d `charter serve` lines in the README's shell blocks, want at least 3: %q", len(lines), lines)
	}
	for _, line := range lines {
		args := strings.Fields(line)[2:]
		for _, a := range args {
			if strings.ContainsAny(a, `"'$`) {
				t.Fatalf("README line %q: quoting or expansion in %q, which this test does not interpret", line, a)
			}
		}
		cmd := newServeCommand()
		if err := cmd.ParseFlags(args); err != nil {
			t.Errorf("README line %q: %v", line, err)
			continue
		}
		if rest := cmd.Flags().Args(); len(rest) > 0 {
			t.Errorf("README line %q: arguments %q that serve does not take", line, rest)
		}
		t.Logf("parses: %s", line)
	}
}
