package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/registry"
)

// pageSize is how many rows a listing shows per page.
const pageSize = 100

// listing is one page of a long list.
type listing[T any] struct {
	Items      []T
	Total      int
	Page, Last int
	// Context is the schema context a subject listing is filtered to, kept
	// by the pager's links; Contexts lists every context when there are
	// several, for the filter links.
	Context  string
	Contexts []string
}

func paginate[T any](ctx *echo.Context, all []T) listing[T] {
	last := max(1, (len(all)+pageSize-1)/pageSize)
	p, _ := strconv.Atoi(ctx.QueryParam("page"))
	p = min(max(p, 1), last)
	lo := min((p-1)*pageSize, len(all))
	hi := min(lo+pageSize, len(all))
	return listing[T]{Items: all[lo:hi], Total: len(all), Page: p, Last: last}
}

type homeData struct {
	Subjects, Topics, Teams int
	TopTeams                []*teamEntry
	TopTopics               []*topicEntry
}

func (c *Catalogue) home(ctx *echo.Context) error {
	ix := c.index()
	see := c.sight(ctx, ix)
	topics := see.topics(ix.topics)
	d := homeData{Subjects: len(see.subjects(ix.subjects)), Topics: len(topics), Teams: len(ix.teams)}
	d.TopTeams = ix.teams[:min(len(ix.teams), 20)]
	d.TopTopics = topics[:min(len(topics), 20)]
	return c.render(ctx, http.StatusOK, "home", page{Title: "Catalogue", Section: "home", Data: d})
}

func (c *Catalogue) search(ctx *echo.Context) error {
	q := ctx.QueryParam("q")
	if len(q) > 200 {
		q = q[:200]
	}
	res := c.searchResults(viewer(ctx), q)
	title := "Search"
	if res.Query != "" {
		title = "Search: " + res.Query
	}
	return c.render(ctx, http.StatusOK, "search", page{Title: title, Section: "search", Query: res.Query, Data: res})
}

// subjectList lists the live subjects, of one schema context with
// ?context=.staging (":.staging:" and "staging" name it too), of every
// context without.
func (c *Catalogue) subjectList(ctx *echo.Context) error {
	ix := c.index()
	subjects, title := c.sight(ctx, ix).subjects(ix.subjects), "Subjects"
	filter := ""
	if v := ctx.QueryParam("context"); v != "" {
		name, err := confluent.ParseContext(v)
		if err != nil {
			return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: err.Error()})
		}
		filter, title = name, "Subjects in "+name
		var inContext []*subjectEntry
		for _, e := range subjects {
			if confluent.ContextOf(e.Name) == name {
				inContext = append(inContext, e)
			}
		}
		subjects = inContext
	}
	l := paginate(ctx, subjects)
	l.Context = filter
	if all := c.svc.Contexts(); len(all) > 1 {
		l.Contexts = all
	}
	return c.render(ctx, http.StatusOK, "subjects", page{Title: title, Section: "subjects", Data: l})
}

func (c *Catalogue) topicList(ctx *echo.Context) error {
	ix := c.index()
	return c.render(ctx, http.StatusOK, "topics", page{Title: "Topics", Section: "topics", Data: paginate(ctx, c.sight(ctx, ix).topics(ix.topics))})
}

func (c *Catalogue) teamList(ctx *echo.Context) error {
	ix := c.index()
	return c.render(ctx, http.StatusOK, "teams", page{Title: "Teams", Section: "teams", Data: paginate(ctx, ix.teams)})
}

// kv is one key and value, for sorted display of a map.
type kv struct{ Key, Value string }

// metadataView is schema metadata in display order.
type metadataView struct {
	Properties []kv
	Tags       []kv
	Sensitive  []string
}

func viewMetadata(md *registry.Metadata) *metadataView {
	if md == nil || (len(md.Properties) == 0 && len(md.Tags) == 0 && len(md.Sensitive) == 0) {
		return nil
	}
	v := &metadataView{Sensitive: md.Sensitive}
	for _, k := range sortedKeys(md.Properties) {
		v.Properties = append(v.Properties, kv{k, md.Properties[k]})
	}
	for _, k := range sortedKeys(md.Tags) {
		for _, t := range md.Tags[k] {
			v.Tags = append(v.Tags, kv{k, t})
		}
	}
	return v
}

