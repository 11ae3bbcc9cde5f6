// Package annotation is what charter check reports: one Annotation per
// problem found in a schema file (a compatibility violation or a parse
// error), and the printers that render a set of them as text for a
// terminal, JSON, GitHub Actions workflow commands or a JUnit report.
//
// Every output format is printed from the same struct, so a field added
// here shows up everywhere at once. The check itself lives in cli/check;
// this package only knows how to print.
package annotation
