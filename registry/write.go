package registry

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/charter-registry/charter/storage"
)

// Writes are decided in groups. Every write joins a queue; one of the
// waiting writers leads: it takes the writes at the head of the queue,
// begins (a Kafka transaction, or reads the end of a file log), waits
// until the state has applied everything below that end, and decides them
// one after the other, each on the snapshot the writes decided before it
// in the group would make (State.speculate), so every decision sees the
// state it will be applied to. The records of the whole group go to the
// log as one batch: one frame and one fsync on the file log, one
// transaction on Kafka. The group is then applied like any batch, and
// each writer returns once the state has applied it. A group that fails
// fails every write in it; none of its records was written. A commit that
// loses to another instance decides the group again from the new end.
//
// On a log that can queue a batch without waiting for it (a
// storage.Pipeliner: the file log) the leader passes the lead on as soon
// as its group is queued, and the next group is decided on the snapshot
// the queued groups will make, while they are being synced: several
// groups are in flight, and the file log's group commit syncs them
// together. Each group is queued at the offset its decisions assumed, so
// when a write fails (and the log gives its offsets out again) the groups
// decided after it fail too instead of landing without it.
//
// Decisions that read state the group's speculation does not carry run on
// their own: Service.Write's (solo) builds, which read the published
// state, and any decision that appends records an Extension applies
// (other than audit entries, which no decision reads) start a group of
// their own and close it, so they decide on the applied state and nothing
// after them in the group depends on what they wrote.

// Groups stay well inside what a log takes in one batch (Kafka's default
// limit is 1 MB and 10,000 records); a single write may be larger, alone.
const (
	maxGroupRecords = 2000
	maxGroupBytes   = 512 << 10
)

type writeQueue struct {
	mu      sync.Mutex
	pending []*writeReq
	leading bool
	// inflight counts groups queued on a Pipeliner and not yet durable;
	// spec is the snapshot they make together once applied, specEnd the
	// offset after them. specB, when set, is the builder that made spec:
	// the next group continues it (see decideGroup). Only the leader reads
	// spec: the next group changes it in place, so no reader may keep it.
	inflight int
	spec     *Snapshot
	specB    *builder
	specEnd  int64
	// last is the group queued last, for writes answered on spec.
	last *flight
	// batches and writes count the batches appended and the writes they
	// carried, for WriteBatches.
	batches, writes atomic.Int64
	// waitHook, when a test sets it before any write, runs each time a
	// leader waits in pipelineBase for the groups in flight to land.
	waitHook func()
}

// WriteBatches reports how many batches the service has appended to its
// log and how many writes they carried: writes/batches is how many
// concurrent writes shared one append (one fsync on the file log, one
// transaction on Kafka).
func (s *Service) WriteBatches() (batches, writes int64) {
	return s.writes.batches.Load(), s.writes.writes.Load()
}

// counted notes an appended batch of the writes in outs that added records.
func (q *writeQueue) counted(outs []outcome, recs int) {
	if recs == 0 {
		return
	}
	n := int64(0)
	for _, o := range outs {
		if o.waits && o.err == nil {
			n++
		}
	}
	q.batches.Add(1)
	q.writes.Add(n)
}

// flight is a group queued on a Pipeliner: done is closed once it is
// durable (end set) or failed (err set).
type flight struct {
	done chan struct{}
	end  int64
	err  error
}

type writeReq struct {
	ctx    context.Context
	solo   bool
	decide func(*Snapshot) ([]storage.Record, error)
	// done receives the outcome: the offset after the group's records, or
	// an error.
	done chan writeResult
	// lead tells a waiting writer that it leads the next group.
	lead chan struct{}
}

type writeResult struct {
	end int64
	err error
	// after, when set, is the queued group whose landing the answer
	// rests on: the write returns once it has, or with its error.
	after *flight
}

