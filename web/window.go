package web

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/charter-registry/charter/governance"
)

// windowSource is a Directory that knows topics' upgrade windows; the
// default GovernanceDirectory does (governance.Window).
type windowSource interface {
	window(v governance.Viewer, topic string) (governance.Window, bool)
}

func (d governanceDirectory) window(v governance.Viewer, topic string) (governance.Window, bool) {
	w, err := d.gov.Window(v, topic)
	return w, err == nil
}

// windowView is a topic's upgrade window as the topic page draws it: the
// lifecycle as steps, the dates on a bar with today marked, each
// consumer's migration state, and the history.
type windowView struct {
	Stages     []stageView
	Successor  string
	Deprecated string
	Sunset     string
	// Left says how long until the sunset date, or how long since it
	// passed (Overdue).
	Left    string
	Overdue bool
	// Consumers, with how many have migrated.
	Consumers []consumerView
	Migrated  int
	Pending   []string
	History   []historyView
	Bar       *windowBar
}

type stageView struct {
	Name string
	// State is done, current or next.
	State string
}

type consumerView struct {
	Name        string
	Team        bool
	State       string
	OnSuccessor bool
}

type historyView struct {
	When      string
	Principal string
	// What says the step in words: "deprecated (was active)", "billing
	// migrated".
	What   string
	Forced bool
	Reason string
	Link   string
	Entry  string
}

// windowBar is the window drawn from its deprecation date to its sunset
// date, with today and each migration placed on it.
type windowBar struct {
	Width, Height int
	X0, X1, Y     int
	Start, End    string
	Now           *barMark
	Marks         []barMark
	Title, Desc   string
}

type barMark struct {
	X     int
	Label string
}

const (
	barWidth  = 760
	barHeight = 86
	barLeft   = 20
	barRight  = 740
	barY      = 44
)

var lifecycleSteps = []governance.Lifecycle{governance.Active, governance.Deprecated, governance.Retired, governance.Archived}

// windowOf builds the topic's window view, or nil for an active topic
// that never had one.
func (c *Catalogue) windowOf(v governance.Viewer, topic string) *windowView {
	src, ok := c.cfg.directory.(windowSource)
	if !ok {
		return nil
	}
	w, ok := src.window(v, topic)
	if !ok || (w.Lifecycle == governance.Active && len(w.History) == 0) {
		return nil
	}
	wv := &windowView{Successor: w.Successor, Pending: w.Pending}
	current := 0
	for i, s := range lifecycleSteps {
		if s == w.Lifecycle {
			current = i
		}
	}
	for i, s := range lifecycleSteps {
		st := "next"
		switch {
		case i < current:
			st = "done"
		case i == current:
			st = "current"
		}
		wv.Stages = append(wv.Stages, stageView{Name: string(s), State: st})
	}
	dep, depOK := parseRFC3339(w.DeprecationDate)
	sun, sunOK := parseRFC3339(w.SunsetDate)
	if depOK {
		wv.Deprecated = dep.Format("2006-01-02 15:04 UTC")
	}
	if sunOK {
		wv.Sunset = sun.Format("2006-01-02 15:04 UTC")
	}
	if w.SecondsLeft != nil {
		left := time.Duration(*w.SecondsLeft) * time.Second
		if left < 0 {
			wv.Overdue = true
			wv.Left = "the sunset date passed " + humanDuration(-left) + " ago"
		} else {
			wv.Left = humanDuration(left) + " left"
		}
	}
	for _, cm := range w.Consumers {
		wv.Consumers = append(wv.Consumers, consumerView{Name: cm.Consumer, Team: cm.Team, State: string(cm.State), OnSuccessor: cm.OnSuccessor})
		if cm.State == governance.Migrated {
			wv.Migrated++
		}
	}
	for _, e := range w.History {
		h := historyView{When: e.Time.UTC().Format("2006-01-02 15:04 UTC"), Principal: e.Principal, Forced: e.Forced, Reason: e.Reason, Link: e.Link, Entry: auditEntryURL(e.Position)}
		switch {
		case e.Consumer != "":
			h.What = e.Consumer + " " + string(e.State)
		case e.From == "":
			h.What = "created " + string(e.To)
		default:
			h.What = string(e.To) + " (was " + string(e.From) + ")"
		}
		wv.History = append(wv.History, h)
	}
	if depOK && sunOK && sun.After(dep) {
		wv.Bar = windowBarOf(w, dep, sun, c.svc.Now())
	}
	return wv
}

// windowBarOf places today and each migration on the bar from dep to sun.
func windowBarOf(w governance.Window, dep, sun, now time.Time) *windowBar {
	b := &windowBar{Width: barWidth, Height: barHeight, X0: barLeft, X1: barRight, Y: barY,
		Start: dep.Format("2006-01-02"), End: sun.Format("2006-01-02"),
		Title: "Upgrade window of topic " + w.Topic}
	x := func(t time.Time) int {
		f := float64(t.Sub(dep)) / float64(sun.Sub(dep))
		f = math.Max(0, math.Min(1, f))
		return barLeft + int(math.Round(f*float64(barRight-barLeft)))
	}
	b.Desc = "From the deprecation on " + b.Start + " to the sunset on " + b.End
	if w.Lifecycle == governance.Deprecated {
		b.Now = &barMark{X: x(now), Label: "today"}
		b.Desc += "; today is " + now.UTC().Format("2006-01-02")
	}
	migrated := 0
	for _, e := range w.History {
		if e.Consumer != "" && e.State == governance.Migrated && !e.Time.Before(dep) {
			b.Marks = append(b.Marks, barMark{X: x(e.Time), Label: e.Consumer + " migrated " + e.Time.UTC().Format("2006-01-02")})
			migrated++
		}
	}
	b.Desc += fmt.Sprintf("; %d migration%s marked.", migrated, plural(migrated))
	return b
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func parseRFC3339(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err == nil
}

// humanDuration says a duration in the largest whole unit that reads
// well: days, else hours, else minutes.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d >= 2*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d >= 2*time.Minute:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	default:
		return "less than two minutes"
	}
}
