// Package cli builds charter's cobra commands. Flags and CHARTER_*
// environment variables fill each component's Config here and nowhere else.
package cli