// ruleGroup is one kind of rule (domain, migration, encoding).
type ruleGroup struct {
	Name  string
	Rules []ruleView
}

type ruleView struct {
	registry.Rule
	ParamList []kv
}

// Summary says in words when the rule runs and what happens.
func (r ruleView) Summary() string {
	when := map[string]string{
		"WRITE": "when a producer writes", "READ": "when a consumer reads", "WRITEREAD": "on write and on read",
		"UPGRADE": "when reading older data with this version", "DOWNGRADE": "when reading newer data with this version",
		"UPDOWN": "when migrating data between versions, in both directions",
	}[r.Mode]
	if when == "" {
		when = "in mode " + r.Mode
	}
	var what string
	switch r.Kind {
	case "CONDITION":
		what = "Checks each record " + when
		if r.Expr != "" {
			what += " against the expression below"
		}
	case "TRANSFORM":
		what = "Transforms each record " + when
	default:
		what = "Runs " + when
	}
	onFailure := r.OnFailure
	if onFailure == "" {
		onFailure = "ERROR"
	}
	what += "; on failure: " + onFailure
	if r.OnSuccess != "" {
		what += "; on success: " + r.OnSuccess
	}
	return what + "."
}

// rulesView is a rule set in display order.
type rulesView struct {
	Groups   []ruleGroup
	EnableAt string
}

func viewRules(rs *registry.RuleSet) *rulesView {
	if rs == nil {
		return nil
	}
	v := &rulesView{}
	for _, g := range []struct {
		name  string
		rules []registry.Rule
	}{{"Domain rules", rs.DomainRules}, {"Migration rules", rs.MigrationRules}, {"Encoding rules", rs.EncodingRules}} {
		if len(g.rules) == 0 {
			continue
		}
		rg := ruleGroup{Name: g.name}
		for _, r := range g.rules {
			rv := ruleView{Rule: r}
			for _, k := range sortedKeys(r.Params) {
				rv.ParamList = append(rv.ParamList, kv{k, r.Params[k]})
			}
			rg.Rules = append(rg.Rules, rv)
		}
		v.Groups = append(v.Groups, rg)
	}
	if rs.EnableAt != nil {
		v.EnableAt = formatDate(*rs.EnableAt)
	}
	if len(v.Groups) == 0 {
		return nil
	}
	return v
}

// refView is one reference, with whether its target is still there.
type refView struct {
	registry.Reference
	Missing bool
}

// versionView is one subject version on the subject page.
type versionView struct {
	Version      int
	ID           int
	GUID         string
	Type         compat.Type
	Deleted      bool
	Latest       bool
	Date         string
	Author       string
	Reason       string
	Link         string
	DeletedBy    string
	DeletedAt    string
	Previous     int
	References   []refView
	ReferencedBy []registry.SubjectVersion
	Metadata     *metadataView
	Rules        *rulesView
	Fields       fieldsView
	Lines        []template.HTML
	MoreLines    int // lines of the text past Lines, not shown
}

type subjectData struct {
	Name       string
	Type       compat.Type
	Topic      string
	Team       string
	Config     registry.Config
	Level      compat.Level
	LevelOwn   bool
	Mode       registry.Mode
	Versions   []versionView // newest first
	Numbers    []int         // every version, oldest first, for the diff form
	Latest     int
	AllDeleted bool
	DiffFrom   int
	DiffTo     int
	// Lint are the latest version's lint findings, with the subject's
	// lint policy mode (off when it has none).
	Lint []lint.Finding
	// LintCount is how many findings there are; Lint holds the first
	// maxLintRows, LintMore the rest's number.
	LintCount, LintMore int
	// Tagged are the latest version's fields that carry inline tags.
	Tagged   []taggedField
	LintMode registry.LintMode
	// Reviews are the subject's registrations held for review.
	Reviews *reviewsView
}

// maxLintRows is how many lint findings a subject page lists.
const maxLintRows = 500

