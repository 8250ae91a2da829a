package grpcerr_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
)

// netTimeout is a network error that timed out, as the driver's dialer
// reports it.
type netTimeout struct{}

func (netTimeout) Error() string   { return "i/o timeout talking to mongo-0.internal:27017" }
func (netTimeout) Timeout() bool   { return true }
func (netTimeout) Temporary() bool { return true }

func TestToStatus(t *testing.T) {
	twoViolations := func() error {
		var v apierr.Violations
		v.Add("framework.title", "required")
		v.Add("framework.tracks[1].id", "duplicate track ID %q", "ic")
		return v.Err()
	}()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()

	tests := []struct {
		name     string
		ctx      context.Context // context.Background() when nil
		err      error
		wantCode codes.Code
		// wantMsg is checked only when set: the domain errors carry the
		// resource name or reason in their message, which is what clients see.
		wantMsg    string
		wantInfo   *errdetails.ErrorInfo
		wantFields []*errdetails.BadRequest_FieldViolation
		wantLog    string // the level logged at, "" for nothing
	}{
		{
			name:     "not found",
			err:      apierr.NotFound("frameworks/x"),
			wantCode: codes.NotFound,
			wantMsg:  "frameworks/x: not found",
			wantInfo: info("NOT_FOUND", "resource", "frameworks/x"),
		},
		{
			// The wrapping is context for the log, not for the client.
			name:     "not found wrapped",
			err:      fmt.Errorf("find pending change: %w", apierr.NotFound("frameworks/x")),
			wantCode: codes.NotFound,
			wantMsg:  "frameworks/x: not found",
			wantInfo: info("NOT_FOUND", "resource", "frameworks/x"),
		},
		{
			name:     "bare sentinel wrapped",
			err:      fmt.Errorf("lookup in shard 3: %w", apierr.ErrNotFound),
			wantCode: codes.NotFound,
			wantMsg:  "not found",
			wantInfo: info("NOT_FOUND"),
		},
		{
			name:     "already exists",
			err:      apierr.AlreadyExists("frameworks/x"),
			wantCode: codes.AlreadyExists,
			wantMsg:  "frameworks/x: already exists",
			wantInfo: info("ALREADY_EXISTS", "resource", "frameworks/x"),
		},
		{
			// A stale etag must be retryable by re-reading: ABORTED, not
			// FAILED_PRECONDITION (AIP-154).
			name:     "conflict",
			err:      apierr.Conflict("etag %q is stale", "v3"),
			wantCode: codes.Aborted,
			wantMsg:  `etag "v3" is stale: conflict`,
			wantInfo: info("ABORTED"),
		},
		{
			name:     "conflict with its own reason",
			err:      &apierr.Error{Kind: apierr.ErrConflict, Reason: apierr.ReasonEtagMismatch, Message: "etag is stale", Metadata: map[string]string{"resource": "frameworks/x"}},
			wantCode: codes.Aborted,
			wantMsg:  "etag is stale",
			wantInfo: info("ETAG_MISMATCH", "resource", "frameworks/x"),
		},
		{
			name:     "failed precondition",
			err:      apierr.FailedPrecondition("nothing to publish"),
			wantCode: codes.FailedPrecondition,
			wantMsg:  "nothing to publish: failed precondition",
			wantInfo: info("FAILED_PRECONDITION"),
		},
		{
			name:     "unauthenticated",
			err:      apierr.ErrUnauthenticated,
			wantCode: codes.Unauthenticated,
			wantMsg:  apierr.ErrUnauthenticated.Error(),
			wantInfo: info("UNAUTHENTICATED"),
		},
		{
			name:     "permission denied",
			err:      apierr.ErrPermissionDenied,
			wantCode: codes.PermissionDenied,
			wantMsg:  "permission denied",
			wantInfo: info("PERMISSION_DENIED"),
		},
		{
			name:     "unavailable with an internal cause",
			err:      &apierr.Error{Kind: apierr.ErrUnavailable, Message: "the rubric service is unavailable", Cause: errors.New("dial 10.0.0.9:443")},
			wantCode: codes.Unavailable,
			wantMsg:  "the rubric service is unavailable",
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "one invalid field",
			err:      apierr.Invalid("framework.title", "required"),
			wantCode: codes.InvalidArgument,
			wantMsg:  "invalid argument: framework.title: required",
			wantInfo: info("INVALID_ARGUMENT"),
			wantFields: []*errdetails.BadRequest_FieldViolation{
				{Field: "framework.title", Description: "required"},
			},
		},
		{
			name:     "two violations",
			err:      twoViolations,
			wantCode: codes.InvalidArgument,
			wantInfo: info("INVALID_ARGUMENT"),
			wantFields: []*errdetails.BadRequest_FieldViolation{
				{Field: "framework.title", Description: "required"},
				{Field: "framework.tracks[1].id", Description: `duplicate track ID "ic"`},
			},
		},
		{
			// Stores and helpers wrap; errors.As must still find the violations.
			name:     "invalid wrapped",
			err:      fmt.Errorf("import: %w", apierr.Invalid("content", "empty document")),
			wantCode: codes.InvalidArgument,
			wantMsg:  "invalid argument: content: empty document",
			wantInfo: info("INVALID_ARGUMENT"),
			wantFields: []*errdetails.BadRequest_FieldViolation{
				{Field: "content", Description: "empty document"},
			},
		},
		{
			name:     "the caller's deadline",
			ctx:      expired,
			err:      fmt.Errorf("find frameworks: %w", context.DeadlineExceeded),
			wantCode: codes.DeadlineExceeded,
			wantMsg:  "deadline exceeded",
			wantInfo: info("DEADLINE_EXCEEDED"),
		},
		{
			// The caller still waits: a timeout of the server's own.
			name:     "a deadline that is not the caller's",
			err:      fmt.Errorf("find frameworks: %w", context.DeadlineExceeded),
			wantCode: codes.Unavailable,
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "canceled",
			err:      context.Canceled,
			wantCode: codes.Canceled,
			wantInfo: info("CANCELED"),
		},
		{
			name:     "canceled wrapped",
			err:      fmt.Errorf("find frameworks: %w", context.Canceled),
			wantCode: codes.Canceled,
			wantInfo: info("CANCELED"),
		},
		{
			name:     "server selection",
			err:      fmt.Errorf("find frameworks: %w", topology.ServerSelectionError{Wrapped: errors.New("no reachable servers")}),
			wantCode: codes.Unavailable,
			wantMsg:  "service unavailable, retry later",
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "network error",
			err:      fmt.Errorf("insert: %w", mongo.CommandError{Message: "connection reset", Labels: []string{"NetworkError"}}),
			wantCode: codes.Unavailable,
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "network timeout",
			err:      fmt.Errorf("insert: %w", netTimeout{}),
			wantCode: codes.Unavailable,
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "client disconnected",
			err:      fmt.Errorf("insert: %w", mongo.ErrClientDisconnected),
			wantCode: codes.Unavailable,
			wantInfo: info("UNAVAILABLE"),
			wantLog:  "WARN",
		},
		{
			name:     "a driver error that is no outage",
			err:      fmt.Errorf("insert: %w", mongo.CommandError{Code: 2, Message: "bad query on db.secret"}),
			wantCode: codes.Internal,
			wantMsg:  "internal error",
			wantInfo: info("INTERNAL"),
			wantLog:  "ERROR",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var logs bytes.Buffer
			got := grpcerr.ToStatus(ctx, logger(&logs), tt.err)
			st, ok := status.FromError(got)
			if !ok {
				t.Fatalf("ToStatus(%v) = %v, want a status error", tt.err, got)
			}
			if st.Code() != tt.wantCode {
				t.Errorf("ToStatus(%v).Code() = %v, want %v", tt.err, st.Code(), tt.wantCode)
			}
			if tt.wantMsg != "" && st.Message() != tt.wantMsg {
				t.Errorf("ToStatus(%v).Message() = %q, want %q", tt.err, st.Message(), tt.wantMsg)
			}
			if diff := cmp.Diff(tt.wantInfo, errorInfo(t, st), protocmp.Transform()); diff != "" {
				t.Errorf("ToStatus(%v) ErrorInfo mismatch (-want +got):\n%s", tt.err, diff)
			}
			var want *errdetails.BadRequest
			if tt.wantFields != nil {
				want = &errdetails.BadRequest{FieldViolations: tt.wantFields}
			}
			if diff := cmp.Diff(want, badRequest(t, st), protocmp.Transform()); diff != "" {
				t.Errorf("ToStatus(%v) BadRequest detail mismatch (-want +got):\n%s", tt.err, diff)
			}
			// Errors the client can act on are not the server's fault and
			// would only be noise in the error log.
			if tt.wantLog == "" && logs.Len() != 0 {
				t.Errorf("ToStatus(%v) logged %q, want nothing", tt.err, logs.String())
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), "level="+tt.wantLog) {
				t.Errorf("ToStatus(%v) logged %q, want it at level %s", tt.err, logs.String(), tt.wantLog)
			}
		})
	}
}

