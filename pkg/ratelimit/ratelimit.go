// Package ratelimit limits how fast each caller may call: a token bucket per
// principal (golang.org/x/time/rate), so that one busy or abusive client
// cannot starve the others. Refusals are counted (see Observe) and logged
// sampled: a client over its limit is refused on every call.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// PerPrincipal keeps one bucket per caller.
type PerPrincipal struct {
	limit rate.Limit
	burst int

	refusals refusals
	now      func() time.Time // time.Now; tests move it

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	limiter  *rate.Limiter
	lastSeen time.Time
	// The caller's refusals not logged yet, and when one last was (see
	// refusals.sample).
	suppressed int
	loggedAt   time.Time
}

// maxBuckets bounds memory: past it, buckets idle for a while are dropped
// (they are full again by then, so dropping them forgets nothing).
const (
	maxBuckets = 10000
	idleAfter  = 10 * time.Minute
)

// New allows each caller rps calls per second on average, and bursts of
// burst calls.
func New(rps float64, burst int) *PerPrincipal {
	if burst < 1 {
		burst = 1
	}
	return &PerPrincipal{
		limit: rate.Limit(rps), burst: burst, buckets: map[string]*bucket{},
		refusals: newRefusals(), now: time.Now,
	}
}

// Unary returns the interceptor. It runs after authentication; calls
// without a principal (health checks) are not limited. A caller over the
// limit gets RESOURCE_EXHAUSTED with a RetryInfo saying when to come back.
func (l *PerPrincipal) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		p, ok := principal.FromContext(ctx)
		if !ok {
			return handler(ctx, req)
		}
		if wait, logNow := l.reserve(p.Subject, l.now()); wait > 0 {
			l.refusals.record(ctx, info.FullMethod, p.Subject, wait, logNow)
			st := status.New(codes.ResourceExhausted, "rate limit exceeded")
			if withRetry, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}); err == nil {
				st = withRetry
			}
			return nil, st.Err()
		}
		return handler(ctx, req)
	}
}

// evict drops the buckets idle for a while, or, when every bucket is in
// use, the least recently used one, so the map never outgrows maxBuckets.
// It scans the map, which happens only when the map is full.
func (l *PerPrincipal) evict(now time.Time) {
	var oldest string
	for s, b := range l.buckets {
		if now.Sub(b.lastSeen) > idleAfter {
			delete(l.buckets, s)
		} else if oldest == "" || b.lastSeen.Before(l.buckets[oldest].lastSeen) {
			oldest = s
		}
	}
	if len(l.buckets) >= maxBuckets {
		delete(l.buckets, oldest)
	}
}

// reserve takes a token for subject, or returns how long until one is free
// and, when it refuses, whether to log this refusal (with the count of those
// not logged before it; see refusals.sample).
func (l *PerPrincipal) reserve(subject string, now time.Time) (wait time.Duration, logNow logDecision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[subject]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.evict(now)
		}
		b = &bucket{limiter: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[subject] = b
	}
	b.lastSeen = now
	r := b.limiter.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now) // a refused call does not use up the bucket
		return delay, l.refusals.sample(b, now)
	}
	return 0, logDecision{}
}
