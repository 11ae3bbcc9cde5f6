// Package storage defines Log, the ordered and durable record log that all
// registry state is derived from. Backends live in subpackages: file (the
// embedded default), memory (tests) and kafka (production, several
// instances). The registry appends one batch per write and tails the log to
// apply records; it never reads state from anywhere else.
package storage
