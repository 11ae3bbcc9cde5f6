// Package client is a caching client for a Confluent-compatible schema
// registry such as charter.
//
// It fetches schemas by id, by subject and version, the latest version of a
// subject and the latest version whose metadata carries given properties, and
// registers or looks up schemas. Schemas by id and by version never change,
// so they are cached for the client's lifetime; latest lookups are cached for
// a configurable time. Requests are retried with backoff on network errors
// and 5xx answers; 4xx answers are returned at once as *ResponseError, which
// keeps the registry's error_code and message.
//
// It also makes the calls of an operator or a migration tool, uncached:
// subjects and versions with soft-deleted ones, versions as the registry
// holds them now, registrations that keep their ids (IMPORT mode),
// deletes, configs and modes. charter's command line talks to registries
// through it; HasCode tells its failures apart by Confluent's codes
// (package confluent).
//
// The client does no logging. The serializers in contracts/serde build on it;
// parsing schemas is their job, not the client's.
package client
