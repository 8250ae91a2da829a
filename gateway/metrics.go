package gateway

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// instrument counts and times requests. The route label is the pattern the
// request matched (/v1/ for the API, /healthz, …), never the raw path: paths
// hold resource names, and labels must stay few.
func instrument(reg prometheus.Registerer, mux *http.ServeMux, next http.Handler) (http.Handler, error) {
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		labels := prometheus.Labels{"route": route}
		promhttp.InstrumentHandlerCounter(requests.MustCurryWith(labels),
			promhttp.InstrumentHandlerDuration(duration.MustCurryWith(labels), next)).ServeHTTP(w, r)
	}), nil
}
