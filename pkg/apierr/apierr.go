// Package apierr holds the domain errors that every service and store speaks,
// and the one function that turns them into gRPC status errors (and so, through
// the gateway, into HTTP status codes).
package apierr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinels for the outcomes a caller can act on.
var (
	// ErrNotFound: the resource does not exist (or is not visible to the caller).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a create collided with an existing resource.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the write was based on a stale version (etag) or lost a race.
	ErrConflict = errors.New("conflict")
	// ErrFailedPrecondition: the resource is not in a state that allows the
	// operation (for example publishing a draft without changes).
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrUnauthenticated: no valid credentials came with the request.
	ErrUnauthenticated = errors.New("unauthenticated: a valid bearer token is required")
	// ErrPermissionDenied: the caller is known but may not do this. It never
	// says whether the resource exists.
	ErrPermissionDenied = errors.New("permission denied")
)

// FieldViolation names one bad field of a request and says what is wrong with it.
type FieldViolation struct {
	Field       string // path in the request, for example "framework.tracks[0].id"
	Description string
}

// InvalidArgumentError is bad input: one or more field violations.
type InvalidArgumentError struct {
	Violations []FieldViolation
}

func (e *InvalidArgumentError) Error() string {
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		parts = append(parts, v.Field+": "+v.Description)
	}
	return "invalid argument: " + strings.Join(parts, "; ")
}

// Invalid returns an InvalidArgumentError for one field.
func Invalid(field, format string, args ...any) error {
	return &InvalidArgumentError{Violations: []FieldViolation{{Field: field, Description: fmt.Sprintf(format, args...)}}}
}

// Violations collects field violations; Err returns nil when there are none.
type Violations []FieldViolation

// Add records a violation.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err returns the collected violations as an error, or nil.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &InvalidArgumentError{Violations: v}
}

// NotFound wraps ErrNotFound with the resource name, for the message.
func NotFound(name string) error { return fmt.Errorf("%s: %w", name, ErrNotFound) }

// AlreadyExists wraps ErrAlreadyExists with the resource name.
func AlreadyExists(name string) error { return fmt.Errorf("%s: %w", name, ErrAlreadyExists) }

// Conflict wraps ErrConflict with a reason.
func Conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrConflict)
}

// FailedPrecondition wraps ErrFailedPrecondition with a reason.
func FailedPrecondition(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrFailedPrecondition)
}

// ToStatus turns an error into a gRPC status error. Errors that already are
// status errors pass through; unknown errors become INTERNAL with a generic
// message, and their detail goes to the log only.
func ToStatus(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	var invalid *InvalidArgumentError
	switch {
	case errors.As(err, &invalid):
		return invalidStatus(invalid)
	case errors.Is(err, ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrAlreadyExists):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, ErrConflict):
		return status.Error(codes.Aborted, err.Error())
	case errors.Is(err, ErrFailedPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, ErrUnauthenticated):
		return status.Error(codes.Unauthenticated, err.Error())
	case errors.Is(err, ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "deadline exceeded")
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request canceled")
	}
	if s, ok := status.FromError(err); ok {
		return s.Err()
	}
	log.ErrorContext(ctx, "internal error", "error", err)
	return status.Error(codes.Internal, "internal error")
}

func invalidStatus(e *InvalidArgumentError) error {
	st := status.New(codes.InvalidArgument, e.Error())
	br := &errdetails.BadRequest{}
	for _, v := range e.Violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field: v.Field, Description: v.Description,
		})
	}
	if withDetails, err := st.WithDetails(br); err == nil {
		return withDetails.Err()
	}
	return st.Err()
}
