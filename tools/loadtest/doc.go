// Command loadtest measures charter from outside, as its users get it, on
// this machine, side by side with the best a plain net/http server does.
//
// It runs three kinds of process: `charter serve` (the binary given with
// -charter, else one it builds from ./cmd/charter) with its default
// settings on a file log in a temporary directory, its stderr read as a log
// collector would; the ceiling, which is this program started again to
// serve one fixed body (charter's median response, with its content type)
// from a bare net/http server; and itself, the load generator. Scenarios
// (-scenarios; all but mixed by default):
//
//   - read: Apicurio's READ_ID profile, GET /schemas/ids/{id} for random
//     ids among -schemas schemas from each -conns count of keep-alive
//     connections, charter and the ceiling alternating round by round
//     (-rounds) so that a change in the machine's other load falls on both;
//   - register: distinct schemas under new subjects from each -writers
//     count of writers; with -kafka-brokers, on -instances instances of
//     charter sharing a fresh Kafka topic instead of a file log, the
//     writers spread over them round-robin, each instance started with
//     --advertised-url so that they forward their writes to the one
//     holding the writer lease (-forward=false for a charter without it;
//     the server CPU is then the instances' sum, warm-up included pro
//     rata);
//   - compat: a -compat-fields-field schema checked against -compat-versions
//     versions at FULL_TRANSITIVE, for Avro, Protobuf and JSON Schema;
//   - memory: the RSS of a fresh charter before and after -memory-subjects
//     subjects, per 1,000 subjects;
//   - mixed: -mixed-duration of reads and writes (registrations and
//     compatibility checks) on -schemas preloaded subjects, charter's RSS
//     sampled as it goes and compared with the RSS of a charter restarted
//     on the same log.
//
// It prints markdown tables with requests per second, latency percentiles,
// the server process's CPU time per request (from /proc) and the ratios,
// with the machine (CPUs, CPU model) and the load average. Client and
// servers share the machine's cores, so figures compare only within one
// run.
//
//	go run ./tools/loadtest
//	go run ./tools/loadtest -scenarios read -conns 100,32 -rounds 3 -duration 10s
//	go run ./tools/loadtest -scenarios register -writers 16 -kafka-brokers 127.0.0.1:9092 -instances 3
package main
