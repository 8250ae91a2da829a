package ratelimit

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

var callerField = regexp.MustCompile(`caller=[0-9a-f]+`)

const listMethod = "/yardstick.ladder.v1.LadderService/ListFrameworks"

// refuser is a limiter that refuses alice after her first call, with a clock
// the test moves, its logs and its counter.
type refuser struct {
	t     *testing.T
	l     *PerPrincipal
	now   time.Time
	logs  bytes.Buffer
	reg   *prometheus.Registry
	unary grpc.UnaryServerInterceptor
}

func newRefuser(t *testing.T) *refuser {
	r := &refuser{t: t, l: New(0.001, 1), now: time.Now(), reg: prometheus.NewRegistry()}
	r.l.now = func() time.Time { return r.now }
	if err := r.l.Observe(slog.New(slog.NewTextHandler(&r.logs, nil)), r.reg); err != nil {
		t.Fatal(err)
	}
	r.unary = r.l.Unary()
	return r
}

// call makes one call as subject and returns its code.
func (r *refuser) call(subject string) codes.Code {
	r.t.Helper()
	ctx := principal.NewContext(context.Background(), principal.Principal{Subject: subject})
	_, err := r.unary(ctx, nil, &grpc.UnaryServerInfo{FullMethod: listMethod}, func(context.Context, any) (any, error) { return "ok", nil })
	return status.Code(err)
}

func (r *refuser) lines() []string {
	return strings.FieldsFunc(r.logs.String(), func(c rune) bool { return c == '\n' })
}

// counted reads yardstick_rate_limited_total by its labels.
func (r *refuser) counted() map[string]float64 {
	r.t.Helper()
	families, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "yardstick_rate_limited_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, ",")] = m.GetCounter().GetValue()
		}
	}
	return out
}

// A thousand refusals of one caller make one log line and a count of 1000.
func TestRefusalsAreCountedAndLoggedSampled(t *testing.T) {
	r := newRefuser(t)
	if code := r.call("users/alice"); code != codes.OK {
		t.Fatalf("first call = %v, want OK", code)
	}
	for i := range 1000 {
		if code := r.call("users/alice"); code != codes.ResourceExhausted {
			t.Fatalf("call %d = %v, want RESOURCE_EXHAUSTED", i+2, code)
		}
		r.now = r.now.Add(time.Millisecond) // 1000 refusals over one second
	}
	if n := len(r.lines()); n != 1 {
		t.Errorf("%d log lines for 1000 refusals, want 1:\n%s", n, r.logs.String())
	}
	want := map[string]float64{"grpc_method=ListFrameworks,grpc_service=yardstick.ladder.v1.LadderService": 1000}
	if diff := cmp.Diff(want, r.counted()); diff != "" {
		t.Errorf("yardstick_rate_limited_total (-want +got):\n%s", diff)
	}

	// A minute later the next refusal is logged, with the count of those
	// that were not.
	r.now = r.now.Add(logEvery)
	if code := r.call("users/alice"); code != codes.ResourceExhausted {
		t.Fatalf("call a minute later = %v, want RESOURCE_EXHAUSTED (the bucket refills slowly)", code)
	}
	lines := r.lines()
	if len(lines) != 2 || !strings.Contains(lines[1], "unlogged_refusals=999") {
		t.Errorf("log after a minute:\n%s\nwant a second line with unlogged_refusals=999", r.logs.String())
	}
}

// Each caller is sampled on its own, and logs never name one.
func TestRefusalLogsPerCallerWithoutNames(t *testing.T) {
	r := newRefuser(t)
	for _, who := range []string{"users/alice", "users/bob"} {
		for range 10 {
			r.call(who)
		}
	}
	lines := r.lines()
	if len(lines) != 2 {
		t.Fatalf("%d log lines for two callers, want 2:\n%s", len(lines), r.logs.String())
	}
	if strings.Contains(r.logs.String(), "alice") || strings.Contains(r.logs.String(), "bob") {
		t.Errorf("logs name a caller:\n%s", r.logs.String())
	}
	first, second := callerField.FindString(lines[0]), callerField.FindString(lines[1])
	if first == "" || first == second {
		t.Errorf("two callers read the same in the logs:\n%s", r.logs.String())
	}
}
