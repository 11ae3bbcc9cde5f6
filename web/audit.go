package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// auditPageSize is how many audit entries one page of the audit view
// lists; older ones are a link away.
const auditPageSize = 100

// auditSource is a Directory that can also read the audit trail; the
// default GovernanceDirectory can. With a Directory that cannot, the audit
// page says so.
type auditSource interface {
	auditTrail(f governance.AuditFilter) []registry.AuditEntry
}

// auditTrail reads the registry's audit trail.
func (d governanceDirectory) auditTrail(f governance.AuditFilter) []registry.AuditEntry {
	return d.gov.Audit(f)
}

// auditForm is the audit page's filters as the person typed them, to
// show them back.
type auditForm struct {
	Team, Topic, Subject, Principal, Operation, From, To string
}

// values are the filters as query parameters, without empty ones.
func (f auditForm) values() url.Values {
	v := url.Values{}
	for _, kv := range []struct{ k, v string }{
		{"team", f.Team}, {"topic", f.Topic}, {"subject", f.Subject}, {"principal", f.Principal},
		{"operation", f.Operation}, {"from", f.From}, {"to", f.To},
	} {
		if kv.v != "" {
			v.Set(kv.k, kv.v)
		}
	}
	return v
}

// Active reports whether any filter is set.
func (f auditForm) Active() bool { return len(f.values()) > 0 }

type auditRow struct {
	registry.AuditEntry
	When string
	// Change is where the changed thing is shown in the catalogue, with
	// its label; empty when the change has no page (a global config).
	Change, ChangeLabel string
	Detail              string
	// By filters the page by this entry's principal.
	By string
}

type auditData struct {
	Form       auditForm
	Rows       []auditRow
	Available  bool
	Operations []registry.Operation
	// Older pages back from the last row, keeping the filters.
	Older string
	// Paged is set when this page starts below the newest entry.
	Paged  bool
	Newest string
}

func (c *Catalogue) audit(ctx *echo.Context) error {
	form := auditForm{
		Team: strings.TrimSpace(ctx.QueryParam("team")), Topic: strings.TrimSpace(ctx.QueryParam("topic")),
		Subject: strings.TrimSpace(ctx.QueryParam("subject")), Principal: strings.TrimSpace(ctx.QueryParam("principal")),
		Operation: strings.TrimSpace(ctx.QueryParam("operation")),
		From:      strings.TrimSpace(ctx.QueryParam("from")), To: strings.TrimSpace(ctx.QueryParam("to")),
	}
	f := governance.AuditFilter{Team: form.Team, Topic: form.Topic, Subject: form.Subject, Principal: form.Principal,
		Operation: registry.Operation(form.Operation), Limit: auditPageSize, Viewer: viewer(ctx)}
	var err error
	if f.From, err = parseFormTime(form.From, false); err != nil {
		return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: "From: " + err.Error()})
	}
	if f.To, err = parseFormTime(form.To, true); err != nil {
		return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: "To: " + err.Error()})
	}
	if raw := ctx.QueryParam("before"); raw != "" {
		if f.Before, err = strconv.ParseInt(raw, 10, 64); err != nil || f.Before <= 0 {
			return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: "before is a log position, a positive number."})
		}
	}
	d := auditData{Form: form, Operations: slices.Concat(registry.Operations(), governance.Operations())}
	src, ok := c.cfg.directory.(auditSource)
	if ok {
		d.Available = true
		entries := src.auditTrail(f)
		for _, e := range entries {
			d.Rows = append(d.Rows, viewAuditEntry(e))
		}
		if len(entries) == auditPageSize {
			v := form.values()
			v.Set("before", strconv.FormatInt(entries[len(entries)-1].Position, 10))
			d.Older = Prefix + "/audit?" + v.Encode()
		}
		if f.Before > 0 {
			d.Paged = true
			d.Newest = auditURL(form.values())
		}
	}
	return c.render(ctx, http.StatusOK, "audit", page{Title: "Audit trail", Section: "audit", Data: d})
}

func auditURL(v url.Values) string {
	if len(v) == 0 {
		return Prefix + "/audit"
	}
	return Prefix + "/audit?" + v.Encode()
}

// parseFormTime reads a time as the form's datetime-local input sends it
// (2026-01-02T15:04, taken as UTC, as the page shows times), a date, or
// RFC 3339. A date alone as the upper bound means the end of that day.
func parseFormTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			if end && layout != "2006-01-02T15:04:05" {
				t = t.Add(time.Minute - time.Nanosecond)
			}
			return t, nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, &timeFormatError{s}
}

type timeFormatError struct{ value string }

func (e *timeFormatError) Error() string {
	return strconv.Quote(e.value) + " is not a time: use a date (2026-01-02), a date and time in UTC (2026-01-02T15:04) or RFC 3339 (2026-01-02T15:04:05Z)."
}

// viewAuditEntry places one entry: what it changed, where the catalogue
// shows that, and its own page.
func viewAuditEntry(e registry.AuditEntry) auditRow {
	r := auditRow{AuditEntry: e, When: e.Time.UTC().Format("2006-01-02 15:04:05 UTC"), Detail: auditEntryURL(e.Position),
		By: auditURL(url.Values{"principal": {e.Principal}})}
	switch {
	case e.Operation == registry.OpSchemaRegistered && e.Subject != "" && e.Version > 0:
		r.Change, r.ChangeLabel = versionURL(e.Subject, e.Version), e.Subject+" v"+strconv.Itoa(e.Version)
	case e.Subject != "":
		r.Change, r.ChangeLabel = subjectURL(e.Subject), e.Subject
	case strings.HasPrefix(string(e.Operation), "topic.") && e.Topic != "":
		r.Change, r.ChangeLabel = topicURL(e.Topic), "topic "+e.Topic
	case strings.HasPrefix(string(e.Operation), "team.") && e.Team != "":
		r.Change, r.ChangeLabel = teamURL(e.Team), "team "+e.Team
	}
	return r
}

func auditEntryURL(position int64) string {
	return Prefix + "/audit/" + strconv.FormatInt(position, 10)
}

type auditEntryData struct {
	Row           auditRow
	Before, After string
}

// auditEntry shows one entry with everything it records: its provenance
// (reason and link), the values it replaced and set, and lint findings.
// Entries are addressed by their log position, which never changes.
func (c *Catalogue) auditEntry(ctx *echo.Context) error {
	raw, _ := tail(ctx, Prefix+"/audit/")
	pos, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || pos < 0 {
		return c.notFound(ctx, "There is no audit entry "+strconv.Quote(raw)+": entries are numbered by their log position.")
	}
	src, ok := c.cfg.directory.(auditSource)
	if !ok {
		return c.notFound(ctx, "This catalogue has no audit trail.")
	}
	entries := src.auditTrail(governance.AuditFilter{Before: pos + 1, Limit: 1, Viewer: viewer(ctx)})
	if len(entries) == 0 || entries[0].Position != pos {
		return c.notFound(ctx, "There is no audit entry at position "+strconv.FormatInt(pos, 10)+".")
	}
	e := entries[0]
	d := auditEntryData{Row: viewAuditEntry(e), Before: indentJSON(e.Before), After: indentJSON(e.After)}
	return c.render(ctx, http.StatusOK, "audit-entry", page{Title: "Audit entry " + strconv.FormatInt(pos, 10), Section: "audit", Data: d})
}

// indentJSON lays out a recorded value for reading, keeping its key order
// and numbers as written.
func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
