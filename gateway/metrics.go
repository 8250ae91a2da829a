package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// unmatchedRoute labels requests that matched no route: the raw path would
// hold resource names (and anything a scanner tries), and labels must stay few.
const unmatchedRoute = "unmatched"

// appRoute labels the web app's pages: one label for all of them, as their
// paths hold resource names.
const appRoute = "app"

// routesToApp reports whether the catch-all "/" serves the web app.
func routesToApp(mux *http.ServeMux, r *http.Request) bool {
	h, _ := mux.Handler(r)
	_, ok := h.(appHandler)
	return ok
}

// route holds the route pattern a request took, for the metrics and the
// span around the handler that finds it out. The API's patterns
// (/v1/{name=frameworks/*}) are only known inside the runtime.ServeMux, once
// it has matched the request: recordRoute writes them here, and the outer
// layers read them after the call.
type route struct{ pattern string }

type routeKey struct{}

// routeOf returns the route of a request; unmatchedRoute outside withRoute.
func routeOf(ctx context.Context) string {
	if r, ok := ctx.Value(routeKey{}).(*route); ok {
		return r.pattern
	}
	return unmatchedRoute
}

// withRoute gives each request a route holder, first set to the pattern of
// mux that it matches without the method ("/healthz"), or to unmatchedRoute
// for the API until recordRoute finds its pattern, and for the catch-all "/".
func withRoute(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if _, path, ok := strings.Cut(pattern, " "); ok {
			pattern = path // "GET /healthz"
		}
		switch {
		case pattern == "/" && routesToApp(mux, r):
			pattern = appRoute
		case pattern == "" || pattern == "/" || pattern == apiPrefix:
			pattern = unmatchedRoute
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, &route{pattern: pattern})))
	})
}

// recordRoute is the runtime.ServeMux middleware that records the pattern
// the request matched, as runtime.HTTPPathPattern will name it in the
// handler (for example /v1/{name=frameworks/*}:publish).
func recordRoute(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		p, matched := runtime.HTTPPattern(r.Context())
		if holder, ok := r.Context().Value(routeKey{}).(*route); ok && matched {
			holder.pattern = p.String()
		}
		next(w, r, pathParams)
	}
}

// instrument counts and times requests by route pattern (see route),
// method and status code.
func instrument(reg prometheus.Registerer, next http.Handler) (http.Handler, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yardstick_gateway_requests_total",
		Help: "HTTP requests served by the gateway, by route, method and status code.",
	}, []string{"route", "method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "yardstick_gateway_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by route and method.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method"})
	for _, c := range []prometheus.Collector{requests, duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// The route label is read once the request is served: the API's route
	// is known only then.
	return promhttp.InstrumentHandlerCounter(requests,
		promhttp.InstrumentHandlerDuration(duration, next, promhttp.WithLabelFromCtx("route", routeOf)),
		promhttp.WithLabelFromCtx("route", routeOf)), nil
}