// write runs decide on a snapshot caught up with the log, plus the writes
// decided before it in its group, appends the records it returns with its
// group's as one batch, and waits until they are applied. A decide that
// returns no records writes nothing. solo marks a decision that reads the
// published state (State.Snapshot) rather than the snapshot it is given.
func (s *Service) write(ctx context.Context, solo bool, decide func(*Snapshot) ([]storage.Record, error)) error {
	req := &writeReq{ctx: ctx, solo: solo, decide: decide, done: make(chan writeResult, 1), lead: make(chan struct{}, 1)}
	q := &s.writes
	q.mu.Lock()
	q.pending = append(q.pending, req)
	if !q.leading {
		q.leading = true
		req.lead <- struct{}{}
	}
	q.mu.Unlock()
	expired := ctx.Done()
	for {
		select {
		case r := <-req.done:
			return s.settled(ctx, r)
		case <-req.lead:
			if pl, ok := s.log.(storage.Pipeliner); ok {
				s.leadPipelined(req, pl) // passes the lead on itself
			} else {
				s.leadGroup(req)
				s.passLead()
			}
		case <-expired:
			if s.leave(req) {
				return errTurnTimeout(ctx)
			}
			// Taken into a group that is being written: wait for its end
			// (the log's own timeouts bound it), so the answer is true.
			// Until then the write still answers the lead: a group whose
			// leader failed before deciding gives its writes back to the
			// queue (requeue), and the first of them is told to lead.
			testHookTaken()
			expired = nil
		}
	}
}

// testHookTaken runs when a write whose context ended finds that a group
// has taken it; tests replace it to know the write is waiting on the group.
var testHookTaken = func() {}

// errTurnTimeout is the answer to a write whose context ended before any
// group decided it.
func errTurnTimeout(ctx context.Context) error {
	return &Error{Code: CodeOperationTimeout, Message: "Operation timed out waiting for its turn to write", Err: ctx.Err()}
}

// settled waits for what a write's answer rests on: the group it was
// decided after, and the state applying its end.
func (s *Service) settled(ctx context.Context, r writeResult) error {
	if r.after != nil {
		select {
		case <-r.after.done:
		case <-ctx.Done():
			return &Error{Code: CodeOperationTimeout, Message: "Operation timed out waiting for earlier writes to reach the log", Err: ctx.Err()}
		}
		if r.after.err != nil {
			return storeError(ctx, r.after.err)
		}
		r.end = r.after.end
	}
	if r.err != nil || r.end == 0 {
		return r.err
	}
	return s.waitApplied(ctx, r.end)
}

// passLead makes the first waiting writer lead the next group, or notes
// that nobody leads.
func (s *Service) passLead() {
	q := &s.writes
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) > 0 {
		q.pending[0].lead <- struct{}{}
	} else {
		q.leading = false
	}
}

// leave takes a writer whose context ended off the queue; false when a
// group has taken it. A writer that was told to lead passes that on.
func (s *Service) leave(req *writeReq) bool {
	q := &s.writes
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.Index(q.pending, req)
	if i < 0 {
		return false
	}
	q.pending = slices.Delete(q.pending, i, i+1)
	select {
	case <-req.lead:
		if len(q.pending) > 0 {
			q.pending[0].lead <- struct{}{}
		} else {
			q.leading = false
		}
	default:
	}
	return true
}

// leadGroup decides and commits one group: the writes waiting now, as many
// as one batch takes. The leader's context bounds beginning and catching
// up; the batch itself is written whatever becomes of the leader's
// request, so that one client going away does not fail the others.
func (s *Service) leadGroup(leader *writeReq) {
	q := &s.writes
	q.mu.Lock()
	group := q.pending
	q.pending = nil
	q.mu.Unlock()
	ctx := leader.ctx
	wctx := context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		txn, end, err := s.begin(ctx)
		if err == nil {
			if err = s.waitApplied(ctx, end); err != nil && txn != nil {
				_ = txn.Abort(wctx)
			}
		}
		if err != nil {
			// Nothing was decided: the leader, whose context bounded the
			// wait, fails; the others wait for the next leader.
			s.requeue(slices.DeleteFunc(group, func(r *writeReq) bool { return r == leader }))
			leader.done <- writeResult{err: err}
			return
		}
		outs, recs, _, _ := s.decideGroup(s.state.Snapshot(), nil, false, group)
		s.requeue(group[len(outs):])
		group = group[:len(outs)]
		if len(recs) == 0 {
			if txn != nil {
				_ = txn.Abort(wctx)
			}
			s.answer(group, outs, writeResult{})
			return
		}
		var first int64
		if txn != nil {
			first, err = txn.Commit(wctx, recs...)
			if errors.Is(err, storage.ErrConflict) && attempt < 20 {
				continue
			}
		} else {
			first, err = s.log.Append(wctx, recs...)
		}
		if err != nil {
			err = storeError(wctx, err)
		} else {
			s.writes.counted(outs, len(recs))
		}
		s.answer(group, outs, writeResult{end: first + int64(len(recs)), err: err})
		return
	}
}