func (c *Catalogue) subject(ctx *echo.Context) error {
	name, ok := tail(ctx, Prefix+"/subjects/")
	if !ok {
		return c.notFound(ctx, "No subject named.")
	}
	nums, err := c.svc.Versions(name, true, false)
	if err != nil || len(nums) == 0 || !c.canReadSubject(viewer(ctx), name) {
		return c.notFound(ctx, "There is no subject "+strconv.Quote(name)+".")
	}
	ix := c.index()
	see := c.sight(ctx, ix)
	d := subjectData{Name: name, Numbers: nums, Reviews: c.reviewsOf(viewer(ctx), "", name)}
	if e := ix.bySubject[name]; e != nil {
		d.Topic, d.Team = e.Topic, e.Team
	}
	if cfg, err := c.svc.GetConfig(name, true); err == nil {
		d.Config = cfg
		if cfg.Compatibility != nil {
			d.Level = *cfg.Compatibility
		}
	}
	if own, err := c.svc.GetConfig(name, false); err == nil && own.Compatibility != nil {
		d.LevelOwn = true
	}
	if m, err := c.svc.GetMode(name, true); err == nil {
		d.Mode = m
	}
	d.LintMode = registry.LintOff
	if p := c.svc.LintPolicy(name); p.Mode != "" {
		d.LintMode = p.Mode
	}
	d.Lint, _ = c.svc.LintLatest(name)
	d.LintCount = len(d.Lint)
	d.Lint = d.Lint[:min(len(d.Lint), maxLintRows)]
	d.LintMore = d.LintCount - len(d.Lint)
	if e := ix.bySubject[name]; e != nil {
		d.Tagged = e.tagged
	}
	var authors map[int]Authorship
	if c.cfg.directory != nil {
		authors = c.cfg.directory.Authors(name)
	}
	prevLive := 0
	var views []versionView
	for _, n := range nums {
		s, err := c.svc.Version(name, n, true)
		if err != nil {
			continue
		}
		typ := confluent.TypeOrAvro(s.SchemaType)
		v := versionView{Version: n, ID: s.ID, GUID: s.GUID, Type: typ, Deleted: s.Deleted, Date: formatDate(s.Timestamp),
			Metadata: viewMetadata(s.Metadata), Rules: viewRules(s.RuleSet), ReferencedBy: see.versions(ix.refBy[registry.SubjectVersion{Subject: name, Version: n}])}
		if a, ok := authors[n]; ok {
			v.Author, v.DeletedBy = a.Author, a.DeletedBy
			v.Reason, v.Link = a.Reason, a.Link
			if !a.DeletedAt.IsZero() {
				v.DeletedAt = a.DeletedAt.UTC().Format("2006-01-02 15:04 UTC")
			}
			if v.Date == "" && !a.Time.IsZero() {
				v.Date = a.Time.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		for _, r := range s.References {
			// A reference names a subject of the holder's context unless
			// it is qualified; the page names it in full.
			r.Subject = confluent.InContext(registry.SubjectContext(s.Subject), r.Subject)
			_, err := c.svc.Version(r.Subject, r.Version, true)
			v.References = append(v.References, refView{Reference: r, Missing: err != nil})
		}
		r := c.cache.get(keyOf(s), c.syntax(typ), s.Schema)
		v.Lines, v.MoreLines = r.head, r.more
		v.Fields = c.fields(s, typ, "v"+strconv.Itoa(n)+"-")
		if !s.Deleted {
			v.Previous = prevLive
			prevLive = n
			d.Latest = n
			d.Type = typ
		}
		views = append(views, v)
	}
	if d.Latest == 0 {
		d.AllDeleted = true
		if len(views) > 0 {
			d.Type = views[len(views)-1].Type
		}
	}
	for i := len(views) - 1; i >= 0; i-- {
		views[i].Latest = views[i].Version == d.Latest
		d.Versions = append(d.Versions, views[i])
	}
	d.DiffTo = nums[len(nums)-1]
	d.DiffFrom = nums[0]
	if d.Latest != 0 {
		d.DiffTo = d.Latest
		d.DiffFrom = d.Latest
		for _, v := range views {
			if v.Version == d.Latest && v.Previous != 0 {
				d.DiffFrom = v.Previous
			}
		}
	}
	return c.render(ctx, http.StatusOK, "subject", page{Title: name, Section: "subjects", Data: d})
}

// schemaPanel is a subject's latest schema as the topic page shows it.
type schemaPanel struct {
	// Role is "key" or "value".
	Role     string
	Subject  string
	Version  int
	Previous int
	ID       int
	Type     compat.Type
	Date     string
	Level    compat.Level
	Count    int
	Lines    []template.HTML
	// MoreLines counts the lines of the text past Lines, not shown.
	MoreLines int
	Metadata  *metadataView
	Rules     *rulesView
	Fields    fieldsView
}

type topicData struct {
	Topic      *topicEntry
	Team       *teamEntry
	Key, Value *schemaPanel
	Others     []*schemaPanel
	// Unregistered lists bound subjects with no live version yet.
	Unregistered []string
	Lineage      *lineageView
	Window       *windowView
	Reviews      *reviewsView
}

func (c *Catalogue) panel(role, subject string) *schemaPanel {
	if subject == "" {
		return nil
	}
	nums, err := c.svc.Versions(subject, false, false)
	if err != nil || len(nums) == 0 {
		return nil
	}
	s, err := c.svc.Version(subject, registry.Latest, false)
	if err != nil {
		return nil
	}
	typ := confluent.TypeOrAvro(s.SchemaType)
	p := &schemaPanel{Role: role, Subject: subject, Version: s.Version, ID: s.ID, Type: typ, Date: formatDate(s.Timestamp), Count: len(nums),
		Metadata: viewMetadata(s.Metadata), Rules: viewRules(s.RuleSet)}
	r := c.cache.get(keyOf(s), c.syntax(typ), s.Schema)
	p.Lines, p.MoreLines = r.head, r.more
	if len(nums) > 1 {
		p.Previous = nums[len(nums)-2]
	}
	p.Fields = c.fields(s, typ, role+"-")
	if cfg, err := c.svc.GetConfig(subject, true); err == nil && cfg.Compatibility != nil {
		p.Level = *cfg.Compatibility
	}
	return p
}

func (c *Catalogue) topic(ctx *echo.Context) error {
	name, ok := tail(ctx, Prefix+"/topics/")
	if !ok {
		return c.notFound(ctx, "No topic named.")
	}
	ix := c.index()
	te := ix.byTopic[name]
	see := c.sight(ctx, ix)
	if te == nil || !see.topic(name) {
		return c.notFound(ctx, "There is no topic "+strconv.Quote(name)+".")
	}
	if !see.all {
		// Successors and predecessors the reader may not see are left out.
		shown := *te
		shown.Predecessors = see.names(te.Predecessors, see.topic)
		if !see.topic(shown.Successor) {
			shown.Successor = ""
		}
		te = &shown
	}
	d := topicData{Topic: te, Team: ix.byTeam[te.Team], Key: c.panel("key", te.KeySubject), Value: c.panel("value", te.ValueSubject), Lineage: ix.topicLineage(te)}
	d.Reviews = c.reviewsOf(see.v, name, "")
	if d.Window = c.windowOf(see.v, name); d.Window != nil && !see.topic(d.Window.Successor) {
		d.Window.Successor = ""
	}
	for _, pair := range []struct {
		subject string
		p       *schemaPanel
	}{{te.ValueSubject, d.Value}, {te.KeySubject, d.Key}} {
		if pair.subject != "" && pair.p == nil {
			d.Unregistered = append(d.Unregistered, pair.subject)
		}
	}
	for i, s := range te.Other {
		if p := c.panel("other-"+strconv.Itoa(i+1), s); p != nil {
			d.Others = append(d.Others, p)
		} else {
			d.Unregistered = append(d.Unregistered, s)
		}
	}
	return c.render(ctx, http.StatusOK, "topic", page{Title: name, Section: "topics", Data: d})
}

type teamData struct {
	Team     *teamEntry
	Topics   []*topicEntry
	Subjects []*subjectEntry
	// Findings counts each subject's lint findings (latest version).
	Findings map[string]int
	// Score is the percentage of the team's subjects without lint
	// findings; Total is the findings of all of them.
	Score, Total int
	Lineage      *lineageView
}

func (c *Catalogue) team(ctx *echo.Context) error {
	name, ok := tail(ctx, Prefix+"/teams/")
	if !ok {
		return c.notFound(ctx, "No team named.")
	}
	ix := c.index()
	te := ix.byTeam[name]
	if te == nil {
		return c.notFound(ctx, "There is no team "+strconv.Quote(name)+".")
	}
	see := c.sight(ctx, ix)
	d := teamData{Team: te, Lineage: ix.teamLineage(te, see)}
	for _, t := range te.Topics {
		if e := ix.byTopic[t]; e != nil && see.topic(t) {
			d.Topics = append(d.Topics, e)
		}
	}
	d.Findings = map[string]int{}
	clean := 0
	for _, s := range te.Subjects {
		if e := ix.bySubject[s]; e != nil && see.subject(s) {
			d.Subjects = append(d.Subjects, e)
			fs, _ := c.svc.LintLatest(s)
			d.Findings[s] = len(fs)
			d.Total += len(fs)
			if len(fs) == 0 {
				clean++
			}
		}
	}
	if len(d.Subjects) > 0 {
		d.Score = clean * 100 / len(d.Subjects)
	}
	return c.render(ctx, http.StatusOK, "team", page{Title: name, Section: "teams", Data: d})
}

// side is one version on the diff page.
type side struct {
	Version int
	ID      int
	Type    compat.Type
	Deleted bool
	Date    string
}

type diffData struct {
	Subject  string
	Numbers  []int
	From, To side
	Level    compat.Level
	Verdicts []verdict
	// Changes are the compat engine's changes from From to To, each
	// marked compatible or not for readers of To (BACKWARD).
	Changes []compat.Change
	// Forward are the changes that break readers of From reading data
	// written with To.
	Forward []compat.Change
	// BackwardChecked and ForwardChecked say whether the level in force
	// checks each direction, so each change is marked breaking or not at
	// that level.
	BackwardChecked, ForwardChecked bool
	Rows                            []diffRow
	Identical                       bool
	Problem                         string
}

func (c *Catalogue) diff(ctx *echo.Context) error {
	subject := ctx.QueryParam("subject")
	if subject == "" {
		return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: "Name the subject whose versions to compare, such as subject=orders-value&from=1&to=2."})
	}
	nums, err := c.svc.Versions(subject, true, false)
	if err != nil || len(nums) == 0 || !c.canReadSubject(viewer(ctx), subject) {
		return c.notFound(ctx, "There is no subject "+strconv.Quote(subject)+" to compare versions of.")
	}
	last := nums[len(nums)-1]
	prev := nums[0]
	if len(nums) > 1 {
		prev = nums[len(nums)-2]
	}
	latest := last
	if live, err := c.svc.Versions(subject, false, false); err == nil && len(live) > 0 {
		latest = live[len(live)-1]
	}
	var malformed []string
	pick := func(param string, def int) int {
		raw := ctx.QueryParam(param)
		if raw == "" {
			return def
		}
		v, err := registry.ParseVersion(raw)
		if err != nil {
			malformed = append(malformed, param+"="+strconv.Quote(raw))
		}
		if v == registry.Latest {
			return latest
		}
		return v
	}
	from, to := pick("from", prev), pick("to", last)
	if len(malformed) > 0 {
		verb := " is not a version"
		if len(malformed) > 1 {
			verb = " are not versions"
		}
		return c.render(ctx, http.StatusBadRequest, "error", page{Title: "Bad request", Data: strings.Join(malformed, " and ") + verb +
			`: a version is a number from 1 to 2147483647 or "latest", such as from=1&to=2.`})
	}
	if msg := missingVersions(subject, nums, from, to); msg != "" {
		return c.notFound(ctx, msg)
	}
	a, errA := c.svc.Version(subject, from, true)
	b, errB := c.svc.Version(subject, to, true)
	if errA != nil || errB != nil {
		// A version was deleted for good between the listing and these
		// reads: answer as if it had happened before.
		nums, _ = c.svc.Versions(subject, true, false)
		nums = slices.DeleteFunc(nums, func(n int) bool { return (n == from && errA != nil) || (n == to && errB != nil) })
		return c.notFound(ctx, missingVersions(subject, nums, from, to))
	}
	d := diffData{Subject: subject, Numbers: nums, From: sideOf(a), To: sideOf(b)}
	left := c.cache.get(keyOf(a), c.syntax(d.From.Type), a.Schema)
	right := c.cache.get(keyOf(b), c.syntax(d.To.Type), b.Schema)
	d.Rows = sideBySide(left, right)
	d.Identical = a.ID == b.ID
	cfg, err := c.svc.GetConfig(subject, true)
	if err == nil && cfg.Compatibility != nil {
		d.Level = *cfg.Compatibility
	}
	opts := compat.Options{Lenient: cfg.CompatibilityPolicy != nil && *cfg.CompatibilityPolicy == "LENIENT"}
	inForce := d.Level
	if inForce == "" {
		inForce = compat.Backward
	}
	d.BackwardChecked, d.ForwardChecked = inForce.ChecksBackward(), inForce.ChecksForward()

	pa, _, errPA := c.svc.SchemaOfIDIn(registry.SubjectContext(a.Subject), a.ID)
	pb, _, errPB := c.svc.SchemaOfIDIn(registry.SubjectContext(b.Subject), b.ID)
	if err := errors.Join(errPA, errPB); err != nil {
		d.Problem = "A version no longer parses, so it cannot be compared: " + err.Error()
		return c.render(ctx, http.StatusOK, "diff", page{Title: subject + " diff", Section: "subjects", Data: d})
	}
	f := c.formats[d.To.Type]
	next := compat.Version{Version: to, Type: d.To.Type, Schema: pb}
	pair := compat.Version{Version: from, Type: d.From.Type, Schema: pa}
	span := c.span(subject, nums, from, to)
	d.Verdicts = verdicts(f, d.Level, next, pair, span, opts)
	if f != nil && d.From.Type == d.To.Type {
		d.Changes = f.Diff(pa, pb, opts)
		for _, ch := range f.Diff(pb, pa, opts) {
			if !ch.Compatible {
				d.Forward = append(d.Forward, ch)
			}
		}
	}
	return c.render(ctx, http.StatusOK, "diff", page{Title: subject + " diff", Section: "subjects", Data: d})
}

