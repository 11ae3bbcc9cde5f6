// Package api serves charter's REST interface: Confluent Schema Registry's
// client-facing API plus health, readiness, metrics and the OpenAPI
// document. Handlers decode a request, call one registry.Service method and
// encode the result; the mapping from registry error codes to HTTP statuses
// lives in errors.go and nowhere else. No business logic lives here.
package api
