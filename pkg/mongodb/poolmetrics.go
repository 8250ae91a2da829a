package mongodb

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// driverMaxPoolSize is the driver's cap on a server's pool when the URI
// sets none.
const driverMaxPoolSize = 100

// poolMetrics follow the driver's connection pools through its pool
// events: a pool that runs full makes every call wait (then time out as
// UNAVAILABLE), and a pool that keeps being cleared is a connection to the
// database that keeps breaking. The RED metrics of the API show only the
// effect; these show the cause. No label names a server: they are summed
// over the pools of every server the client talks to.
type poolMetrics struct {
	open, inUse, max prometheus.Gauge
	wait             prometheus.Histogram
	failures         *prometheus.CounterVec
	cleared          prometheus.Counter
}

func newPoolMetrics() *poolMetrics {
	return &poolMetrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yardstick_mongodb_pool_connections",
			Help: "Connections open in the MongoDB driver's pools.",
		}),
		inUse: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yardstick_mongodb_pool_connections_in_use",
			Help: "Connections checked out of the MongoDB driver's pools, serving a command.",
		}),
		max: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yardstick_mongodb_pool_max_connections",
			Help: "The most connections one server's pool may open (maxPoolSize).",
		}),
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "yardstick_mongodb_pool_checkout_duration_seconds",
			Help:    "Time to check a connection out of the pool, waiting for a free one included.",
			Buckets: []float64{.0005, .001, .005, .01, .05, .1, .5, 1, 5, 10},
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yardstick_mongodb_pool_checkout_failures_total",
			Help: "Check-outs that failed, by the driver's reason (timeout, connectionError, poolClosed).",
		}, []string{"reason"}),
		cleared: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "yardstick_mongodb_pool_cleared_total",
			Help: "Times a pool was cleared, which the driver does when a connection to the server fails.",
		}),
	}
}

// monitor installs the pool monitor on o and records o's pool cap: call it
// after the URI is applied.
func (m *poolMetrics) monitor(o *options.ClientOptions) {
	size := uint64(driverMaxPoolSize)
	if o.MaxPoolSize != nil && *o.MaxPoolSize > 0 {
		size = *o.MaxPoolSize
	}
	m.max.Set(float64(size))
	o.SetPoolMonitor(&event.PoolMonitor{Event: m.event})
}

func (m *poolMetrics) event(e *event.PoolEvent) {
	switch e.Type {
	case event.ConnectionCreated:
		m.open.Inc()
	case event.ConnectionClosed:
		m.open.Dec()
	case event.ConnectionCheckedOut:
		m.inUse.Inc()
		m.wait.Observe(e.Duration.Seconds())
	case event.ConnectionCheckedIn:
		m.inUse.Dec()
	case event.ConnectionCheckOutFailed:
		m.failures.WithLabelValues(e.Reason).Inc()
		m.wait.Observe(e.Duration.Seconds())
	case event.ConnectionPoolCleared:
		m.cleared.Inc()
	}
}

// RegisterMetrics registers the pool's metrics with reg (nothing when reg
// is nil). They count from Open on, so call it whenever the registry is
// ready.
func (c *Conn) RegisterMetrics(reg prometheus.Registerer) error {
	if reg == nil || c.pool == nil {
		return nil
	}
	p := c.pool
	for _, col := range []prometheus.Collector{p.open, p.inUse, p.max, p.wait, p.failures, p.cleared} {
		if err := reg.Register(col); err != nil {
			return err
		}
	}
	// Every reason shows from the start, at zero, so that a rate over it
	// is defined before the first failure.
	for _, reason := range []string{event.ReasonTimedOut, event.ReasonConnectionErrored, event.ReasonPoolClosed} {
		p.failures.WithLabelValues(reason)
	}
	return nil
}