func TestToStatusNil(t *testing.T) {
	if got := grpcerr.ToStatus(context.Background(), discard(), nil); got != nil {
		t.Errorf("ToStatus(nil) = %v, want nil", got)
	}
	if got := grpcerr.FromInterceptor(context.Background(), discard(), nil); got != nil {
		t.Errorf("FromInterceptor(nil) = %v, want nil", got)
	}
}

// A status ToStatus made is final: mapping it again, or a wrapped copy of
// it, changes nothing and logs nothing.
func TestToStatusIsIdempotent(t *testing.T) {
	first := grpcerr.ToStatus(context.Background(), discard(), apierr.NotFound("frameworks/x"))
	for _, in := range []error{first, fmt.Errorf("again: %w", first)} {
		var logs bytes.Buffer
		got := grpcerr.ToStatus(context.Background(), logger(&logs), in)
		if diff := cmp.Diff(status.Convert(first).Proto(), status.Convert(got).Proto(), protocmp.Transform()); diff != "" {
			t.Errorf("ToStatus(%v) mismatch (-want +got):\n%s", in, diff)
		}
		if logs.Len() != 0 {
			t.Errorf("ToStatus(%v) logged %q, want nothing", in, logs.String())
		}
	}
}

// The rule for status errors ToStatus did not make: from a handler they
// become INTERNAL (logged), for a status from another service must be
// converted with FromStatus where the call is made; from the server's own
// interceptors (FromInterceptor) they reach the client intact, with an
// ErrorInfo added when they have none.
func TestRawStatus(t *testing.T) {
	limited, err := status.New(codes.ResourceExhausted, "rate limit exceeded").WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(2 * time.Second)})
	if err != nil {
		t.Fatalf("WithDetails: %v", err)
	}
	withInfo := grpcerr.New(codes.PermissionDenied, "ROLE_MISSING", "needs the admin role", map[string]string{"role": "admin"})
	tests := []struct {
		name       string
		fn         func(context.Context, *slog.Logger, error) error
		in         error
		want       *status.Status
		wantLogged string // a substring of the log, "" for no log
	}{
		{
			name:       "from a handler",
			fn:         grpcerr.ToStatus,
			in:         limited.Err(),
			want:       grpcerr.New(codes.Internal, "INTERNAL", "internal error", nil),
			wantLogged: "code=ResourceExhausted",
		},
		{
			name:       "from a handler, wrapped",
			fn:         grpcerr.ToStatus,
			in:         fmt.Errorf("get rubric: %w", status.Error(codes.NotFound, "rubrics/r: not found")),
			want:       grpcerr.New(codes.Internal, "INTERNAL", "internal error", nil),
			wantLogged: "rubrics/r: not found",
		},
		{
			name: "from an interceptor, without ErrorInfo",
			fn:   grpcerr.FromInterceptor,
			in:   limited.Err(),
			want: must(t, limited, &errdetails.ErrorInfo{Reason: "RESOURCE_EXHAUSTED", Domain: "yardstick.dev"}),
		},
		{
			name: "from an interceptor, with ErrorInfo",
			fn:   grpcerr.FromInterceptor,
			in:   withInfo.Err(),
			want: withInfo,
		},
		{
			name: "from an interceptor, too long",
			fn:   grpcerr.FromInterceptor,
			in:   status.Error(codes.Unavailable, strings.Repeat("x", 10000)),
			want: grpcerr.New(codes.Unavailable, "UNAVAILABLE", strings.Repeat("x", apierr.MaxMessageBytes-3)+"…", nil),
		},
		{
			name: "domain errors from an interceptor are mapped",
			fn:   grpcerr.FromInterceptor,
			in:   apierr.ErrUnauthenticated,
			want: grpcerr.New(codes.Unauthenticated, "UNAUTHENTICATED", apierr.ErrUnauthenticated.Error(), nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			got := tt.fn(context.Background(), logger(&logs), tt.in)
			if diff := cmp.Diff(tt.want.Proto(), status.Convert(got).Proto(), protocmp.Transform()); diff != "" {
				t.Errorf("mapping %v: mismatch (-want +got):\n%s", tt.in, diff)
			}
			if tt.wantLogged == "" && logs.Len() != 0 {
				t.Errorf("mapping %v logged %q, want nothing", tt.in, logs.String())
			}
			if tt.wantLogged != "" && (!strings.Contains(logs.String(), tt.wantLogged) || !strings.Contains(logs.String(), "level=ERROR")) {
				t.Errorf("mapping %v logged %q, want an ERROR with %q", tt.in, logs.String(), tt.wantLogged)
			}
		})
	}
}

