// Package grpcerr maps between the domain errors of package apierr and gRPC
// status errors, both ways:
//
//   - ToStatus turns what a handler returned into the status the client gets:
//     a code, a message written for the client (apierr.ResponseText, never
//     the internal chain), an ErrorInfo (reason, domain yardstick.dev,
//     metadata) and, for bad input, a bounded BadRequest.
//   - FromStatus turns a status coming back from another service into a
//     domain error, at the call site, so that it is mapped again like any
//     other and never passed through as it came.
//
// It is apart from apierr so that apierr imports no transport, and apart
// from grpcserver so that a client of another service can use FromStatus
// without the server's dependencies.
package grpcerr

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Domain is the ErrorInfo domain of every error Yardstick makes.
const Domain = "yardstick.dev"

// mapped is a status error made by this package. ToStatus passes it through
// unchanged: it is final, and a second mapping must not turn it into INTERNAL.
type mapped struct{ st *status.Status }

func (m *mapped) Error() string              { return m.st.Err().Error() }
func (m *mapped) GRPCStatus() *status.Status { return m.st }

// ToStatus turns an error a handler returned into a gRPC status error:
//
//   - a domain error (apierr) becomes its code, with the client text of
//     apierr.ResponseText, an ErrorInfo and, for bad input, a BadRequest;
//   - context.Canceled becomes CANCELED; context.DeadlineExceeded becomes
//     DEADLINE_EXCEEDED when ctx (the call's context) is over, and otherwise
//     UNAVAILABLE: the server's own timeout, not the caller's;
//   - database timeouts, network and server selection errors become
//     UNAVAILABLE (retryable), logged at WARN;
//   - a status error made by this package passes through;
//   - any other status error becomes INTERNAL, logged: a status from another
//     service must be converted with FromStatus where the call is made, and
//     a handler must not make statuses of its own;
//   - anything else becomes INTERNAL with a generic message; the detail goes
//     to the log only, clipped to apierr.MaxMessageBytes.
func ToStatus(ctx context.Context, log *slog.Logger, err error) error {
	return toStatus(ctx, log, err, false)
}

// FromInterceptor is ToStatus for the errors of a server's own interceptors
// (authentication, rate limiting, validation): the same, except that a
// status error they made passes through, given an ErrorInfo when it has
// none and its message clipped.
func FromInterceptor(ctx context.Context, log *slog.Logger, err error) error {
	return toStatus(ctx, log, err, true)
}

func toStatus(ctx context.Context, log *slog.Logger, err error, trustStatus bool) error {
	if err == nil {
		return nil
	}
	var m *mapped
	if errors.As(err, &m) {
		return m
	}
	if st, ok := domainStatus(ctx, err); ok {
		if st.Code() == codes.Unavailable {
			log.WarnContext(ctx, "dependency unavailable", "error", apierr.Clip(err.Error(), apierr.MaxMessageBytes))
		}
		return &mapped{st}
	}
	if st, ok := rawStatus(err); ok {
		if trustStatus {
			return &mapped{Complete(st)}
		}
		log.ErrorContext(ctx, "handler returned a gRPC status error; convert statuses from other services with grpcerr.FromStatus",
			"code", st.Code().String(), "error", apierr.Clip(err.Error(), apierr.MaxMessageBytes))
		return Internal()
	}
	log.ErrorContext(ctx, "internal error", "error", apierr.Clip(err.Error(), apierr.MaxMessageBytes))
	return Internal()
}

// rawStatus returns the status of err when err is, or wraps, a status error.
func rawStatus(err error) (*status.Status, bool) {
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) || se.GRPCStatus() == nil {
		return nil, false
	}
	return se.GRPCStatus(), true
}

