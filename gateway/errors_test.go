package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
)

// errorMux is a runtime mux set up as New sets it up, with one route.
func errorMux(t *testing.T) *runtime.ServeMux {
	t.Helper()
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{}),
		runtime.WithErrorHandler(namedFieldErrors),
	)
	if err := mux.HandlePath("GET", "/v1/things", func(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
		w.WriteHeader(http.StatusOK)
	}); err != nil {
		t.Fatal(err)
	}
	return mux
}

// decodeStatus reads a JSON error body back into a status.
func decodeStatus(t *testing.T, rec *httptest.ResponseRecorder) *status.Status {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var p spb.Status
	if err := protojson.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q is not a JSON status: %v", rec.Body.String(), err)
	}
	return status.FromProto(&p)
}

// Every error the gateway writes, its own or a service's, is a JSON status
// with an ErrorInfo, and a message written for the client.
func TestErrorBodies(t *testing.T) {
	limited, err := grpcerr.New(codes.ResourceExhausted, "RESOURCE_EXHAUSTED", "rate limit exceeded", nil).
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		err        error
		wantHTTP   int
		wantCode   codes.Code
		wantInfo   *errdetails.ErrorInfo
		wantMsg    string // checked when set
		wantField  string // the BadRequest field, when set
		wantHeader [2]string
		notInBody  string
	}{
		{
			name:      "query parameter",
			err:       status.Error(codes.InvalidArgument, `parsing field "page_size": strconv.ParseInt: parsing "ten": invalid syntax`),
			wantHTTP:  400,
			wantCode:  codes.InvalidArgument,
			wantInfo:  info("INVALID_ARGUMENT"),
			wantField: "page_size",
		},
		{
			name:      "malformed JSON",
			err:       status.Error(codes.InvalidArgument, "unexpected EOF"),
			wantHTTP:  400,
			wantCode:  codes.InvalidArgument,
			wantInfo:  info("INVALID_ARGUMENT"),
			wantMsg:   "invalid argument: body: unexpected EOF",
			wantField: "body",
		},
		{
			name:      "unparsable Grpc-Timeout header",
			err:       status.Error(codes.InvalidArgument, "invalid grpc-timeout: soon"),
			wantHTTP:  400,
			wantCode:  codes.InvalidArgument,
			wantInfo:  info("INVALID_ARGUMENT"),
			wantField: "Grpc-Timeout",
		},
		{
			name:     "body ran past the cap",
			err:      status.Error(codes.InvalidArgument, "http: request body too large"),
			wantHTTP: 413,
			wantCode: codes.InvalidArgument,
			wantInfo: info("REQUEST_TOO_LARGE"),
		},
		{
			name:     "a service's error",
			err:      grpcerr.ToStatus(context.Background(), slog.New(slog.DiscardHandler), apierr.NotFound("frameworks/x")),
			wantHTTP: 404,
			wantCode: codes.NotFound,
			wantInfo: info("NOT_FOUND", "resource", "frameworks/x"),
			wantMsg:  "frameworks/x: not found",
		},
		{
			name:       "a service's refusal",
			err:        grpcerr.ToStatus(context.Background(), slog.New(slog.DiscardHandler), apierr.ErrUnauthenticated),
			wantHTTP:   401,
			wantCode:   codes.Unauthenticated,
			wantInfo:   info("UNAUTHENTICATED"),
			wantHeader: [2]string{"WWW-Authenticate", `Bearer realm="yardstick"`},
		},
		{
			name:       "rate limited",
			err:        limited.Err(),
			wantHTTP:   429,
			wantCode:   codes.ResourceExhausted,
			wantInfo:   info("RESOURCE_EXHAUSTED"),
			wantHeader: [2]string{"Retry-After", "2"},
		},
		{
			// The gRPC client's own failure names the address it dialled.
			name:      "service unreachable",
			err:       status.Error(codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.7:9090: connect: connection refused"`),
			wantHTTP:  503,
			wantCode:  codes.Unavailable,
			wantInfo:  info("UNAVAILABLE"),
			wantMsg:   "service unavailable, retry later",
			notInBody: "10.0.0.7",
		},
		{
			name:      "client deadline",
			err:       status.Error(codes.DeadlineExceeded, "context deadline exceeded while talking to 10.0.0.7"),
			wantHTTP:  504,
			wantCode:  codes.DeadlineExceeded,
			wantInfo:  info("DEADLINE_EXCEEDED"),
			notInBody: "10.0.0.7",
		},
		{
			name:     "a status without ErrorInfo keeps its message",
			err:      status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5000000 vs. 4194304)"),
			wantHTTP: 429,
			wantCode: codes.ResourceExhausted,
			wantInfo: info("RESOURCE_EXHAUSTED"),
			wantMsg:  "grpc: received message larger than max (5000000 vs. 4194304)",
		},
		{
			name:      "not a status",
			err:       errors.New("marshal: secret detail"),
			wantHTTP:  500,
			wantCode:  codes.Internal,
			wantInfo:  info("INTERNAL"),
			wantMsg:   "internal error",
			notInBody: "secret",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/v1/things", nil)
			namedFieldErrors(req.Context(), errorMux(t), &runtime.JSONPb{}, rec, req, tt.err)
			if rec.Code != tt.wantHTTP {
				t.Errorf("HTTP status = %d, want %d (body %s)", rec.Code, tt.wantHTTP, rec.Body)
			}
			st := decodeStatus(t, rec)
			if st.Code() != tt.wantCode {
				t.Errorf("code = %v, want %v", st.Code(), tt.wantCode)
			}
			if tt.wantMsg != "" && st.Message() != tt.wantMsg {
				t.Errorf("message = %q, want %q", st.Message(), tt.wantMsg)
			}
			if diff := cmp.Diff(tt.wantInfo, grpcerr.ErrorInfo(st), protocmp.Transform()); diff != "" {
				t.Errorf("ErrorInfo mismatch (-want +got):\n%s", diff)
			}
			if tt.wantField != "" && !hasField(st, tt.wantField) {
				t.Errorf("details %v name no field %q", st.Details(), tt.wantField)
			}
			if k := tt.wantHeader[0]; k != "" && rec.Header().Get(k) != tt.wantHeader[1] {
				t.Errorf("%s = %q, want %q", k, rec.Header().Get(k), tt.wantHeader[1])
			}
			if tt.notInBody != "" && strings.Contains(rec.Body.String(), tt.notInBody) {
				t.Errorf("body %s contains %q", rec.Body, tt.notInBody)
			}
		})
	}
}

