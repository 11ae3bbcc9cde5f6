// Package dump moves a whole registry between Confluent-compatible
// registries: Export reads every subject, version, id, config and mode
// through the REST API, Write and Read keep them in a directory of JSON
// files a person can review, and Import restores them with the same ids
// and versions through IMPORT mode.
//
// The directory holds registry.json (the global config and mode and the
// list of subjects) and one file per subject under subjects/. Metadata,
// rule sets and configs are kept as the source registry sent them.
package dump