// Unknown errors may carry driver messages, hostnames or query text: the
// client gets a generic message and the detail goes to the log only.
func TestToStatusUnknownIsInternal(t *testing.T) {
	const secret = "connection refused by mongo-0.internal:27017"
	in := fmt.Errorf("update framework: %w", errors.New(secret))
	var logs bytes.Buffer
	got := grpcerr.ToStatus(context.Background(), logger(&logs), in)

	want := grpcerr.New(codes.Internal, "INTERNAL", "internal error", nil)
	if diff := cmp.Diff(want.Proto(), status.Convert(got).Proto(), protocmp.Transform()); diff != "" {
		t.Errorf("ToStatus(%v) mismatch (-want +got):\n%s", in, diff)
	}
	if strings.Contains(got.Error(), secret) {
		t.Errorf("ToStatus(%v) = %v, want the detail kept from the client", in, got)
	}
	if !strings.Contains(logs.String(), secret) {
		t.Errorf("ToStatus(%v) logged %q, want the log to contain %q", in, logs.String(), secret)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("ToStatus(%v) logged %q, want it at level ERROR", in, logs.String())
	}
}

// What is logged for an error is bounded too.
func TestToStatusLogIsBounded(t *testing.T) {
	in := fmt.Errorf("update framework: %w", errors.New(strings.Repeat("x", 1<<20)))
	var logs bytes.Buffer
	_ = grpcerr.ToStatus(context.Background(), logger(&logs), in)
	if n := logs.Len(); n > apierr.MaxMessageBytes+512 {
		t.Errorf("ToStatus(1 MiB error) logged %d bytes, want at most about %d", n, apierr.MaxMessageBytes)
	}
}

