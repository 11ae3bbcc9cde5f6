// Command loadtest measures how close charter's lookup by id comes to the
// best a plain net/http server can do on the same machine.
//
// It starts charter in-process (memory log, the real api handler) on a
// random 127.0.0.1 port, registers -schemas schemas, and drives
// GET /schemas/ids/{id} with random ids from -conns keep-alive connections
// for -duration. In the same run it then starts a minimal net/http handler
// that returns a fixed body of the same size and drives it identically. It
// prints requests per second and latency percentiles for both, and their
// ratio. Client and servers share the machine's cores, so the figures are
// only comparable within one run; -rounds alternates the two targets
// several times so that a change in the machine's other load does not fall
// on one of them only.
//
//	go run ./tools/loadtest -duration 10s -conns 64
//	go run ./tools/loadtest -duration 5s -conns 64 -rounds 3
//
// With -target it drives a charter that is already running instead (on a
// loopback address only) and reads the ids to ask for from GET /schemas;
// it never writes to such a target. The tool stops by itself after the
// warm-up and measurement periods of the two targets.
package main
