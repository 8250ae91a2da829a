package gateway

import (
	"context"
	"errors"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
)

var (
	queryFieldError = regexp.MustCompile(`^parsing field "([^"]+)"`)
	pathFieldError  = regexp.MustCompile(`parameter: ([^,]+),`)
)

// Reasons of the gateway's own errors, beside the services' (package apierr).
const (
	reasonRequestTooLarge    = "REQUEST_TOO_LARGE"
	reasonMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	reasonCredentialsInQuery = "CREDENTIALS_IN_QUERY"
)

// namedFieldErrors writes every error as the services write theirs: a JSON
// status with an ErrorInfo (reason, domain yardstick.dev) and a message for
// the client. The services' statuses come with their ErrorInfo already; a
// status without one was made here or by the gRPC client, and is completed:
//
//   - the gateway's input errors (malformed JSON, unknown fields,
//     unparsable query or path parameters) become INVALID_ARGUMENT with a
//     BadRequest naming the field (the Grpc-Timeout header, a parameter,
//     or "body" when nothing else is named);
//   - a body that ran past the cap while being read becomes 413;
//   - a route called with the wrong method becomes 405 (the runtime says
//     UNIMPLEMENTED, which would be 501);
//   - the gRPC client's own failures (the service unreachable, a deadline)
//     get a generic message: theirs may name addresses.
func namedFieldErrors(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	httpStatus := 0
	var custom *runtime.HTTPStatusError
	if errors.As(err, &custom) {
		httpStatus, err = custom.HTTPStatus, custom.Err
	}
	st, ok := status.FromError(err)
	if !ok {
		// Not a status: nothing in it was written for a client.
		st = status.Convert(grpcerr.Internal())
	}
	if grpcerr.ErrorInfo(st) == nil {
		switch {
		case strings.Contains(st.Message(), "http: request body too large"):
			// A body without a declared length ran past capBody's cap.
			writeError(w, http.StatusRequestEntityTooLarge, requestTooLarge(0))
			return
		case st.Code() == codes.InvalidArgument && len(st.Details()) == 0:
			st = namedField(st)
		case st.Code() == codes.Unimplemented && st.Message() == http.StatusText(http.StatusMethodNotAllowed):
			httpStatus = http.StatusMethodNotAllowed
			st = methodNotAllowed(r)
		default:
			st = clientStatus(st)
		}
	}
	err = st.Err()
	if httpStatus != 0 {
		err = &runtime.HTTPStatusError{HTTPStatus: httpStatus, Err: err}
	}
	switch st.Code() {
	case codes.Unauthenticated:
		// The default handler would put the status message in this header.
		w = &fixedHeader{ResponseWriter: w, key: "WWW-Authenticate", value: `Bearer realm="yardstick"`}
	case codes.ResourceExhausted:
		w.Header().Set("Retry-After", retryAfter(st))
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// namedField turns one of the runtime's input errors into INVALID_ARGUMENT
// with a BadRequest naming the field.
func namedField(st *status.Status) *status.Status {
	field := "body"
	if sub := queryFieldError.FindStringSubmatch(st.Message()); sub != nil {
		field = sub[1]
	} else if sub := pathFieldError.FindStringSubmatch(st.Message()); sub != nil {
		field = sub[1]
	} else if strings.HasPrefix(st.Message(), "invalid grpc-timeout") {
		// A header the runtime reads before the body: name the header.
		field = "Grpc-Timeout"
	}
	return invalidField(field, st.Message())
}

// invalidField is INVALID_ARGUMENT with a BadRequest naming one field, as
// the services write it (both parts clipped, and made valid UTF-8: they may
// come from the request, and the JSON body must encode).
func invalidField(field, description string) *status.Status {
	field = apierr.Clip(strings.ToValidUTF8(field, "\uFFFD"), apierr.MaxFieldBytes)
	description = apierr.Clip(strings.ToValidUTF8(description, "\uFFFD"), apierr.MaxDescriptionBytes)
	named := grpcerr.New(codes.InvalidArgument, apierr.ReasonInvalidArgument, "invalid argument: "+field+": "+description, nil)
	if withDetails, err := named.WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: description}},
	}); err == nil {
		return withDetails
	}
	return named
}

