package grpcerr_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
)

// A status from another service becomes a domain error at the call site;
// mapped again by ToStatus it gives our client the same code and message,
// never INTERNAL for what the client can act on.
func TestFromStatus(t *testing.T) {
	foreign := func(code codes.Code, msg string) error { return status.Error(code, msg) }
	tests := []struct {
		name     string
		in       error
		wantKind error // nil: none of the sentinels
		wantText string
		wantCode codes.Code // of ToStatus(FromStatus(in))
		wantInfo *errdetails.ErrorInfo
	}{
		{
			name:     "ours, not found",
			in:       grpcerr.ToStatus(context.Background(), discard(), apierr.NotFound("rubrics/r")),
			wantKind: apierr.ErrNotFound,
			wantText: "rubrics/r: not found",
			wantCode: codes.NotFound,
			wantInfo: info("NOT_FOUND", "resource", "rubrics/r"),
		},
		{
			name:     "ours, etag mismatch keeps its reason",
			in:       grpcerr.New(codes.Aborted, "ETAG_MISMATCH", "etag is stale", nil).Err(),
			wantKind: apierr.ErrConflict,
			wantText: "etag is stale",
			wantCode: codes.Aborted,
			wantInfo: info("ETAG_MISMATCH"),
		},
		{
			name:     "someone else's ErrorInfo is not ours to repeat",
			in:       mustInfo(t, status.New(codes.NotFound, "no such bucket"), &errdetails.ErrorInfo{Reason: "BUCKET", Domain: "example.com"}),
			wantKind: apierr.ErrNotFound,
			wantText: "no such bucket",
			wantCode: codes.NotFound,
			wantInfo: info("NOT_FOUND"),
		},
		{"already exists", foreign(codes.AlreadyExists, "rubrics/r: already exists"), apierr.ErrAlreadyExists, "rubrics/r: already exists", codes.AlreadyExists, info("ALREADY_EXISTS")},
		{"aborted", foreign(codes.Aborted, "lost a race"), apierr.ErrConflict, "lost a race", codes.Aborted, info("ABORTED")},
		{"failed precondition", foreign(codes.FailedPrecondition, "not published"), apierr.ErrFailedPrecondition, "not published", codes.FailedPrecondition, info("FAILED_PRECONDITION")},
		{"unauthenticated", foreign(codes.Unauthenticated, "token expired"), apierr.ErrUnauthenticated, "token expired", codes.Unauthenticated, info("UNAUTHENTICATED")},
		{"permission denied", foreign(codes.PermissionDenied, "permission denied"), apierr.ErrPermissionDenied, "permission denied", codes.PermissionDenied, info("PERMISSION_DENIED")},
		{"unavailable", foreign(codes.Unavailable, "connection refused"), apierr.ErrUnavailable, "connection refused", codes.Unavailable, info("UNAVAILABLE")},
		{"their rate limit is our outage", foreign(codes.ResourceExhausted, "slow down"), apierr.ErrUnavailable, "slow down", codes.Unavailable, info("UNAVAILABLE")},
		{"their deadline, ours not over", foreign(codes.DeadlineExceeded, "too slow"), context.DeadlineExceeded, "internal error", codes.Unavailable, info("UNAVAILABLE")},
		{"canceled", foreign(codes.Canceled, "canceled"), context.Canceled, "internal error", codes.Canceled, info("CANCELED")},
		{"a fault of theirs", foreign(codes.Internal, "nil pointer in rubric.go:42"), nil, "internal error", codes.Internal, info("INTERNAL")},
		{"unimplemented", foreign(codes.Unimplemented, "unknown method"), nil, "internal error", codes.Internal, info("INTERNAL")},
		{"not a status", errors.New("dial failed"), nil, "internal error", codes.Internal, info("INTERNAL")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := grpcerr.FromStatus(tt.in)
			if _, isStatus := status.FromError(got); isStatus {
				t.Errorf("FromStatus(%v) = %v, still a status error", tt.in, got)
			}
			if tt.wantKind != nil && !errors.Is(got, tt.wantKind) {
				t.Errorf("FromStatus(%v) = %v, want it to wrap %v", tt.in, got, tt.wantKind)
			}
			if text := apierr.ResponseText(got); text != tt.wantText {
				t.Errorf("ResponseText(FromStatus(%v)) = %q, want %q", tt.in, text, tt.wantText)
			}
			// At the call site the error is wrapped, and mapped once more.
			st := status.Convert(grpcerr.ToStatus(context.Background(), discard(), fmt.Errorf("get rubric: %w", got)))
			if st.Code() != tt.wantCode {
				t.Errorf("ToStatus(FromStatus(%v)).Code() = %v, want %v", tt.in, st.Code(), tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantInfo, errorInfo(t, st), protocmp.Transform()); diff != "" {
				t.Errorf("ToStatus(FromStatus(%v)) ErrorInfo mismatch (-want +got):\n%s", tt.in, diff)
			}
			if strings.Contains(st.Message(), "get rubric") || strings.Contains(st.Message(), "rubric.go") {
				t.Errorf("ToStatus(FromStatus(%v)).Message() = %q, want no internal text", tt.in, st.Message())
			}
		})
	}
	if got := grpcerr.FromStatus(nil); got != nil {
		t.Errorf("FromStatus(nil) = %v, want nil", got)
	}
}

// Bad input reported by another service keeps its field violations.
func TestFromStatusInvalidArgument(t *testing.T) {
	var v apierr.Violations
	v.Add("rubric.title", "required")
	v.Add("rubric.levels[2].id", "duplicate")
	theirs := grpcerr.ToStatus(context.Background(), discard(), v.Err())

	tests := []struct {
		name string
		in   error
		want []apierr.FieldViolation
	}{
		{"with BadRequest", theirs, v},
		{"without details", status.Error(codes.InvalidArgument, "page token expired"), []apierr.FieldViolation{{Description: "page token expired"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var invalid *apierr.InvalidArgumentError
			if got := grpcerr.FromStatus(tt.in); !errors.As(got, &invalid) {
				t.Fatalf("FromStatus(%v) = %v, want an *apierr.InvalidArgumentError", tt.in, got)
			}
			if diff := cmp.Diff(tt.want, invalid.Violations); diff != "" {
				t.Errorf("FromStatus(%v) violations mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func mustInfo(t *testing.T, st *status.Status, info *errdetails.ErrorInfo) error {
	t.Helper()
	return must(t, st, info).Err()
}