// A request with ten thousand bad fields (a 440 KB create used to give a
// 7.8 MB error) gets a small status: the first violations, one saying how
// many more, and a short message.
func TestManyViolationsGiveASmallStatus(t *testing.T) {
	var v apierr.Violations
	for i := range 10000 {
		v.Add(fmt.Sprintf("framework.tracks[%d].levels[0].expectations[0].description", i), "%s", strings.Repeat("too long ", 200))
	}
	got := status.Convert(grpcerr.ToStatus(context.Background(), discard(), v.Err()))
	if n := proto.Size(got.Proto()); n >= 8<<10 {
		t.Errorf("status for 10000 violations is %d bytes, want < 8 KiB", n)
	}
	if got.Code() != codes.InvalidArgument {
		t.Errorf("code = %v, want %v", got.Code(), codes.InvalidArgument)
	}
	fv := badRequest(t, got).GetFieldViolations()
	if len(fv) < 2 || len(fv) > apierr.MaxViolations+1 {
		t.Fatalf("%d field violations, want between 2 and %d", len(fv), apierr.MaxViolations+1)
	}
	last := fv[len(fv)-1]
	wantLast := &errdetails.BadRequest_FieldViolation{Description: fmt.Sprintf("and %d more violations", 10000-(len(fv)-1))}
	if diff := cmp.Diff(wantLast, last, protocmp.Transform()); diff != "" {
		t.Errorf("last violation mismatch (-want +got):\n%s", diff)
	}
	for _, f := range fv {
		if !strings.HasSuffix(f.GetDescription(), "…") && f != last {
			t.Errorf("violation %q: %d bytes not clipped", f.GetField(), len(f.GetDescription()))
		}
	}
}

