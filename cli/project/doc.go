// Package project reads a repository's schemas the way charter.yaml maps
// them: which files are schemas, which subject each belongs to, which
// format each is in, and which other files each one imports or refers to.
//
// The same Config is applied to a Source, which is either the working tree
// (Dir) or the tree at a git revision (Git), so that charter check can
// compare a pull request's files with the same files on the base branch.
// Parsing and comparing are left to cli/check; this package only finds and
// reads text.
package project
