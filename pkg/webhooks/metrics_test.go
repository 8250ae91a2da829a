package webhooks

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

// A receiver that fails once and then accepts: the attempts are counted
// as one retried and one delivered, and the queue empties.
func TestMetricsCountAttempts(t *testing.T) {
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	ep := Endpoint{ID: "e1", URL: receiver.URL, Types: []string{"thing.happened"}, Secrets: []string{NewSecret()}}
	metrics := NewMetrics()
	reg := prometheus.NewRegistry()
	if err := metrics.Register(reg); err != nil {
		t.Fatal(err)
	}
	d := New(mongotest.Database(t), func(context.Context) ([]Endpoint, error) { return []Endpoint{ep}, nil },
		Options{FirstRetry: 10 * time.Millisecond, Poll: 10 * time.Millisecond, Metrics: metrics})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx, slog.New(slog.DiscardHandler)) }()
	defer func() { cancel(); <-done }()
	if err := d.Emit(ctx, Event{ID: MessageID("k"), Type: "thing.happened", Time: time.Now().UTC(), Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		`yardstick_webhook_deliveries_total{outcome="delivered"}`: 1,
		`yardstick_webhook_deliveries_total{outcome="retried"}`:   1,
		`yardstick_webhook_deliveries_total{outcome="failed"}`:    0,
		`yardstick_webhook_queue_depth`:                           0,
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := gather(t, reg)
		same := true
		for k, v := range want {
			if got[k] != v {
				same = false
			}
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics = %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond) // polling a background loop: nothing to wait on
	}
}

// gather reads the registry as "name{label=\"value\"}" → value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + `="` + l.GetValue() + `"}`
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}
