package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	// The handlers are mounted on a mux of our own below; the package also
	// registers them on http.DefaultServeMux, which nothing here serves.
	"net/http/pprof"
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
	debugAddr    string
}

func (m *observability) register(fs *flag.FlagSet) {
	fs.StringVar(&m.metricsAddr, "metrics-addr", "", "address to serve Prometheus metrics on, at /metrics (off when empty)")
	fs.StringVar(&m.otlpEndpoint, "otlp-endpoint", "", "OTLP/HTTP collector (host:port or URL) to send traces to (off when empty)")
	fs.StringVar(&m.debugAddr, "debug-addr", "", "loopback address to serve Go's profiles on, at /debug/pprof/ (off when empty)")
}

// start starts tracing, metrics and profiles for one command: it returns
// where the servers record metrics (nil when off), a channel that yields
// the end of the metrics and profile servers, and a function that flushes
// the traces left.
func (m *observability) start(ctx context.Context, service string, log *slog.Logger) (prometheus.Registerer, <-chan error, func(), error) {
	debugLis, err := m.listenDebug()
	if err != nil {
		return nil, nil, nil, err
	}
	stopTracing, err := m.startTracing(ctx, service, log)
	if err != nil {
		closeListener(debugLis)
		return nil, nil, nil, err
	}
	reg, metricsDone, err := m.startMetrics(ctx, log)
	if err != nil {
		closeListener(debugLis)
		stopTracing()
		return nil, nil, nil, err
	}
	debugDone := serveDebug(ctx, debugLis, log)
	done := make(chan error, 1)
	go func() { done <- errors.Join(<-metricsDone, <-debugDone) }()
	return reg, done, stopTracing, nil
}

func closeListener(lis net.Listener) {
	if lis != nil {
		_ = lis.Close()
	}
}

// listenDebug opens the address for Go's profiles: a loopback one only, as
// they show what the process holds, feedback included. nil when off.
func (m *observability) listenDebug() (net.Listener, error) {
	if m.debugAddr == "" {
		return nil, nil
	}
	host, _, err := net.SplitHostPort(m.debugAddr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--debug-addr %s: profiles are served on a loopback address only (127.0.0.1:PORT)", m.debugAddr)
	}
	return net.Listen("tcp", m.debugAddr)
}

// serveDebug serves Go's profiles (net/http/pprof) on lis until ctx ends.
// With no listener, it returns a closed channel.
func serveDebug(ctx context.Context, lis net.Listener, log *slog.Logger) <-chan error {
	done := make(chan error, 1)
	if lis == nil {
		close(done)
		return done
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index) // heap, goroutine, allocs, … by name
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	go func() { done <- gateway.Serve(ctx, lis, mux, shutdownGrace) }()
	log.Info("serving profiles", "url", "http://"+lis.Addr().String()+"/debug/pprof/")
	return done
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
