package grpcerr

import (
	"context"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// FromStatus turns the error of a call to another service into a domain
// error, where the call is made:
//
//	resp, err := client.GetRubric(ctx, req)
//	if err != nil {
//		return nil, fmt.Errorf("get rubric: %w", grpcerr.FromStatus(err))
//	}
//
// The codes a caller can act on become their sentinels, with the other
// service's message as client text (it was written for a client) and the
// reason and metadata of its ErrorInfo when it is one of ours:
// NOT_FOUND → ErrNotFound, ALREADY_EXISTS → ErrAlreadyExists, ABORTED →
// ErrConflict, FAILED_PRECONDITION → ErrFailedPrecondition,
// INVALID_ARGUMENT → an *apierr.InvalidArgumentError with the BadRequest's
// violations, UNAUTHENTICATED and PERMISSION_DENIED → theirs, UNAVAILABLE
// and RESOURCE_EXHAUSTED → ErrUnavailable, DEADLINE_EXCEEDED and CANCELED →
// the context errors. Any other code is a fault: an error that ToStatus
// maps to INTERNAL, logging the other service's code and message. An error
// that is not a status comes back unchanged, and nil stays nil.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := apierr.Clip(st.Message(), apierr.MaxMessageBytes)
	var reason string
	var metadata map[string]string
	if info := ErrorInfo(st); info != nil && info.GetDomain() == Domain {
		reason, metadata = info.GetReason(), info.GetMetadata()
	}
	domain := func(kind error) error {
		return &apierr.Error{Kind: kind, Reason: reason, Message: msg, Metadata: metadata}
	}
	switch st.Code() {
	case codes.OK:
		return nil
	case codes.NotFound:
		return domain(apierr.ErrNotFound)
	case codes.AlreadyExists:
		return domain(apierr.ErrAlreadyExists)
	case codes.Aborted:
		return domain(apierr.ErrConflict)
	case codes.FailedPrecondition:
		return domain(apierr.ErrFailedPrecondition)
	case codes.Unauthenticated:
		return domain(apierr.ErrUnauthenticated)
	case codes.PermissionDenied:
		return domain(apierr.ErrPermissionDenied)
	case codes.Unavailable, codes.ResourceExhausted:
		// The other service is down or refuses us for now: for our client
		// it is our dependency that is unavailable, not their quota.
		return &apierr.Error{Kind: apierr.ErrUnavailable, Message: msg, Metadata: metadata}
	case codes.DeadlineExceeded:
		return fmt.Errorf("call to another service: %s: %w", msg, context.DeadlineExceeded)
	case codes.Canceled:
		return fmt.Errorf("call to another service: %s: %w", msg, context.Canceled)
	case codes.InvalidArgument:
		return invalidFrom(st, msg)
	}
	// Not a status error any more (no GRPCStatus), so that ToStatus does not
	// mistake it for one of ours.
	return fmt.Errorf("call to another service failed: %s: %s", st.Code(), msg)
}

// invalidFrom rebuilds the violations of an INVALID_ARGUMENT status.
func invalidFrom(st *status.Status, msg string) error {
	var v apierr.Violations
	for _, d := range st.Details() {
		br, ok := d.(*errdetails.BadRequest)
		if !ok {
			continue
		}
		for _, fv := range br.GetFieldViolations() {
			v.Add(fv.GetField(), "%s", fv.GetDescription())
		}
	}
	if len(v) == 0 {
		v.Add("", "%s", msg)
	}
	return v.Err()
}
