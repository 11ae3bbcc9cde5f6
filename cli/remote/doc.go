// Package remote is the small Confluent Schema Registry REST client the
// charter command line uses: subjects, versions, schemas by id,
// registration, configs and modes. It works against charter and against
// any Confluent-compatible registry.
//
// It does no caching and no retries: each CLI command makes a handful of
// calls and reports the first failure. Errors from the registry are
// *Error values that keep the registry's error_code, so callers can tell
// "subject not found" from a failure with errors.As and Error.Code.
package remote
