// Package exporter is charter's schema linking: Confluent's /exporters
// API, which copies subjects from this registry to another
// Confluent-compatible registry (another charter, Confluent Schema
// Registry) with their versions and ids, through the destination's IMPORT
// mode, and keeps following registrations, deletes and subject configs.
//
// Exporter definitions, their progress and the lease that picks the one
// instance of a cluster that runs them are records of the registry's log
// (keytypes EXPORTER, EXPORTER_SUBJECT, EXPORTER_STATUS and
// EXPORTER_LEASE), applied as registry.Tables and written with
// registry.Service.MutateAlone (the API's changes, admins only, audited)
// and MutateSystem (what the running exporters record), so they replay,
// compact and are part of the state digest like every other record.
//
// The instance holding the lease compares, for every exported subject,
// what the source holds with what the destination holds and sends the
// difference. Every step is idempotent (a version is imported with its
// id and version number; deleting what is deleted is done), so an
// exporter that restarts, hands over or loses the network simply compares
// again: nothing is lost and nothing is sent twice to different effect.
// The package knows no HTTP server: it returns *registry.Error with
// Confluent's exporter codes (40450, 40950, 40951, 40952, 40960, 40961, 40963,
// 40964) and the api package maps them. It talks HTTP only as a client,
// to the destination.
package exporter
