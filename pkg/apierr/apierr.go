// Package apierr holds the domain errors that every service and store speaks.
// It imports no transport: package grpcerr (pkg/apierr/grpcerr) turns these
// errors into gRPC status errors, and so, through the gateway, into HTTP.
//
// An error has two texts. Error() is the internal chain, for logs: it may
// carry wrapping context ("find pending change: …") and causes. ResponseText
// is the text written for the client: only what a constructor of this
// package put there on purpose, never the wrapping around it.
package apierr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
	// ErrUnavailable: a dependency (the database, another service) cannot be
	// reached right now; the same call may succeed if retried later.
	ErrUnavailable = errors.New("unavailable")
)

// Reasons name the cause of an error in UPPER_SNAKE_CASE, for the
// google.rpc.ErrorInfo of the status (AIP-193). Clients may switch on them.
const (
	ReasonNotFound           = "NOT_FOUND"
	ReasonAlreadyExists      = "ALREADY_EXISTS"
	ReasonAborted            = "ABORTED"
	ReasonEtagMismatch       = "ETAG_MISMATCH"
	ReasonFailedPrecondition = "FAILED_PRECONDITION"
	ReasonInvalidArgument    = "INVALID_ARGUMENT"
	ReasonUnauthenticated    = "UNAUTHENTICATED"
	ReasonPermissionDenied   = "PERMISSION_DENIED"
	ReasonUnavailable        = "UNAVAILABLE"
	ReasonDeadlineExceeded   = "DEADLINE_EXCEEDED"
	ReasonCanceled           = "CANCELED"
	ReasonResourceExhausted  = "RESOURCE_EXHAUSTED"
	ReasonInternal           = "INTERNAL"
)

// Limits keep an error small whatever the input: a request with ten
// thousand bad fields gets a status of a few KiB, not megabytes.
const (
	// MaxViolations is how many field violations a client sees; one more
	// says how many were left out.
	MaxViolations = 20
	// MaxViolationsBytes bounds the fields and descriptions of the
	// violations a client sees, all together.
	MaxViolationsBytes = 4 << 10
	// MaxFieldBytes bounds one field path.
	MaxFieldBytes = 256
	// MaxDescriptionBytes bounds one violation's description.
	MaxDescriptionBytes = 1 << 10
	// MaxMessageBytes bounds a status message, and an error's text in a log.
	MaxMessageBytes = 4 << 10
	// maxSummaryBytes bounds the message of an invalid-argument error: the
	// violations themselves travel beside it.
	maxSummaryBytes = 1 << 10
)

// Error is a domain error with a text for the client. It wraps its Kind (one
// of the sentinels), so errors.Is(err, ErrNotFound) holds, and its Cause,
// which is internal: it shows in Error() and the logs, never to the client.
type Error struct {
	Kind     error             // ErrNotFound, ErrConflict, …
	Reason   string            // UPPER_SNAKE_CASE; DefaultReason(Kind) when empty
	Message  string            // written for the client
	Metadata map[string]string // for the ErrorInfo, for example {"resource": "frameworks/eng"}
	Cause    error             // internal detail, may be nil
}

// New returns an error of kind with a client message. Set Reason, Metadata
// or Cause on the result where useful.
func New(kind error, message string) *Error {
	return &Error{Kind: kind, Message: message}
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// ReasonCode returns the reason, or the kind's default.
func (e *Error) ReasonCode() string {
	if e.Reason != "" {
		return e.Reason
	}
	return DefaultReason(e.Kind)
}

// DefaultReason returns the reason for an error of kind (a sentinel), or
// ReasonInternal for anything else.
func DefaultReason(kind error) string {
	switch kind {
	case ErrNotFound:
		return ReasonNotFound
	case ErrAlreadyExists:
		return ReasonAlreadyExists
	case ErrConflict:
		return ReasonAborted
	case ErrFailedPrecondition:
		return ReasonFailedPrecondition
	case ErrUnauthenticated:
		return ReasonUnauthenticated
	case ErrPermissionDenied:
		return ReasonPermissionDenied
	case ErrUnavailable:
		return ReasonUnavailable
	}
	return ReasonInternal
}

// FieldViolation names one bad field of a request and says what is wrong with it.
type FieldViolation struct {
	Field       string // path in the request, for example "framework.tracks[0].id"
	Description string
}

// InvalidArgumentError is bad input: one or more field violations.
type InvalidArgumentError struct {
	Violations []FieldViolation
}

// Error lists the violations a client would see (ClientViolations), so that
// it stays small however many there are.
func (e *InvalidArgumentError) Error() string {
	return e.summary(MaxMessageBytes)
}

// summary is "invalid argument: field: description; …", at most max bytes.
func (e *InvalidArgumentError) summary(max int) string {
	vs := e.ClientViolations()
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		if v.Field == "" {
			parts = append(parts, v.Description)
			continue
		}
		parts = append(parts, v.Field+": "+v.Description)
	}
	return Clip("invalid argument: "+strings.Join(parts, "; "), max)
}

