package gateway

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var (
	queryFieldError = regexp.MustCompile(`^parsing field "([^"]+)"`)
	pathFieldError  = regexp.MustCompile(`parameter: ([^,]+),`)
)

// namedFieldErrors makes the gateway's own input errors (malformed JSON,
// unknown fields, unparsable query or path parameters) look like the
// services' errors: INVALID_ARGUMENT with a BadRequest naming the field. The
// gateway reports them as bare messages; the body is the field when no
// parameter is named.
func namedFieldErrors(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	st, ok := status.FromError(err)
	if ok && strings.Contains(st.Message(), "http: request body too large") {
		// A body without a declared length ran past limitBody's cap.
		writeText(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	if ok && st.Code() == codes.InvalidArgument && len(st.Details()) == 0 {
		field := "body"
		if sub := queryFieldError.FindStringSubmatch(st.Message()); sub != nil {
			field = sub[1]
		} else if sub := pathFieldError.FindStringSubmatch(st.Message()); sub != nil {
			field = sub[1]
		}
		named := status.New(codes.InvalidArgument, "invalid argument: "+field+": "+st.Message())
		if withDetails, derr := named.WithDetails(&errdetails.BadRequest{
			FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: st.Message()}},
		}); derr == nil {
			err = withDetails.Err()
		}
	}
	if ok {
		switch st.Code() {
		case codes.Unauthenticated:
			// The default handler would put the status message in this header.
			w = &fixedHeader{ResponseWriter: w, key: "WWW-Authenticate", value: `Bearer realm="yardstick"`}
		case codes.ResourceExhausted:
			w.Header().Set("Retry-After", retryAfter(st))
		}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
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
