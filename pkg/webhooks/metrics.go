package webhooks

import "github.com/prometheus/client_golang/prometheus"

// Delivery outcomes, as yardstick_webhook_deliveries_total counts them:
// one per attempt.
const (
	outcomeDelivered = "delivered" // the receiver answered 2xx
	outcomeRetried   = "retried"   // it did not; the delivery is tried again later
	outcomeFailed    = "failed"    // it did not, and the delivery is given up (or its endpoint is disabled)
)

// Metrics count a dispatcher's attempts and the queue it works through.
// Deliveries run in the background, so a receiver that is down shows
// nowhere else: no request fails, and the log holds one warning per
// attempt at most. Make them once per process (NewMetrics), register them
// where the process registers its metrics, and pass them in Options.
type Metrics struct {
	deliveries *prometheus.CounterVec
	queueDepth prometheus.Gauge
}

// NewMetrics returns unregistered metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yardstick_webhook_deliveries_total",
			Help: "Webhook delivery attempts, by outcome: delivered, retried (failed, to be tried again) or failed (given up).",
		}, []string{"outcome"}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yardstick_webhook_queue_depth",
			Help: "Webhook deliveries waiting for their next attempt, due or not, as the dispatcher last read its queue.",
		}),
	}
	// Every outcome shows from the start, at zero, so that a ratio over
	// them is defined before the first failure.
	for _, o := range []string{outcomeDelivered, outcomeRetried, outcomeFailed} {
		m.deliveries.WithLabelValues(o)
	}
	return m
}

// Register registers the metrics with reg (nothing when reg is nil).
func (m *Metrics) Register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.queueDepth} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
