// Command charter is the schema registry server and its command-line tools.
package main

import (
	"os"

	"github.com/charter-registry/charter/cli"
)

func main() {
	os.Exit(cli.Execute())
}
