package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yardstick-dev/yardstick/gateway"
)

// metrics is the flag that turns on the Prometheus endpoint. It listens on
// an address of its own, so that the API port keeps answering 401 to every
// caller without a token.
type metrics struct {
	metricsAddr string
}

func (m *metrics) register(fs *flag.FlagSet) {
	fs.StringVar(&m.metricsAddr, "metrics-addr", "", "address to serve Prometheus metrics on, at /metrics (off when empty)")
}

// startMetrics serves a fresh registry (with Go runtime and process metrics)
// until ctx ends. It returns nil, nil and a closed channel when metrics are off.
func (m *metrics) startMetrics(ctx context.Context, log *slog.Logger) (*prometheus.Registry, <-chan error, error) {
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