// The runtime's routing errors: a route called with the wrong method is
// 405 (the runtime alone says 501), an unknown route 404, both with an
// ErrorInfo.
func TestRoutingErrors(t *testing.T) {
	tests := []struct {
		method, path string
		wantHTTP     int
		wantInfo     *errdetails.ErrorInfo
	}{
		{"DELETE", "/v1/things", 405, info("METHOD_NOT_ALLOWED")},
		{"GET", "/v1/nothing/here", 404, info("NOT_FOUND")},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			errorMux(t).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantHTTP {
				t.Errorf("%s %s = %d, want %d (body %s)", tt.method, tt.path, rec.Code, tt.wantHTTP, rec.Body)
			}
			if diff := cmp.Diff(tt.wantInfo, grpcerr.ErrorInfo(decodeStatus(t, rec)), protocmp.Transform()); diff != "" {
				t.Errorf("%s %s ErrorInfo mismatch (-want +got):\n%s", tt.method, tt.path, diff)
			}
		})
	}
}

// The refusals made before the runtime (413 on a declared length, 401 for
// credentials in the query) have the same JSON shape.
func TestWriteError(t *testing.T) {
	tests := []struct {
		name     string
		httpCode int
		st       *status.Status
		want     *status.Status
	}{
		{"too large", 413, requestTooLarge(1024),
			grpcerr.New(codes.InvalidArgument, "REQUEST_TOO_LARGE", "request body larger than 1024 bytes", map[string]string{"limit": "1024"})},
		{"credentials in query", 401, credentialsInQuery(),
			grpcerr.New(codes.Unauthenticated, "CREDENTIALS_IN_QUERY", "credentials in the query string are refused: send them in the Authorization header", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeError(rec, tt.httpCode, tt.st)
			if rec.Code != tt.httpCode {
				t.Errorf("writeError(%d) wrote %d", tt.httpCode, rec.Code)
			}
			if diff := cmp.Diff(tt.want.Proto(), decodeStatus(t, rec).Proto(), protocmp.Transform()); diff != "" {
				t.Errorf("writeError body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

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

func hasField(st *status.Status, field string) bool {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return true
				}
			}
		}
	}
	return false
}
