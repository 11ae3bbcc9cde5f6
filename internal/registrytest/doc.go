// Package registrytest starts charter in-process for tests and
// benchmarks: a registry.Service over a storage.Log, optionally behind the
// HTTP API on an httptest server, stopped when the test ends. It also
// builds the charter binary, picks free ports and writes replay fixtures.
//
// It is for tests only; no non-test code may import it.
package registrytest
