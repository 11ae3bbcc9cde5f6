package web

import (
	"html/template"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/charter-registry/charter/compat"
)

// diffRow is one row of a side-by-side diff. A side with no line (an
// insertion seen from the left, a deletion from the right) has number 0.
type diffRow struct {
	Kind            string // same, changed, added, removed
	LeftNo, RightNo int
	Left, Right     template.HTML
	LeftOK, RightOK bool
}

// sideBySide lines up the display lines of two schemas. Deleted and
// inserted runs that follow each other are paired row by row as changes,
// so a renamed field sits beside its old name.
func sideBySide(left, right *rendered) []diffRow {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(joinLines(left.text), joinLines(right.text))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	leftLines, rightLines := left.all(), right.all()

	var rows []diffRow
	li, ri := 0, 0
	var dels, adds int
	flush := func() {
		n := max(dels, adds)
		for k := 0; k < n; k++ {
			row := diffRow{Kind: "changed"}
			if k < dels {
				row.LeftOK, row.LeftNo, row.Left = true, li+1, leftLines[li]
				li++
			}
			if k < adds {
				row.RightOK, row.RightNo, row.Right = true, ri+1, rightLines[ri]
				ri++
			}
			switch {
			case !row.LeftOK:
				row.Kind = "added"
			case !row.RightOK:
				row.Kind = "removed"
			}
			rows = append(rows, row)
		}
		dels, adds = 0, 0
	}
	for _, d := range diffs {
		n := strings.Count(d.Text, "\n")
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			dels += n
		case diffmatchpatch.DiffInsert:
			adds += n
		case diffmatchpatch.DiffEqual:
			flush()
			for k := 0; k < n; k++ {
				rows = append(rows, diffRow{Kind: "same", LeftOK: true, RightOK: true,
					LeftNo: li + 1, RightNo: ri + 1, Left: leftLines[li], Right: rightLines[ri]})
				li++
				ri++
			}
		}
	}
	flush()
	return rows
}

// joinLines ends every line with a newline, so that each line is one unit
// to the line-mode diff and the last line compares like the others.
func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// verdict is the answer at one compatibility level.
type verdict struct {
	Level      compat.Level
	Compatible bool
	Problems   []compat.Violation
	// Configured marks the level the subject is configured with.
	Configured bool
	// SameAs names an earlier level with the very same problems, so the
	// page says why only once.
	SameAs compat.Level
}

// verdicts checks the newer schema against the older at every level. The
// non-transitive levels compare the two versions; the transitive ones
// compare the newer against every live version from the older one up to
// it, as a registration would have been checked had the versions between
// them not been there.
func verdicts(f compat.Format, configured compat.Level, next compat.Version, pair compat.Version, span []compat.Version, opts compat.Options) []verdict {
	out := make([]verdict, 0, len(compat.Levels))
	for _, l := range compat.Levels {
		prev := []compat.Version{pair}
		if l.Transitive() {
			prev = span
		}
		var v []compat.Violation
		if f != nil {
			v = compat.Check(f, l, next.Type, next.Schema, prev, opts)
		} else if l != compat.None {
			v = []compat.Violation{{Change: compat.Change{Kind: "FORMAT_UNAVAILABLE", Rule: "FORMAT_UNAVAILABLE", Path: "/", Message: "the catalogue has no format for " + string(next.Type)}, OldVersion: pair.Version}}
		}
		vd := verdict{Level: l, Compatible: len(v) == 0, Problems: v, Configured: l == configured}
		for _, earlier := range out {
			if len(v) > 0 && slices.Equal(earlier.Problems, v) {
				vd.SameAs = earlier.Level
				break
			}
		}
		out = append(out, vd)
	}
	return out
}
