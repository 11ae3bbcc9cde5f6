// Package web is charter's catalogue: server-rendered HTML pages under
// /ui/ where developers find topics, subjects, teams and fields, read each
// version of a contract with its rules, and compare two versions.
//
// It reads only through registry.Service (and, when governance is there,
// its read API); it never writes. Pages are html/template with embedded
// assets and a little hand-written JavaScript for search-as-you-type, so
// everything works with JavaScript turned off. Search runs the API's own
// search (governance.SearchAll) and ranks its hits; listings and pages
// read an index that is rebuilt only when the registry's state position
// moves, reusing the field lists of schema ids it has already seen, so
// pages stay fast with tens of thousands of subjects.
package web