// ClientViolations returns the violations a client sees: at most
// MaxViolations of them, each clipped, within MaxViolationsBytes all
// together, and, when some were left out, a last one (field "") saying how
// many.
func (e *InvalidArgumentError) ClientViolations() []FieldViolation {
	out := make([]FieldViolation, 0, min(len(e.Violations), MaxViolations)+1)
	size := 0
	for i, v := range e.Violations {
		v = FieldViolation{Field: Clip(v.Field, MaxFieldBytes), Description: Clip(v.Description, MaxDescriptionBytes)}
		size += len(v.Field) + len(v.Description)
		if i == MaxViolations || (i > 0 && size > MaxViolationsBytes) {
			more := len(e.Violations) - i
			noun := "violations"
			if more == 1 {
				noun = "violation"
			}
			return append(out, FieldViolation{Description: fmt.Sprintf("and %d more %s", more, noun)})
		}
		out = append(out, v)
	}
	return out
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

// NotFound returns an ErrNotFound for the resource name, named in the
// message and in the metadata.
func NotFound(name string) error {
	return &Error{Kind: ErrNotFound, Message: name + ": not found", Metadata: map[string]string{"resource": name}}
}

// AlreadyExists returns an ErrAlreadyExists for the resource name.
func AlreadyExists(name string) error {
	return &Error{Kind: ErrAlreadyExists, Message: name + ": already exists", Metadata: map[string]string{"resource": name}}
}

// Conflict returns an ErrConflict (ABORTED: re-read and retry) saying why.
func Conflict(format string, args ...any) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf(format, args...) + ": conflict"}
}

// FailedPrecondition returns an ErrFailedPrecondition saying why.
func FailedPrecondition(format string, args ...any) error {
	return &Error{Kind: ErrFailedPrecondition, Message: fmt.Sprintf(format, args...) + ": failed precondition"}
}

// Unavailable returns an ErrUnavailable saying what cannot be reached. The
// text goes to the client: name the dependency, not its address.
func Unavailable(format string, args ...any) error {
	return &Error{Kind: ErrUnavailable, Message: fmt.Sprintf(format, args...) + ": unavailable"}
}

// ResponseText returns the text a client may read for err, at most
// MaxMessageBytes: the message of the *Error or *InvalidArgumentError in its
// chain, or the text of the sentinel it wraps, never the wrapping around
// them. It returns "internal error" for anything else.
func ResponseText(err error) string {
	var invalid *InvalidArgumentError
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &invalid):
		return invalid.summary(maxSummaryBytes)
	case errors.As(err, &e):
		if e.Message == "" && e.Kind != nil {
			return Clip(e.Kind.Error(), MaxMessageBytes)
		}
		return Clip(e.Message, MaxMessageBytes)
	}
	for _, kind := range []error{ErrNotFound, ErrAlreadyExists, ErrConflict, ErrFailedPrecondition,
		ErrUnauthenticated, ErrPermissionDenied, ErrUnavailable} {
		if errors.Is(err, kind) {
			return kind.Error()
		}
	}
	return "internal error"
}

// Clip returns s cut to at most n bytes, at a rune boundary and ending in
// "…" when something was cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	if n < len(ellipsis) {
		return ""
	}
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