// domainStatus maps the errors ToStatus knows; ok is false for the others.
func domainStatus(ctx context.Context, err error) (st *status.Status, ok bool) {
	var invalid *apierr.InvalidArgumentError
	if errors.As(err, &invalid) {
		return invalidStatus(invalid), true
	}
	var e *apierr.Error
	reason, metadata := "", map[string]string(nil)
	if errors.As(err, &e) {
		reason, metadata = e.Reason, e.Metadata
	}
	text := apierr.ResponseText(err)
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			if reason == "" {
				reason = apierr.DefaultReason(k.kind)
			}
			return New(k.code, reason, text, metadata), true
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return New(codes.Canceled, apierr.ReasonCanceled, "request canceled", nil), true
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return New(codes.DeadlineExceeded, apierr.ReasonDeadlineExceeded, "deadline exceeded", nil), true
	case unavailable(err):
		return New(codes.Unavailable, apierr.ReasonUnavailable, "service unavailable, retry later", nil), true
	}
	return nil, false
}

// kinds are the sentinels and their codes, in the order they are tried.
var kinds = []struct {
	kind error
	code codes.Code
}{
	{apierr.ErrNotFound, codes.NotFound},
	{apierr.ErrAlreadyExists, codes.AlreadyExists},
	{apierr.ErrConflict, codes.Aborted},
	{apierr.ErrFailedPrecondition, codes.FailedPrecondition},
	{apierr.ErrUnauthenticated, codes.Unauthenticated},
	{apierr.ErrPermissionDenied, codes.PermissionDenied},
	{apierr.ErrUnavailable, codes.Unavailable},
}

// unavailable reports whether err says the database could not be reached in
// time: a retry may succeed. A deadline that is not the caller's (ctx is not
// over) is one of ours, for example the driver's server selection timeout.
func unavailable(err error) bool {
	return mongo.IsTimeout(err) || mongo.IsNetworkError(err) ||
		errors.As(err, new(topology.ServerSelectionError)) ||
		errors.Is(err, mongo.ErrClientDisconnected)
}

// New returns a status with an ErrorInfo (reason, Domain, metadata); the
// message is clipped to apierr.MaxMessageBytes.
func New(code codes.Code, reason, message string, metadata map[string]string) *status.Status {
	st := status.New(code, apierr.Clip(message, apierr.MaxMessageBytes))
	return withDetails(st, &errdetails.ErrorInfo{Reason: reason, Domain: Domain, Metadata: metadata})
}

// Internal returns the status error a client gets for a fault of the server.
func Internal() error {
	return &mapped{New(codes.Internal, apierr.ReasonInternal, "internal error", nil)}
}

// Complete returns st with its message clipped and an ErrorInfo added when it
// has none, the reason named after its code (RESOURCE_EXHAUSTED, …).
func Complete(st *status.Status) *status.Status {
	if st.Code() == codes.OK {
		return st
	}
	if len(st.Message()) > apierr.MaxMessageBytes {
		p := st.Proto()
		p.Message = apierr.Clip(p.Message, apierr.MaxMessageBytes)
		st = status.FromProto(p)
	}
	if ErrorInfo(st) != nil {
		return st
	}
	return withDetails(st, &errdetails.ErrorInfo{Reason: ReasonOf(st.Code()), Domain: Domain})
}

// ReasonOf returns the default reason for a code: its name in
// UPPER_SNAKE_CASE, as in google/rpc/code.proto.
func ReasonOf(c codes.Code) string {
	if c == codes.Canceled {
		return apierr.ReasonCanceled
	}
	name := c.String() // "ResourceExhausted", or "Code(42)"
	if strings.HasPrefix(name, "Code(") {
		return apierr.ReasonInternal
	}
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func invalidStatus(e *apierr.InvalidArgumentError) *status.Status {
	st := New(codes.InvalidArgument, apierr.ReasonInvalidArgument, apierr.ResponseText(e), nil)
	br := &errdetails.BadRequest{}
	for _, v := range e.ClientViolations() {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field: v.Field, Description: v.Description,
		})
	}
	return withDetails(st, br)
}

// withDetails adds details to st; they are well-formed messages, so it fails
// only if st is OK, and then st is returned as it is.
func withDetails(st *status.Status, details ...protoadapt.MessageV1) *status.Status {
	out, err := st.WithDetails(details...)
	if err != nil {
		return st
	}
	return out
}

// ErrorInfo returns the ErrorInfo of st, or nil.
func ErrorInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}
