package client

import "github.com/charter-registry/charter/confluent"

// The schema model is Confluent's, the same one the registry serves.
type (
	// Reference names a schema that another schema depends on, resolved
	// to a subject version.
	Reference = confluent.Reference
	// Metadata is Confluent's schema metadata: tags by field path,
	// free-form properties and the names of sensitive fields.
	Metadata = confluent.Metadata
	// Rule is one data-contract rule of a RuleSet, as the registry stores it.
	Rule = confluent.Rule
	// RuleSet is the set of data-contract rules attached to a schema.
	RuleSet = confluent.RuleSet
	// Schema is a registered schema with what the registry knows about it.
	// Subject and Version are set when it was fetched through a subject;
	// ID is always set for schemas returned by the client.
	Schema = confluent.Schema
)
