// Package check is the engine behind charter check: it parses each schema
// file of a project with its dependencies, compares it with the earlier
// versions a Baseline supplies (the same files at a git revision, or the
// subject's versions in a registry), and turns every parse error and every
// incompatible change into an annotation.Annotation on the file and line
// that broke.
//
// Comparisons use the formats' own Diff through compat.Check, so an
// offline check and a registration agree on what is compatible. Where a
// format reports a FORWARD-direction change at a position in the older
// text, the engine asks the newer schema (compat.Locator) for the matching
// place in the newer file; it knows no format itself.
package check
