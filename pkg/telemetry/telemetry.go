// Package telemetry sets up OpenTelemetry tracing: W3C trace-context
// propagation always (so a trace that starts at a caller continues through
// the gateway and the services), and span export over OTLP/HTTP when an
// endpoint is configured. Without one, spans are created and dropped cheaply.
package telemetry

import (
	"context"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// Setup installs the global propagator, and a tracer provider exporting to
// endpoint (host:port of an OTLP/HTTP collector, or a URL) when it is not
// empty. The returned function flushes and stops the exporter.
func Setup(ctx context.Context, service, endpoint string) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	opt := otlptracehttp.WithEndpoint(endpoint)
	if strings.HasPrefix(endpoint, "http://") || strings.HasPrefix(endpoint, "https://") {
		// A base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it, gets the traces path.
		if u, err := url.Parse(endpoint); err == nil && strings.Trim(u.Path, "/") == "" {
			endpoint = strings.TrimSuffix(endpoint, "/") + "/v1/traces"
		}
		opt = otlptracehttp.WithEndpointURL(endpoint)
	}
	exporter, err := otlptracehttp.New(ctx, opt)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))),
	)
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}
