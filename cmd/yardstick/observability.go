package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/pkg/telemetry"
)

// observability are the flags for metrics and traces. Metrics listen on an
// address of their own, so that the API port keeps answering 401 to every
// caller without a token.
type observability struct {
	metricsAddr  string
	otlpEndpoint string
}

func (m *observability) register(fs *flag.FlagSet) {
	fs.StringVar(&m.metricsAddr, "metrics-addr", "", "address to serve Prometheus metrics on, at /metrics (off when empty)")
	fs.StringVar(&m.otlpEndpoint, "otlp-endpoint", "", "OTLP/HTTP collector (host:port or URL) to send traces to (off when empty)")
}

// start starts tracing and metrics for one command: it returns where the
// servers record metrics (nil when off), a channel that yields the metrics
// server's end, and a function that flushes the traces left.
func (m *observability) start(ctx context.Context, service string, log *slog.Logger) (prometheus.Registerer, <-chan error, func(), error) {
	stopTracing, err := m.startTracing(ctx, service, log)
	if err != nil {
		return nil, nil, nil, err
	}
	reg, metricsDone, err := m.startMetrics(ctx, log)
	if err != nil {
		stopTracing()
		return nil, nil, nil, err
	}
	return reg, metricsDone, stopTracing, nil
}

// startTracing installs trace propagation, and export when an endpoint is
// set. The returned function flushes what is left.
func (m *observability) startTracing(ctx context.Context, service string, log *slog.Logger) (func(), error) {
	shutdown, err := telemetry.Setup(ctx, service, m.otlpEndpoint)
	if err != nil {
		return nil, err
	}
	if m.otlpEndpoint != "" {
		log.Info("sending traces", "otlp", m.otlpEndpoint)
	}
	return func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = shutdown(flushCtx)
	}, nil
}

// startMetrics serves a fresh registry (with Go runtime and process metrics)
// until ctx ends. When metrics are off it returns a nil Registerer (so the
// servers record nothing) and a closed channel.
func (m *observability) startMetrics(ctx context.Context, log *slog.Logger) (prometheus.Registerer, <-chan error, error) {
	done := make(chan error, 1)
	if m.metricsAddr == "" {
		close(done)
		return nil, done, nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lis, err := net.Listen("tcp", m.metricsAddr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	go func() { done <- gateway.Serve(ctx, lis, mux, shutdownGrace) }()
	log.Info("serving metrics", "url", "http://"+lis.Addr().String()+"/metrics")
	return reg, done, nil
}
