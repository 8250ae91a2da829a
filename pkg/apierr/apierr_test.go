package apierr_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

func TestToStatus(t *testing.T) {
	twoViolations := func() error {
		var v apierr.Violations
		v.Add("framework.title", "required")
		v.Add("framework.tracks[1].id", "duplicate track ID %q", "ic")
		return v.Err()
	}()

	tests := []struct {
		name     string
		err      error
		wantCode codes.Code
		// wantMsg is checked only when set: the domain errors carry the
		// resource name or reason in their message, which is what clients see.
		wantMsg string
		// wantFields is the BadRequest detail expected on INVALID_ARGUMENT.
		wantFields []*errdetails.BadRequest_FieldViolation
	}{
		{
			name:     "not found",
			err:      apierr.NotFound("frameworks/x"),
			wantCode: codes.NotFound,
			wantMsg:  "frameworks/x: not found",
		},
		{
			name:     "not found wrapped",
			err:      fmt.Errorf("get framework: %w", apierr.NotFound("frameworks/x")),
			wantCode: codes.NotFound,
		},
		{
			name:     "already exists",
			err:      apierr.AlreadyExists("frameworks/x"),
			wantCode: codes.AlreadyExists,
			wantMsg:  "frameworks/x: already exists",
		},
		{
			// A stale etag must be retryable by re-reading: ABORTED, not
			// FAILED_PRECONDITION (AIP-154).
			name:     "conflict",
			err:      apierr.Conflict("etag %q is stale", "v3"),
			wantCode: codes.Aborted,
			wantMsg:  `etag "v3" is stale: conflict`,
		},
		{
			name:     "failed precondition",
			err:      apierr.FailedPrecondition("nothing to publish"),
			wantCode: codes.FailedPrecondition,
			wantMsg:  "nothing to publish: failed precondition",
		},
		{
			name:     "one invalid field",
			err:      apierr.Invalid("framework.title", "required"),
			wantCode: codes.InvalidArgument,
			wantMsg:  "invalid argument: framework.title: required",
			wantFields: []*errdetails.BadRequest_FieldViolation{
				{Field: "framework.title", Description: "required"},
			},
		},
		{
			name:     "two violations",
			err:      twoViolations,
			wantCode: codes.InvalidArgument,
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
			wantFields: []*errdetails.BadRequest_FieldViolation{
				{Field: "content", Description: "empty document"},
			},
		},
		{
			name:     "deadline exceeded",
			err:      context.DeadlineExceeded,
			wantCode: codes.DeadlineExceeded,
		},
		{
			name:     "deadline exceeded wrapped",
			err:      fmt.Errorf("find frameworks: %w", context.DeadlineExceeded),
			wantCode: codes.DeadlineExceeded,
		},
		{
			name:     "canceled",
			err:      context.Canceled,
			wantCode: codes.Canceled,
		},
		{
			name:     "canceled wrapped",
			err:      fmt.Errorf("find frameworks: %w", context.Canceled),
			wantCode: codes.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			got := apierr.ToStatus(context.Background(), logger(&logs), tt.err)
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
			var want *errdetails.BadRequest
			if tt.wantFields != nil {
				want = &errdetails.BadRequest{FieldViolations: tt.wantFields}
			}
			if diff := cmp.Diff(want, badRequest(t, st), protocmp.Transform()); diff != "" {
				t.Errorf("ToStatus(%v) BadRequest detail mismatch (-want +got):\n%s", tt.err, diff)
			}
			// Errors the client can act on are not the server's fault and
			// would only be noise in the error log.
			if logs.Len() != 0 {
				t.Errorf("ToStatus(%v) logged %q, want nothing", tt.err, logs.String())
			}
		})
	}
}

func TestToStatusNil(t *testing.T) {
	if got := apierr.ToStatus(context.Background(), discard(), nil); got != nil {
		t.Errorf("ToStatus(nil) = %v, want nil", got)
	}
}

// A status error made further down (by a gRPC client call, say) already says
// what the client should see; ToStatus must not reclassify it.
func TestToStatusPassesStatusThrough(t *testing.T) {
	in, err := status.New(codes.ResourceExhausted, "quota exhausted").WithDetails(
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{Subject: "user:ada"}}})
	if err != nil {
		t.Fatalf("WithDetails: %v", err)
	}
	var logs bytes.Buffer
	got := apierr.ToStatus(context.Background(), logger(&logs), in.Err())
	if diff := cmp.Diff(in.Proto(), status.Convert(got).Proto(), protocmp.Transform()); diff != "" {
		t.Errorf("ToStatus(%v) mismatch (-want +got):\n%s", in.Err(), diff)
	}
	if logs.Len() != 0 {
		t.Errorf("ToStatus(%v) logged %q, want nothing: it is not an internal error", in.Err(), logs.String())
	}
}

// Unknown errors may carry driver messages, hostnames or query text: the
// client gets a generic message and the detail goes to the log only.
func TestToStatusUnknownIsInternal(t *testing.T) {
	const secret = "connection refused by mongo-0.internal:27017"
	in := fmt.Errorf("update framework: %w", errors.New(secret))
	var logs bytes.Buffer
	got := apierr.ToStatus(context.Background(), logger(&logs), in)

	st := status.Convert(got)
	if st.Code() != codes.Internal {
		t.Errorf("ToStatus(%v).Code() = %v, want %v", in, st.Code(), codes.Internal)
	}
	if st.Message() != "internal error" {
		t.Errorf("ToStatus(%v).Message() = %q, want %q", in, st.Message(), "internal error")
	}
	if strings.Contains(got.Error(), secret) || len(st.Details()) != 0 {
		t.Errorf("ToStatus(%v) = %v with details %v, want the detail kept from the client", in, got, st.Details())
	}
	if !strings.Contains(logs.String(), secret) {
		t.Errorf("ToStatus(%v) logged %q, want the log to contain %q", in, logs.String(), secret)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("ToStatus(%v) logged %q, want it at level ERROR", in, logs.String())
	}
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
