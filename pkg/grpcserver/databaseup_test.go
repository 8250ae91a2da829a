package grpcserver_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
)

// yardstick_database_up follows the health check's pings, and is absent
// until the first one: a 0 before any check would read as an outage.
func TestDatabaseUpGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, _, srv, _ := startWith(t, grpcserver.Options{Logger: slog.New(slog.DiscardHandler), DefaultTimeout: time.Second, Metrics: reg})
	if _, ok := gauge(t, reg); ok {
		t.Fatal("yardstick_database_up is exported before any check, want it absent")
	}
	var down atomic.Bool
	down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	checked := make(chan struct{}, 16)
	srv.ReportDatabase(ctx, func(context.Context) error {
		defer func() { checked <- struct{}{} }()
		if down.Load() {
			return errors.New("unreachable")
		}
		return nil
	}, 10*time.Millisecond)
	// The first check has run, and set the gauge, when ReportDatabase returns.
	if got, _ := gauge(t, reg); got != 0 {
		t.Errorf("yardstick_database_up with the database down = %v, want 0", got)
	}
	down.Store(false)
	// Each later check signals before it sets the gauge: read it after the
	// next signal, until a check that saw the database back has set it.
	deadline := time.Now().Add(5 * time.Second)
	for got, _ := gauge(t, reg); got != 1; got, _ = gauge(t, reg) {
		if time.Now().After(deadline) {
			t.Fatal("yardstick_database_up stayed 0 with the database back")
		}
		<-checked
	}
}

// gauge reads yardstick_database_up, and whether it is exported.
func gauge(t *testing.T, reg *prometheus.Registry) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "yardstick_database_up" && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetGauge().GetValue(), true
		}
	}
	return -1, false
}
