// Package governance is charter's catalogue of who owns what: teams,
// Kafka topics with their owners, bindings to subjects, lifecycle and
// successors, plus the audit trail every write leaves and the change
// events derived from it.
//
// It is a domain over the registry's log, as registry/dek is: its records
// (keytypes TEAM and TOPIC, and the AUDIT entries every write appends)
// are applied through registry.Extension, so every instance replays the
// same catalogue and trail and the state digest covers them, and its
// writes go through registry.Service.Write in one batch with their audit
// entry. Attach makes it the service's registry.Governor, which is how the
// registry learns who owns a subject when it authorises a write, refuses a
// version on a retired topic, or explains an upgrade path. The package
// knows no HTTP: it returns *registry.Error and the api package maps it.
package governance