// genericMessages replace the messages of the gRPC client's own failures,
// which may name addresses or internals.
var genericMessages = map[codes.Code]string{
	codes.Unavailable:      "service unavailable, retry later",
	codes.DeadlineExceeded: "deadline exceeded",
	codes.Canceled:         "request canceled",
	codes.Internal:         "internal error",
	codes.Unknown:          "internal error",
	codes.DataLoss:         "internal error",
}

// clientStatus completes a status without ErrorInfo: an ErrorInfo named
// after its code and, for the client's own failures, a generic message.
func clientStatus(st *status.Status) *status.Status {
	if msg, ok := genericMessages[st.Code()]; ok {
		code := st.Code()
		if code == codes.Unknown || code == codes.DataLoss {
			code = codes.Internal
		}
		return grpcerr.New(code, grpcerr.ReasonOf(code), msg, nil)
	}
	return grpcerr.Complete(st)
}

// requestTooLarge is the status of a body over max bytes (0: unknown).
func requestTooLarge(max int64) *status.Status {
	msg := "request body too large"
	var metadata map[string]string
	if max > 0 {
		msg = "request body larger than " + strconv.FormatInt(max, 10) + " bytes"
		metadata = map[string]string{"limit": strconv.FormatInt(max, 10)}
	}
	return grpcerr.New(codes.InvalidArgument, reasonRequestTooLarge, msg, metadata)
}

// routeNotFound is the status of a path outside the API that the gateway
// does not serve (the runtime answers for paths under /v1/).
func routeNotFound(r *http.Request) *status.Status {
	return grpcerr.New(codes.NotFound, apierr.ReasonNotFound, "no route for "+apierr.Clip(strings.ToValidUTF8(r.URL.Path, "\uFFFD"), 256), nil)
}

// methodNotAllowed is the status of a route called with a method it does
// not have.
func methodNotAllowed(r *http.Request) *status.Status {
	return grpcerr.New(codes.Unimplemented, reasonMethodNotAllowed,
		"method "+apierr.Clip(strings.ToValidUTF8(r.Method, "\uFFFD"), 32)+" is not allowed on "+apierr.Clip(strings.ToValidUTF8(r.URL.Path, "\uFFFD"), 256), nil)
}

// credentialsInQuery is the status of a request with a credential in its
// query string.
func credentialsInQuery() *status.Status {
	return grpcerr.New(codes.Unauthenticated, reasonCredentialsInQuery,
		"credentials in the query string are refused: send them in the Authorization header", nil)
}

// writeError writes st as the JSON body the services' errors have, with the
// HTTP status code given: for the refusals the gateway makes before a
// request reaches the runtime (413, 401).
func writeError(w http.ResponseWriter, httpStatus int, st *status.Status) {
	body, err := protojson.Marshal(st.Proto())
	if err != nil {
		body = []byte(`{"code":13,"message":"failed to marshal error message"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	_, _ = w.Write(body)
}

// retryAfter turns a status's RetryInfo into whole seconds for Retry-After.
func retryAfter(st *status.Status) string {
	seconds := 1
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.RetryInfo); ok {
			seconds = max(1, int(math.Ceil(info.GetRetryDelay().AsDuration().Seconds())))
		}
	}
	return strconv.Itoa(seconds)
}

// fixedHeader sets one header just before the status line is written,
// over whatever the wrapped handler set.
type fixedHeader struct {
	http.ResponseWriter
	key, value string
}

func (f *fixedHeader) WriteHeader(code int) {
	f.Header().Set(f.key, f.value)
	f.ResponseWriter.WriteHeader(code)
}
