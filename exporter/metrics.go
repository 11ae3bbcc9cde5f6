package exporter

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the exporters' Prometheus metrics. Offset, lag and state
// are read from the exporters' status at scrape time, so every instance
// reports them (the running instance its live lag); the counters count
// what this instance sent. A deleted exporter's series go: the gauges
// with its status, the counters when its deletion is applied and again
// when its worker has stopped (a step it finished in between counts).
type metrics struct {
	m         *Manager
	offset    *prometheus.Desc
	lagDesc   *prometheus.Desc
	stateDesc *prometheus.Desc
	ownerG    prometheus.Gauge
	ops       *prometheus.CounterVec
	errors    *prometheus.CounterVec
}

func newMetrics(m *Manager) *metrics {
	return &metrics{
		m:         m,
		offset:    prometheus.NewDesc("charter_exporter_offset", "Source log position the exporter's destination reflects: every change below it has been exported.", []string{"exporter"}, nil),
		lagDesc:   prometheus.NewDesc("charter_exporter_lag", "Changes (versions to import or delete, subject configs) the exporter has yet to send to its destination.", []string{"exporter"}, nil),
		stateDesc: prometheus.NewDesc("charter_exporter_state", "The exporter's current state (STARTING, RUNNING, PAUSED, ERROR) has the value 1, the others 0.", []string{"exporter", "state"}, nil),
		ownerG: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "charter_exporter_lease_held", Help: "Whether this instance holds the exporter lease and runs the cluster's exporters (1) or not (0).",
		}),
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_exporter_operations_total", Help: "Steps this instance sent to exporters' destinations, by kind (import, delete, purge, config, unconfig).",
		}, []string{"exporter", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_exporter_failures_total", Help: "Export passes that failed on this instance and were retried.",
		}, []string{"exporter"}),
	}
}

// Collectors returns the exporters' metrics, for the API's registry.
func (m *Manager) Collectors() []prometheus.Collector {
	return []prometheus.Collector{statusCollector{m.metrics}, m.metrics.ownerG, m.metrics.ops, m.metrics.errors}
}

type statusCollector struct{ x *metrics }

func (c statusCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.x.offset
	ch <- c.x.lagDesc
	ch <- c.x.stateDesc
}

func (c statusCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.x.m.List() {
		ch <- prometheus.MustNewConstMetric(c.x.offset, prometheus.GaugeValue, float64(p.Offset), p.Name)
		ch <- prometheus.MustNewConstMetric(c.x.lagDesc, prometheus.GaugeValue, float64(p.Lag), p.Name)
		for _, s := range []State{StateStarting, StateRunning, StatePaused, StateError} {
			v := 0.0
			if p.State == s {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.x.stateDesc, prometheus.GaugeValue, v, p.Name, string(s))
		}
	}
}

func (x *metrics) owner(held bool) {
	if held {
		x.ownerG.Set(1)
	} else {
		x.ownerG.Set(0)
	}
}

func (x *metrics) exported(name, kind string) { x.ops.WithLabelValues(name, kind).Inc() }

// forget removes the series of a deleted exporter, so /metrics stops
// showing it (the gauges, read from the status records, go with them).
func (x *metrics) forget(name string) {
	x.ops.DeletePartialMatch(prometheus.Labels{"exporter": name})
	x.errors.DeleteLabelValues(name)
}
func (x *metrics) failed(name string) { x.errors.WithLabelValues(name).Inc() }
