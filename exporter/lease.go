package exporter

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/charter-registry/charter/storage"
)

// errFenced stops a running exporter whose instance lost the lease or
// whose definition changed under it: its writes are refused.
var errFenced = errors.New("exporter: lease lost or definition changed")

// Run runs the cluster's exporters on this instance whenever it holds the
// lease, until ctx ends. Every instance runs it; one at a time holds the
// lease. The holder renews it every third of the lease's TTL; the others
// take over when they have not seen it renewed for a whole TTL by their
// own clocks, and the holder stops its exporters when it could not renew
// for four fifths of one, so two instances never both believe they run
// them. On a clean stop the holder gives the lease up.
func (m *Manager) Run(ctx context.Context) error {
	if err := m.svc.WaitReady(ctx); err != nil {
		return err
	}
	workers := map[string]*worker{}
	stopAll := func() {
		for n, w := range workers {
			w.stop()
			delete(workers, n)
		}
	}
	defer func() {
		stopAll()
		m.release()
	}()
	renew := m.cfg.LeaseTTL / 3
	var heldSince time.Time // start of the last successful renewal
	for {
		wake := m.wakeChan()
		if len(m.Names()) == 0 {
			stopAll()
			if m.holds() {
				m.release()
			}
			heldSince = time.Time{}
		} else if !heldSince.IsZero() && time.Since(heldSince) < renew {
			// still fresh
		} else {
			start := time.Now()
			// Only write when the lease may be taken: a write that builds
			// nothing still opens a transaction on a shared Kafka log.
			renewed := false
			if m.available() {
				err := m.acquire(ctx)
				if err != nil && ctx.Err() == nil {
					m.cfg.Logger.Warn("exporter lease: renewal failed", slog.Any("error", err))
				}
				renewed = err == nil
			}
			// Only a write that succeeded extends the lease: a holder that
			// cannot write lets it run out.
			if renewed && m.holds() {
				if heldSince.IsZero() {
					m.cfg.Logger.Info("exporter lease acquired: running the exporters", slog.String("instance", m.cfg.Instance))
				}
				heldSince = start
			}
		}
		owner := !heldSince.IsZero() && time.Since(heldSince) < m.cfg.LeaseTTL*4/5 && m.holds()
		m.metrics.owner(owner)
		if !owner {
			if len(workers) > 0 {
				m.cfg.Logger.Warn("exporter lease lost: stopping the exporters", slog.String("instance", m.cfg.Instance))
			}
			stopAll()
			heldSince = time.Time{}
		} else {
			m.reconcileWorkers(ctx, workers)
		}
		wait := renew
		if !heldSince.IsZero() {
			wait = max(0, renew-time.Since(heldSince))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (m *Manager) holds() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.lease.Owner == m.cfg.Instance
}

// available reports whether this instance may take the lease: it holds
// it, nobody does, or the holder has not renewed it for a whole TTL as
// this instance's clock sees it.
func (m *Manager) available() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.availableLocked()
}

func (m *Manager) availableLocked() bool {
	return m.lease.Owner == m.cfg.Instance || m.lease.Owner == "" || time.Since(m.leaseSeen) >= m.cfg.LeaseTTL
}

// acquire takes or renews the lease: it writes only when this instance
// holds it, when nobody does, or when the holder has not renewed it for a
// whole TTL as this instance's clock sees it.
func (m *Manager) acquire(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, m.cfg.LeaseTTL/3)
	defer cancel()
	return m.write(wctx, func() ([]storage.Record, error) {
		cur := m.lease
		if !m.availableLocked() {
			return nil, nil
		}
		r, err := m.leaseRecs.Record(leaseName, leaseValue{Owner: m.cfg.Instance, Seq: cur.Seq + 1, Ts: m.now()})
		if err != nil {
			return nil, err
		}
		return []storage.Record{r}, nil
	})
}

// release gives the lease up if this instance holds it, so another takes
// over without waiting for it to expire.
func (m *Manager) release() {
	if !m.holds() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.LeaseTTL/3)
	defer cancel()
	err := m.write(ctx, func() ([]storage.Record, error) {
		if m.lease.Owner != m.cfg.Instance {
			return nil, nil
		}
		r, err := m.leaseRecs.Record(leaseName, leaseValue{Seq: m.lease.Seq + 1, Ts: m.now()})
		if err != nil {
			return nil, err
		}
		return []storage.Record{r}, nil
	})
	if err != nil {
		m.cfg.Logger.Warn("exporter lease: release failed", slog.Any("error", err))
	}
}

// reconcileWorkers runs one worker per exporter, on its current
// generation: a changed definition restarts its worker.
func (m *Manager) reconcileWorkers(ctx context.Context, workers map[string]*worker) {
	m.mu.RLock()
	defs := make(map[string]definition, len(m.defs))
	for n, d := range m.defs {
		defs[n] = d
	}
	m.mu.RUnlock()
	for n, w := range workers {
		exited := false
		select {
		case <-w.done:
			exited = true // it gave up (a write it could not make); start it again
		default:
		}
		if d, ok := defs[n]; !ok || d.Generation != w.def.Generation || exited {
			w.stop()
			delete(workers, n)
		}
	}
	for n, d := range defs {
		if _, ok := workers[n]; !ok {
			workers[n] = m.startWorker(ctx, d)
		}
	}
}
