package gateway

import (
	"log/slog"
	"net/http"
	"time"
)

// logRequests logs one line per request: method, path (never the query
// string, which may carry personal data), status and duration; refusals
// for rate (429) only at debug level.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		switch {
		case rec.status >= 500:
			level = slog.LevelError
		case rec.status == http.StatusTooManyRequests:
			// A caller over its rate can send thousands a second: refusals
			// are counted (yardstick_gateway_requests_total{code="429"},
			// yardstick_rate_limited_total) and logged, sampled, by the
			// limiter, not a line each here.
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "http request",
			"method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