// missingVersions says which of the versions from and to subject lacks,
// nums being every version it has (soft-deleted ones included, which the
// page shows), and which it has instead; "" when it has both.
func missingVersions(subject string, nums []int, from, to int) string {
	var lacks []string
	switch hasFrom, hasTo := slices.Contains(nums, from), slices.Contains(nums, to); {
	case from == to && !hasFrom:
		lacks = append(lacks, "no version "+strconv.Itoa(from)+" (from and to)")
	default:
		if !hasFrom {
			lacks = append(lacks, "no version "+strconv.Itoa(from)+" (from)")
		}
		if !hasTo {
			lacks = append(lacks, "no version "+strconv.Itoa(to)+" (to)")
		}
	}
	if len(lacks) == 0 {
		return ""
	}
	msg := "Subject " + strconv.Quote(subject) + " has " + strings.Join(lacks, " and ")
	switch {
	case len(nums) == 1:
		msg += "; its one version is " + strconv.Itoa(nums[0])
	case len(nums) > 1 && len(nums) <= 10:
		words := make([]string, len(nums))
		for i, n := range nums {
			words[i] = strconv.Itoa(n)
		}
		msg += "; its versions are " + strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
	case len(nums) > 10:
		msg += "; its " + strconv.Itoa(len(nums)) + " versions run from " + strconv.Itoa(nums[0]) + " to " + strconv.Itoa(nums[len(nums)-1])
	}
	return msg + "."
}

// span is the live versions from `from` up to, not including, `to` (in
// either direction), parsed, oldest first: what a transitive level checks.
func (c *Catalogue) span(subject string, nums []int, from, to int) []compat.Version {
	lo, hi := min(from, to), max(from, to)
	var out []compat.Version
	for _, n := range nums {
		if n < lo || n > hi || n == to {
			continue
		}
		s, err := c.svc.Version(subject, n, n == from)
		if err != nil {
			continue
		}
		p, typ, err := c.svc.SchemaOfIDIn(registry.SubjectContext(s.Subject), s.ID)
		if err != nil {
			continue
		}
		out = append(out, compat.Version{Version: n, Type: typ, Schema: p})
	}
	return out
}

func sideOf(s registry.Schema) side {
	typ := confluent.TypeOrAvro(s.SchemaType)
	return side{Version: s.Version, ID: s.ID, Type: typ, Deleted: s.Deleted, Date: formatDate(s.Timestamp)}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
