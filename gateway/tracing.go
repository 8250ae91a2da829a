package gateway

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// traced gives each request a span that continues the caller's trace, named
// by its route pattern (see route): "unmatched" or the path of a fixed route
// when it starts, renamed to the API route pattern once the
// runtime.ServeMux has matched one (otelhttp names the span again after the
// call). Probes are not traced: they would drown the traces people look for.
func traced(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "gateway",
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return routeOf(r.Context()) }),
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path != "/healthz" && r.URL.Path != "/readyz" }))
}
