package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A client over its limit is refused on every call: a load test with one
// token made 46,000 refusals in 20 s, and a log line each buried everything
// else. So every refusal is counted, and logged at most once per caller per
// logEvery, with the number of refusals not logged since.

// logEvery is how often at most one caller's refusals are logged.
const logEvery = time.Minute

// refusals counts and logs the limiter's refusals.
type refusals struct {
	log *slog.Logger
	// total is yardstick_rate_limited_total by gRPC service and method:
	// labels that stay few (the served methods), never the caller.
	total *prometheus.CounterVec
	// key keys the hash that stands for a caller in logs: logs never hold
	// a subject (a person), but lines about one caller should read as such.
	key []byte
}

func newRefusals() refusals {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand panics instead)
	return refusals{
		log: slog.Default(),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yardstick_rate_limited_total",
			Help: "Calls refused because their caller was over the rate limit, by gRPC service and method.",
		}, []string{"grpc_service", "grpc_method"}),
		key: key,
	}
}

// Observe sends the sampled refusal logs to log and registers the refusal
// counter with reg (when not nil). Call it before serving.
func (l *PerPrincipal) Observe(log *slog.Logger, reg prometheus.Registerer) error {
	if log != nil {
		l.refusals.log = log
	}
	if reg == nil {
		return nil
	}
	return reg.Register(l.refusals.total)
}

// logDecision says whether to log a refusal, and how many of the caller's
// refusals went unlogged before it.
type logDecision struct {
	log        bool
	suppressed int
}

// sample decides whether to log a refusal of b's caller; the limiter's lock
// is held.
func (refusals) sample(b *bucket, now time.Time) logDecision {
	if !b.loggedAt.IsZero() && now.Sub(b.loggedAt) < logEvery {
		b.suppressed++
		return logDecision{}
	}
	d := logDecision{log: true, suppressed: b.suppressed}
	b.loggedAt, b.suppressed = now, 0
	return d
}

// record counts one refusal and logs it when d says so.
func (r refusals) record(ctx context.Context, fullMethod, subject string, wait time.Duration, d logDecision) {
	service, method := splitMethod(fullMethod)
	r.total.WithLabelValues(service, method).Inc()
	if !d.log {
		return
	}
	r.log.WarnContext(ctx, "rate limit exceeded; further refusals of this caller are logged at most once a minute",
		"caller", r.callerID(subject), "grpc.service", service, "grpc.method", method,
		"retry_after", wait.Round(time.Millisecond), "unlogged_refusals", d.suppressed)
}

// callerID stands for subject in logs: the same caller reads the same in
// this process, and the name cannot be read back (nor guessed from a list of
// names, without the process's key).
func (r refusals) callerID(subject string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(subject))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// splitMethod splits "/package.Service/Method".
func splitMethod(full string) (service, method string) {
	service, method, ok := strings.Cut(strings.TrimPrefix(full, "/"), "/")
	if !ok {
		return "unknown", "unknown"
	}
	return service, method
}