func TestReasonOf(t *testing.T) {
	tests := []struct {
		code codes.Code
		want string
	}{
		{codes.ResourceExhausted, "RESOURCE_EXHAUSTED"},
		{codes.Unavailable, "UNAVAILABLE"},
		{codes.InvalidArgument, "INVALID_ARGUMENT"},
		{codes.DeadlineExceeded, "DEADLINE_EXCEEDED"},
		{codes.Canceled, "CANCELED"},
		{codes.Code(42), "INTERNAL"},
	}
	for _, tt := range tests {
		if got := grpcerr.ReasonOf(tt.code); got != tt.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

// info returns the ErrorInfo expected for reason and metadata pairs.
func info(reason string, kv ...string) *errdetails.ErrorInfo {
	out := &errdetails.ErrorInfo{Reason: reason, Domain: "yardstick.dev"}
	for i := 0; i+1 < len(kv); i += 2 {
		if out.Metadata == nil {
			out.Metadata = map[string]string{}
		}
		out.Metadata[kv[i]] = kv[i+1]
	}
	return out
}

func must(t *testing.T, st *status.Status, info *errdetails.ErrorInfo) *status.Status {
	t.Helper()
	out, err := st.WithDetails(info)
	if err != nil {
		t.Fatalf("WithDetails: %v", err)
	}
	return out
}

// errorInfo returns the one ErrorInfo detail of st, or nil when it has none.
func errorInfo(t *testing.T, st *status.Status) *errdetails.ErrorInfo {
	t.Helper()
	var found *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if found != nil {
				t.Errorf("status %v has more than one ErrorInfo detail", st.Proto())
			}
			found = info
		}
	}
	return found
}

// badRequest returns the BadRequest detail of st, or nil when it has none.
func badRequest(t *testing.T, st *status.Status) *errdetails.BadRequest {
	t.Helper()
	var found *errdetails.BadRequest
	for _, d := range st.Details() {
		br, ok := d.(*errdetails.BadRequest)
		if !ok {
			continue
		}
		if found != nil {
			t.Errorf("status %v has more than one BadRequest detail", st.Proto())
		}
		found = br
	}
	return found
}

func logger(w *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
