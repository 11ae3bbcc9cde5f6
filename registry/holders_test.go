package registry

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// holdersByScan is what the id -> subjects index must answer: every
// subject of ctx with a version (soft-deleted included) holding id, found
// by walking every subject, sorted.
func holdersByScan(sn *Snapshot, ctx string, id int) []string {
	var out []string
	sn.eachSubject(func(name string, ss *subjectState) bool {
		if contextOf(name) == ctx && ss.newestWith(id) != nil {
			out = append(out, name)
		}
		return true
	})
	sort.Strings(out)
	return out
}

func holdersByIndex(sn *Snapshot, ctx string, id int) []string {
	var out []string
	sn.EachSubjectOfID(ctx, id, func(s string) bool {
		out = append(out, s)
		return true
	})
	sort.Strings(out)
	return out
}

// TestIDHoldersIndexMatchesAScan applies random registrations, version
// rewrites, soft deletes and hard deletes over subjects of two contexts,
// some ids shared by many subjects, in batches of random size, and checks
// after every batch that the snapshot's id -> subjects index answers what
// a walk of every subject does, that the listings and the lookup of an id
// in a context agree with it, and at the end that every earlier snapshot
// still answers what it answered when it was published (the index is
// persistent, never changed in place once published).
func TestIDHoldersIndexMatchesAScan(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(19, 15))
	st := NewState()
	contexts := []string{DefaultContext, ".ctx"}
	subjectName := func(ctx string, i int) string {
		if ctx == DefaultContext {
			return fmt.Sprintf("s-%d", i)
		}
		return fmt.Sprintf(":%s:s-%d", ctx, i)
	}
	// Within a context an id always stands for the same text.
	text := func(id int) string {
		return fmt.Sprintf(`{"type":"record","name":"R%d","fields":[]}`, id)
	}
	type published struct {
		sn   *Snapshot
		want map[string]map[int][]string
	}
	var history []published
	const ids, subjects = 12, 40
	offset := int64(0)
	versions := map[string]int{} // subject -> newest version written
	snapshotWant := func(sn *Snapshot) map[string]map[int][]string {
		want := map[string]map[int][]string{}
		for _, ctx := range contexts {
			want[ctx] = map[int][]string{}
			for id := 1; id <= ids; id++ {
				want[ctx][id] = holdersByScan(sn, ctx, id)
			}
		}
		return want
	}
	for batch := range 300 {
		var ds []Decoded
		for range 1 + rng.IntN(8) {
			ctx := contexts[rng.IntN(len(contexts))]
			subject := subjectName(ctx, rng.IntN(subjects))
			// Ids 1 and 2 are popular: held by many subjects at once.
			id := 1 + rng.IntN(ids)
			if rng.IntN(3) == 0 {
				id = 1 + rng.IntN(2)
			}
			var r storage.Record
			switch op := rng.IntN(10); {
			case op < 5 || versions[subject] == 0:
				versions[subject]++
				r = storage.Record{Key: schemaKey(subject, versions[subject]).Encode(), Value: fmt.Appendf(nil,
					`{"subject":%q,"version":%d,"id":%d,"schema":%q,"deleted":false}`, subject, versions[subject], id, text(id))}
			case op < 7:
				// Rewrite an existing version with another id (or the same).
				v := 1 + rng.IntN(versions[subject])
				r = storage.Record{Key: schemaKey(subject, v).Encode(), Value: fmt.Appendf(nil,
					`{"subject":%q,"version":%d,"id":%d,"schema":%q,"deleted":%t}`, subject, v, id, text(id), rng.IntN(2) == 0)}
			case op < 8:
				r = storage.Record{Key: Key{Type: KeyDeleteSubject, Subject: subject}.Encode(), Value: fmt.Appendf(nil,
					`{"subject":%q,"version":%d}`, subject, versions[subject])}
			default:
				r = tombstone(schemaKey(subject, 1+rng.IntN(versions[subject])))
			}
			r.Offset = offset
			offset++
			ds = append(ds, Decode(r))
		}
		for _, err := range st.ApplyBatch(ds) {
			if err != nil {
				t.Fatalf("batch %d: %v", batch, err)
			}
		}
		sn := st.Snapshot()
		want := snapshotWant(sn)
		for _, ctx := range contexts {
			for id := 1; id <= ids; id++ {
				if got := holdersByIndex(sn, ctx, id); !slices.Equal(got, want[ctx][id]) {
					t.Fatalf("batch %d: holders of %d in %s: index %v, scan %v", batch, id, ctx, got, want[ctx][id])
				}
				if sn.space(ctx).schema(id) == nil {
					continue
				}
				got, err := sn.SubjectsOfID(ctx, id, true)
				if err != nil || !slices.Equal(got, want[ctx][id]) {
					t.Fatalf("batch %d: SubjectsOfID(%s, %d): %v %v, want %v", batch, ctx, id, got, err, want[ctx][id])
				}
				// A context alone finds the first holder by name, at its
				// newest version holding id.
				name, vs := sn.holderIn(id, confluent.Subject{Context: ctx})
				if len(want[ctx][id]) == 0 {
					t.Fatalf("batch %d: id %d of %s is stored but held by no subject", batch, id, ctx)
				}
				first := want[ctx][id][0]
				if name != first || vs != sn.subject(first).newestWith(id) {
					t.Fatalf("batch %d: holder of %d in %s: %q, want %q", batch, id, ctx, name, first)
				}
			}
		}
		history = append(history, published{sn, want})
	}
	for i, p := range history {
		for _, ctx := range contexts {
			for id := 1; id <= ids; id++ {
				if got := holdersByIndex(p.sn, ctx, id); !slices.Equal(got, p.want[ctx][id]) {
					t.Fatalf("snapshot %d changed after it was published: holders of %d in %s: %v, then %v", i, id, ctx, p.want[ctx][id], got)
				}
			}
		}
	}
}