// requeue puts writes a group did not take back at the head of the queue.
func (s *Service) requeue(rest []*writeReq) {
	if len(rest) == 0 {
		return
	}
	q := &s.writes
	q.mu.Lock()
	q.pending = append(slices.Clone(rest), q.pending...)
	q.mu.Unlock()
}

// begin starts a group's write: a transaction on a shared log, else the
// log's end, below which the state must have applied everything before
// the group is decided.
func (s *Service) begin(ctx context.Context) (storage.Txn, int64, error) {
	if tl, ok := s.log.(storage.Transactional); ok {
		txn, err := tl.Begin(ctx)
		if err != nil {
			return nil, 0, storeError(ctx, err)
		}
		return txn, txn.End(), nil
	}
	end, err := s.log.End(ctx)
	if err != nil {
		return nil, 0, storeError(ctx, err)
	}
	return nil, end, nil
}

// outcome is one write's decision in a group: its own error, and whether
// its answer depends on the group being written (it added records, or it
// was decided on the records of writes before it).
type outcome struct {
	err   error
	waits bool
}

// decideGroup decides writes from the head of group on snapshot base
// (speculative: base holds queued groups not yet applied), each on the
// snapshot the ones before it make, and returns the outcomes of those it
// took (a prefix of group), their records in order, the snapshot they
// make (nil when the group holds records it did not speculate) and the
// builder that made it (nil when it is base).
//
// from, when not nil, is the builder that made base (the speculation of
// the groups in flight): the group continues it instead of starting one
// of its own, so a trie node that the groups in flight change is copied
// once for all of them rather than once per group. That changes base in
// place, which is safe because only the next group's decisions read the
// snapshot of the groups in flight, and groups are decided one after the
// other; after specEpoch records a builder is not continued, so that the
// speculation's own copies and index stay bounded under a load that
// always has a group in flight.
func (s *Service) decideGroup(base *Snapshot, from *builder, speculative bool, group []*writeReq) (outs []outcome, recs []storage.Record, sn *Snapshot, spec *builder) {
	sn = base
	bytes := 0
	if from != nil && (from.sn != base || from.applied >= specEpoch) {
		from = nil
	}
	for _, req := range group {
		alone := len(outs) == 0 && !speculative
		if req.solo && !alone {
			break
		}
		if req.ctx.Err() != nil {
			outs = append(outs, outcome{err: errTurnTimeout(req.ctx)})
			continue
		}
		out, err := req.decide(sn)
		if err != nil || len(out) == 0 {
			// What it answered may rest on the records decided before it.
			outs = append(outs, outcome{err: err, waits: err == nil && (len(recs) > 0 || speculative)})
			continue
		}
		barrier := req.solo || s.state.extended(out)
		if barrier && !alone {
			req.solo = true // decided again, alone, on the applied state
			break
		}
		size := recordsSize(out)
		if len(outs) > 0 && (len(recs)+len(out) > maxGroupRecords || bytes+size > maxGroupBytes) {
			break // decided again at the head of the next group
		}
		recs = append(recs, out...)
		bytes += size
		outs = append(outs, outcome{waits: true})
		if barrier {
			// Its records are not speculated: no snapshot says what the
			// group makes, so the next group waits for it to land
			// (pipelineBase) instead of deciding on base without them.
			return outs, recs, nil, nil
		}
		if spec == nil {
			spec = from
		}
		if spec == nil {
			spec = newBuilder(base, s.state.gen.Add(1))
		}
		sn = s.state.speculate(spec, out)
	}
	if sn == base {
		spec = from
	}
	return outs, recs, sn, spec
}

// specEpoch is how many records one speculation builder applies, over the
// groups that continue it, before the next group starts a builder of its
// own.
const specEpoch = 4096

