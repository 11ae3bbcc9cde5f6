package web

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// lineageView is a producers → topics → consumers diagram, laid out on
// the server as SVG so that it reads without JavaScript. Every box is a
// link with a text label and a <title> holding the full name; the SVG's
// own title and description say the whole picture in words for screen
// readers.
type lineageView struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Columns       []lineageColumn
	Nodes         []lineageNode
	Edges         []lineageEdge
}

type lineageColumn struct {
	X     int
	Label string
}

type lineageNode struct {
	X, Y, W, H int
	// TextX and TextY place the label inside the box.
	TextX, TextY int
	Label        string
	Full         string
	URL          string
	// Kind is producer, topic or consumer, for styling.
	Kind string
	// Focus marks the node the page is about.
	Focus bool
}

type lineageEdge struct {
	D     string
	Title string
}

// lineage sizes, in SVG user units (pixels at 100%).
const (
	lnColumn   = 290
	lnBox      = 190
	lnRow      = 38
	lnBoxH     = 28
	lnTop      = 34
	lnMaxLabel = 26
)

// lineageFlow is one topic with the applications or teams that write to it
// and read from it.
type lineageFlow struct {
	Topic     string
	Producers []string
	Consumers []string
}

// buildLineage lays out flows in three columns. focus names the topic or
// team the page is about, which is drawn highlighted; teams that the index
// knows link to their pages, topics to theirs.
func (ix *index) buildLineage(id, title string, flows []lineageFlow, focus string) *lineageView {
	if len(flows) == 0 {
		return nil
	}
	var producers, topics, consumers []string
	seen := map[string]bool{}
	add := func(list *[]string, kind, name string) {
		if k := kind + "\x00" + name; !seen[k] {
			seen[k] = true
			*list = append(*list, name)
		}
	}
	for _, f := range flows {
		add(&topics, "topic", f.Topic)
		for _, p := range f.Producers {
			add(&producers, "producer", p)
		}
		for _, c := range f.Consumers {
			add(&consumers, "consumer", c)
		}
	}
	sort.Strings(producers)
	sort.Strings(consumers)
	rows := max(len(producers), len(topics), len(consumers), 1)
	v := &lineageView{ID: id, Title: title, Width: 2*lnColumn + lnBox + 20, Height: lnTop + rows*lnRow + 10}
	v.Columns = []lineageColumn{{X: 10, Label: "Producers"}, {X: 10 + lnColumn, Label: "Topics"}, {X: 10 + 2*lnColumn, Label: "Consumers"}}
	pos := map[string]lineageNode{}
	place := func(col int, kind string, names []string) {
		// Shorter columns are centred against the tallest.
		offset := (rows - len(names)) * lnRow / 2
		for i, name := range names {
			n := lineageNode{X: v.Columns[col].X, Y: lnTop + offset + i*lnRow, W: lnBox, H: lnBoxH, Label: shorten(name, lnMaxLabel), Full: name, Kind: kind}
			n.TextX, n.TextY = n.X+10, n.Y+lnBoxH/2+5
			switch {
			case kind == "topic":
				n.URL = topicURL(name)
			case ix.byTeam[name] != nil:
				n.URL = teamURL(name)
			}
			n.Focus = name == focus
			pos[kind+"\x00"+name] = n
			v.Nodes = append(v.Nodes, n)
		}
	}
	place(0, "producer", producers)
	place(1, "topic", topics)
	place(2, "consumer", consumers)
	edge := func(from, to lineageNode, verb string) {
		x1, y1 := from.X+from.W, from.Y+from.H/2
		x2, y2 := to.X, to.Y+to.H/2
		mid := (x1 + x2) / 2
		v.Edges = append(v.Edges, lineageEdge{
			D:     fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2-6, y2),
			Title: from.Full + " " + verb + " " + to.Full,
		})
	}
	var desc []string
	for _, f := range flows {
		t := pos["topic\x00"+f.Topic]
		for _, p := range f.Producers {
			edge(pos["producer\x00"+p], t, "produces to")
		}
		for _, c := range f.Consumers {
			edge(t, pos["consumer\x00"+c], "is consumed by")
		}
		desc = append(desc, describeFlow(f))
	}
	v.Desc = strings.Join(desc, " ")
	return v
}

// describeFlow says one topic's lineage in a sentence.
func describeFlow(f lineageFlow) string {
	s := "Topic " + f.Topic
	switch {
	case len(f.Producers) == 0:
		s += " has no producer recorded"
	default:
		s += " is produced by " + joinNames(f.Producers)
	}
	if len(f.Consumers) == 0 {
		return s + " and no consumer recorded."
	}
	return s + " and consumed by " + joinNames(f.Consumers) + "."
}

func joinNames(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// shorten cuts a label that would not fit its box, on a rune boundary;
// the full name stays in the box's title.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// topicLineage is one topic's flow.
func (ix *index) topicLineage(t *topicEntry) *lineageView {
	return ix.buildLineage("lineage-topic", "Lineage of topic "+t.Name,
		[]lineageFlow{{Topic: t.Name, Producers: t.Producers, Consumers: t.Consumers}}, t.Name)
}

// teamLineage is the flows of every topic the team owns or consumes, or
// produces to when a producer is named after the team, that the reader
// may see.
func (ix *index) teamLineage(team *teamEntry, see *sight) *lineageView {
	var flows []lineageFlow
	for _, t := range see.topics(ix.topics) {
		if t.Team != team.Name && !slices.Contains(t.Consumers, team.Name) && !slices.Contains(t.Producers, team.Name) {
			continue
		}
		flows = append(flows, lineageFlow{Topic: t.Name, Producers: t.Producers, Consumers: t.Consumers})
	}
	return ix.buildLineage("lineage-team", "Lineage of team "+team.Name+"'s topics", flows, team.Name)
}
