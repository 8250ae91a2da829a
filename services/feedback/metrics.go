package feedback

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reminder email outcomes, as yardstick_reminder_emails_total counts them.
const (
	reminderSent   = "sent"   // the SMTP server accepted the digest
	reminderFailed = "failed" // it did not; a later round retries
)

// Metrics are the feedback service's product figures: how long scorecards
// take, how many are overdue, and the reminders about them. Late feedback
// holds a debrief up without failing any request, so nothing else shows
// it. Make them once per process (NewMetrics), register them, and pass
// them in Options and Reminders; a nil *Metrics records nothing.
type Metrics struct {
	submitDelay prometheus.Histogram
	overdue     prometheus.Gauge
	emails      *prometheus.CounterVec
}

// NewMetrics returns unregistered metrics.
func NewMetrics() *Metrics {
	hour := time.Hour.Seconds()
	m := &Metrics{
		submitDelay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "yardstick_scorecard_submit_delay_seconds",
			Help:    "Time from an interview's scheduled time to the submission of its scorecard (interviews without a scheduled time are not counted).",
			Buckets: []float64{hour, 3 * hour, 6 * hour, 12 * hour, 24 * hour, 48 * hour, 72 * hour, 7 * 24 * hour, 14 * 24 * hour},
		}),
		overdue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yardstick_scorecards_overdue",
			Help: "Interviews whose scorecard is overdue (not submitted --reminder-after past the interview), among the candidates listed in the reminder job's window, as its last round found them (every 15 minutes, with or without email).",
		}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yardstick_reminder_emails_total",
			Help: "Overdue scorecard reminder emails, by outcome: sent (accepted by the SMTP server) or failed (a later round retries).",
		}, []string{"outcome"}),
	}
	// Every series shows from the start, at zero, so that an alert or a
	// ratio over them is defined before the first overdue scorecard.
	for _, o := range []string{reminderSent, reminderFailed} {
		m.emails.WithLabelValues(o)
	}
	return m
}

// Register registers the metrics with reg (nothing when reg is nil).
func (m *Metrics) Register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.submitDelay, m.overdue, m.emails} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// submitted records a submission, scheduled is its interview's time.
func (m *Metrics) submitted(scheduled, at time.Time) {
	if m == nil || scheduled.IsZero() || at.Before(scheduled) {
		return
	}
	m.submitDelay.Observe(at.Sub(scheduled).Seconds())
}

// reminderRound records one round of the reminder job.
func (m *Metrics) reminderRound(rep ReminderReport) {
	if m == nil {
		return
	}
	if rep.Err == nil { // a failed round found nothing certain: keep the last figure
		m.overdue.Set(float64(rep.Overdue))
	}
	m.emails.WithLabelValues(reminderSent).Add(float64(rep.Sent))
	m.emails.WithLabelValues(reminderFailed).Add(float64(rep.Failed))
}