// leadPipelined decides one group and queues it on pl, passes the lead on
// once it is queued, and then waits for the group to be durable.
func (s *Service) leadPipelined(leader *writeReq, pl storage.Pipeliner) {
	q := &s.writes
	q.mu.Lock()
	group := q.pending
	q.pending = nil
	q.mu.Unlock()
	ctx := leader.ctx
	wctx := context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		base, from, end, speculative, err := s.pipelineBase(ctx, group[0].solo)
		if err != nil {
			s.requeue(slices.DeleteFunc(group, func(r *writeReq) bool { return r == leader }))
			leader.done <- writeResult{err: err}
			s.passLead()
			return
		}
		outs, recs, next, nextB := s.decideGroup(base, from, speculative, group)
		if len(outs) == 0 && attempt < 20 {
			continue // its head must decide alone, on the applied state
		}
		s.requeue(group[len(outs):])
		group = group[:len(outs)]
		if len(recs) == 0 {
			var after *flight
			if speculative {
				q.mu.Lock()
				after = q.last
				q.mu.Unlock()
			}
			s.answer(group, outs, writeResult{after: after})
			s.passLead()
			return
		}
		wait, err := pl.Enqueue(wctx, end, recs...)
		if errors.Is(err, storage.ErrConflict) && attempt < 20 {
			// A queued group failed (its offsets are given out again), or
			// someone else appended: decide again on what the log holds.
			s.dropSpeculation()
			s.requeue(group)
			q.mu.Lock()
			group = q.pending
			q.pending = nil
			q.mu.Unlock()
			continue
		}
		if err != nil {
			// The group's speculation may have changed the snapshot of
			// the groups in flight in place (decideGroup): forget it.
			s.dropSpeculation()
			s.answer(group, outs, writeResult{err: storeError(wctx, err)})
			s.passLead()
			return
		}
		f := &flight{done: make(chan struct{})}
		q.mu.Lock()
		q.inflight++
		q.spec, q.specB, q.specEnd, q.last = next, nextB, end+int64(len(recs)), f
		q.mu.Unlock()
		s.passLead()

		first, err := wait(wctx)
		f.end, f.err = first+int64(len(recs)), err
		close(f.done)
		q.mu.Lock()
		q.inflight--
		if err != nil {
			q.spec, q.specB = nil, nil
		}
		q.mu.Unlock()
		s.broadcast() // wake a leader waiting for the groups in flight
		if err != nil {
			s.answer(group, outs, writeResult{err: storeError(wctx, err)})
			return
		}
		q.counted(outs, len(recs))
		s.answer(group, outs, writeResult{end: first + int64(len(recs))})
		return
	}
}

// pipelineBase returns the snapshot the next group is decided on and the
// offset its batch must get: the snapshot of the groups in flight (with
// the builder that made it, if any), or, with none in flight (or for a
// write that must decide alone, once they have landed), the applied state
// caught up with the log's end.
func (s *Service) pipelineBase(ctx context.Context, alone bool) (*Snapshot, *builder, int64, bool, error) {
	q := &s.writes
	for {
		s.nmu.Lock()
		ch := s.notify
		s.nmu.Unlock()
		q.mu.Lock()
		inflight, spec, specB, specEnd := q.inflight, q.spec, q.specB, q.specEnd
		if inflight == 0 {
			q.specB = nil // landed: the next group starts from the applied state
		}
		q.mu.Unlock()
		if inflight > 0 && spec != nil && !alone {
			return spec, specB, specEnd, true, nil
		}
		if inflight == 0 {
			end, err := s.log.End(ctx)
			if err != nil {
				return nil, nil, 0, false, storeError(ctx, err)
			}
			if err := s.waitApplied(ctx, end); err != nil {
				return nil, nil, 0, false, err
			}
			return s.state.Snapshot(), nil, end, false, nil
		}
		// Wait until the groups in flight are durable or failed.
		if q.waitHook != nil {
			q.waitHook()
		}
		select {
		case <-ctx.Done():
			return nil, nil, 0, false, &Error{Code: CodeOperationTimeout, Message: "Operation timed out waiting for earlier writes to reach the log", Err: ctx.Err()}
		case <-ch:
		}
	}
}

// dropSpeculation forgets the snapshot of the groups in flight, so the
// next group is decided on the applied state.
func (s *Service) dropSpeculation() {
	q := &s.writes
	q.mu.Lock()
	q.spec, q.specB = nil, nil
	q.mu.Unlock()
}

// answer tells each write of a group how it ended: its own decision's
// error or answer, or the group's result when its answer depends on it.
func (s *Service) answer(group []*writeReq, outs []outcome, res writeResult) {
	for i, req := range group {
		r := writeResult{err: outs[i].err}
		if outs[i].waits {
			r = res
		}
		req.done <- r
	}
}

func recordsSize(recs []storage.Record) int {
	n := 0
	for _, r := range recs {
		n += len(r.Key) + len(r.Value) + 64
	}
	return n
}
