package grpcserver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// probe is a hand-written service whose one method runs whatever the test
// sets, so the shared interceptors can be observed on a real server.
type probe struct {
	do     func(ctx context.Context, req *ladderv1.ListFrameworksRequest) error
	stream func(ss grpc.ServerStream) error // for both stream methods
}

func (p *probe) register(s *grpc.Server) {
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "test.Probe",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "Do", Handler: func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := &ladderv1.ListFrameworksRequest{}
			if err := dec(req); err != nil {
				return nil, err
			}
			run := func(ctx context.Context, req any) (any, error) {
				return &emptypb.Empty{}, p.do(ctx, req.(*ladderv1.ListFrameworksRequest))
			}
			return icpt(ctx, req, &grpc.UnaryServerInfo{FullMethod: "/test.Probe/Do"}, run)
		}}},
		Streams: []grpc.StreamDesc{
			{StreamName: "Stream", ServerStreams: true, ClientStreams: true, Handler: p.runStream},
			{StreamName: "Upload", ClientStreams: true, Handler: p.runStream},
		},
	}, p)
}

func (p *probe) runStream(_ any, ss grpc.ServerStream) error { return p.stream(ss) }

func start(t *testing.T, log *slog.Logger, timeout time.Duration) (*probe, *grpc.ClientConn, *grpcserver.Server, func() error) {
	t.Helper()
	return startWith(t, grpcserver.Options{Logger: log, DefaultTimeout: timeout})
}

func startWith(t *testing.T, opts grpcserver.Options) (*probe, *grpc.ClientConn, *grpcserver.Server, func() error) {
	t.Helper()
	srv, err := grpcserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := &probe{}
	p.register(srv.Server)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, 2*time.Second) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	stop := func() error { cancel(); return <-done }
	t.Cleanup(func() { _ = conn.Close(); cancel() })
	return p, conn, srv, stop
}

func call(conn *grpc.ClientConn, req *ladderv1.ListFrameworksRequest) error {
	return conn.Invoke(context.Background(), "/test.Probe/Do", req, &emptypb.Empty{})
}

func TestPanicBecomesPlainInternal(t *testing.T) {
	var logs bytes.Buffer
	p, conn, _, _ := start(t, slog.New(slog.NewTextHandler(&logs, nil)), time.Second)
	p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error { panic("secret detail") }

	err := call(conn, &ladderv1.ListFrameworksRequest{})
	if st := status.Convert(err); st.Code() != codes.Internal || strings.Contains(st.Message(), "secret") {
		t.Errorf("call = %v, want INTERNAL without the panic value", err)
	}
	if !strings.Contains(logs.String(), "secret detail") {
		t.Errorf("log = %q, want the panic value there", logs.String())
	}
	// The server survived.
	p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error { return nil }
	if err := call(conn, &ladderv1.ListFrameworksRequest{}); err != nil {
		t.Errorf("call after panic = %v, want nil", err)
	}
}

func TestInterceptors(t *testing.T) {
	p, conn, _, _ := start(t, slog.New(slog.DiscardHandler), 250*time.Millisecond)

	// Requests are validated before the handler runs, with the field named.
	ran := false
	p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error { ran = true; return nil }
	err := call(conn, &ladderv1.ListFrameworksRequest{PageSize: -1})
	if status.Code(err) != codes.InvalidArgument || ran {
		t.Fatalf("call(page_size -1) = %v (handler ran: %v), want INVALID_ARGUMENT before the handler", err, ran)
	}
	var br *errdetails.BadRequest
	for _, d := range status.Convert(err).Details() {
		br, _ = d.(*errdetails.BadRequest)
	}
	if br == nil || br.GetFieldViolations()[0].GetField() != "page_size" {
		t.Errorf("details = %v, want a BadRequest on page_size", status.Convert(err).Details())
	}

	// Domain errors become their status codes.
	p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error { return apierr.NotFound("frameworks/x") }
	if err := call(conn, &ladderv1.ListFrameworksRequest{}); status.Code(err) != codes.NotFound {
		t.Errorf("call = %v, want NOT_FOUND", err)
	}

	// A call without a deadline gets the default one.
	p.do = func(ctx context.Context, _ *ladderv1.ListFrameworksRequest) error {
		d, ok := ctx.Deadline()
		if !ok || time.Until(d) > 250*time.Millisecond {
			return errors.New("no default deadline")
		}
		return nil
	}
	if err := call(conn, &ladderv1.ListFrameworksRequest{}); err != nil {
		t.Errorf("call = %v, want a default deadline", err)
	}
}

// A handler stuck on a database that does not answer: the caller gets
// UNAVAILABLE (retry) before its deadline, not DEADLINE_EXCEEDED at it.
func TestStuckHandlerAnswersUnavailableBeforeTheDeadline(t *testing.T) {
	p, conn, _, _ := start(t, slog.New(slog.DiscardHandler), time.Minute)
	p.do = func(ctx context.Context, _ *ladderv1.ListFrameworksRequest) error {
		<-ctx.Done()
		return fmt.Errorf("server selection: %w", ctx.Err())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := conn.Invoke(ctx, "/test.Probe/Do", &ladderv1.ListFrameworksRequest{}, &emptypb.Empty{})
	if took := time.Since(start); status.Code(err) != codes.Unavailable || took >= time.Second {
		t.Errorf("call = %v after %v, want UNAVAILABLE within the 1s deadline", err, took)
	}
}

func TestGracefulStopFinishesInFlightCalls(t *testing.T) {
	p, conn, _, stop := start(t, slog.New(slog.DiscardHandler), 5*time.Second)
	started := make(chan struct{})
	p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return nil
	}
	result := make(chan error, 1)
	go func() { result <- call(conn, &ladderv1.ListFrameworksRequest{}) }()
	<-started
	if err := stop(); err != nil {
		t.Errorf("Serve() after stop = %v, want nil", err)
	}
	if err := <-result; err != nil {
		t.Errorf("in-flight call = %v, want it to finish", err)
	}
}

func TestReportDatabase(t *testing.T) {
	_, conn, srv, _ := start(t, slog.New(slog.DiscardHandler), time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.ReportDatabase(ctx, func(context.Context) error { return errors.New("unreachable") }, time.Hour)
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health with the database down = %v, %v, want NOT_SERVING", resp, err)
	}
}

// Every status the server sends carries an ErrorInfo, whoever made it: the
// handler's domain errors, validation, a panic, an interceptor's own status.
func TestEveryErrorHasErrorInfo(t *testing.T) {
	var logs bytes.Buffer
	limited := status.New(codes.ResourceExhausted, "rate limit exceeded")
	refuse := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		switch req.(*ladderv1.ListFrameworksRequest).GetPageToken() {
		case "limited":
			return nil, limited.Err() // a status of its own, as pkg/ratelimit makes
		case "anonymous":
			return nil, apierr.ErrUnauthenticated // a domain error, as pkg/auth returns
		}
		return handler(ctx, req)
	}
	p, conn, _, _ := startWith(t, grpcserver.Options{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), DefaultTimeout: time.Second,
		Interceptors: []grpc.UnaryServerInterceptor{refuse},
	})
	tests := []struct {
		name     string
		req      *ladderv1.ListFrameworksRequest
		do       func(context.Context, *ladderv1.ListFrameworksRequest) error
		wantCode codes.Code
		wantMsg  string
		wantInfo *errdetails.ErrorInfo
	}{
		{
			name: "domain error, wrapped",
			do: func(context.Context, *ladderv1.ListFrameworksRequest) error {
				return fmt.Errorf("find pending change: %w", apierr.NotFound("frameworks/x"))
			},
			wantCode: codes.NotFound,
			wantMsg:  "frameworks/x: not found",
			wantInfo: info("NOT_FOUND", "resource", "frameworks/x"),
		},
		{
			name:     "validation",
			req:      &ladderv1.ListFrameworksRequest{PageSize: -1},
			wantCode: codes.InvalidArgument,
			wantInfo: info("INVALID_ARGUMENT"),
		},
		{
			name:     "panic",
			do:       func(context.Context, *ladderv1.ListFrameworksRequest) error { panic("secret detail") },
			wantCode: codes.Internal,
			wantMsg:  "internal error",
			wantInfo: info("INTERNAL"),
		},
		{
			// A handler passing on a status from another service instead
			// of converting it with grpcerr.FromStatus: INTERNAL.
			name: "a handler's raw status",
			do: func(context.Context, *ladderv1.ListFrameworksRequest) error {
				return status.Error(codes.PermissionDenied, "rubric service: not for you")
			},
			wantCode: codes.Internal,
			wantMsg:  "internal error",
			wantInfo: info("INTERNAL"),
		},
		{
			name:     "an interceptor's own status",
			req:      &ladderv1.ListFrameworksRequest{PageToken: "limited"},
			wantCode: codes.ResourceExhausted,
			wantMsg:  "rate limit exceeded",
			wantInfo: info("RESOURCE_EXHAUSTED"),
		},
		{
			name:     "an interceptor's domain error",
			req:      &ladderv1.ListFrameworksRequest{PageToken: "anonymous"},
			wantCode: codes.Unauthenticated,
			wantMsg:  apierr.ErrUnauthenticated.Error(),
			wantInfo: info("UNAUTHENTICATED"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.do = tt.do
			if p.do == nil {
				p.do = func(context.Context, *ladderv1.ListFrameworksRequest) error { return nil }
			}
			req := tt.req
			if req == nil {
				req = &ladderv1.ListFrameworksRequest{}
			}
			st := status.Convert(call(conn, req))
			if st.Code() != tt.wantCode {
				t.Errorf("call(%v) = %v, want %v", req, st.Proto(), tt.wantCode)
			}
			if tt.wantMsg != "" && st.Message() != tt.wantMsg {
				t.Errorf("call(%v).Message() = %q, want %q", req, st.Message(), tt.wantMsg)
			}
			if diff := cmp.Diff(tt.wantInfo, grpcerr.ErrorInfo(st), protocmp.Transform()); diff != "" {
				t.Errorf("call(%v) ErrorInfo mismatch (-want +got):\n%s", req, diff)
			}
		})
	}
	if !strings.Contains(logs.String(), "rubric service: not for you") {
		t.Errorf("log = %q, want the handler's raw status there", logs.String())
	}
}

// Health speaks gRPC codes itself: NOT_FOUND for a service it does not
// know is its protocol, not a mistake to hide behind INTERNAL.
func TestHealthStatusesPassThrough(t *testing.T) {
	_, conn, _, _ := start(t, slog.New(slog.DiscardHandler), time.Second)
	_, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "no.such.Service"})
	st := status.Convert(err)
	if st.Code() != codes.NotFound {
		t.Errorf("Check(unknown service) = %v, want NOT_FOUND", err)
	}
	if diff := cmp.Diff(info("NOT_FOUND"), grpcerr.ErrorInfo(st), protocmp.Transform()); diff != "" {
		t.Errorf("Check(unknown service) ErrorInfo mismatch (-want +got):\n%s", diff)
	}
}

// Streams pass the same chain as unary calls: recovery, error mapping,
// validation of what they receive, logging.
func TestStreamInterceptors(t *testing.T) {
	var logs bytes.Buffer
	p, conn, _, _ := start(t, slog.New(slog.NewTextHandler(&logs, nil)), time.Second)
	recvOne := func(ss grpc.ServerStream) error {
		return ss.RecvMsg(&ladderv1.ListFrameworksRequest{})
	}
	tests := []struct {
		name       string
		stream     func(grpc.ServerStream) error
		send       *ladderv1.ListFrameworksRequest
		wantCode   codes.Code
		wantMsg    string
		wantInfo   *errdetails.ErrorInfo
		wantFields []string
	}{
		{
			name:     "panic",
			stream:   func(grpc.ServerStream) error { panic("stream secret") },
			wantCode: codes.Internal,
			wantMsg:  "internal error",
			wantInfo: info("INTERNAL"),
		},
		{
			name:     "domain error",
			stream:   func(grpc.ServerStream) error { return fmt.Errorf("watch: %w", apierr.NotFound("frameworks/x")) },
			wantCode: codes.NotFound,
			wantMsg:  "frameworks/x: not found",
			wantInfo: info("NOT_FOUND", "resource", "frameworks/x"),
		},
		{
			name:     "raw status",
			stream:   func(grpc.ServerStream) error { return status.Error(codes.NotFound, "from elsewhere") },
			wantCode: codes.Internal,
			wantInfo: info("INTERNAL"),
		},
		{
			name:       "invalid message received",
			stream:     recvOne,
			send:       &ladderv1.ListFrameworksRequest{PageSize: -1},
			wantCode:   codes.InvalidArgument,
			wantInfo:   info("INVALID_ARGUMENT"),
			wantFields: []string{"page_size"},
		},
		{
			name:     "valid message received",
			stream:   recvOne,
			send:     &ladderv1.ListFrameworksRequest{PageSize: 10},
			wantCode: codes.OK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.stream = tt.stream
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/test.Probe/Stream")
			if err != nil {
				t.Fatal(err)
			}
			if tt.send != nil {
				if err := cs.SendMsg(tt.send); err != nil {
					t.Fatalf("SendMsg: %v", err)
				}
			}
			if err := cs.CloseSend(); err != nil {
				t.Fatalf("CloseSend: %v", err)
			}
			err = cs.RecvMsg(&emptypb.Empty{})
			if tt.wantCode == codes.OK {
				if !errors.Is(err, io.EOF) {
					t.Errorf("RecvMsg = %v, want io.EOF (the stream ended well)", err)
				}
				return
			}
			st := status.Convert(err)
			if st.Code() != tt.wantCode {
				t.Errorf("stream ended with %v, want %v", st.Proto(), tt.wantCode)
			}
			if tt.wantMsg != "" && st.Message() != tt.wantMsg {
				t.Errorf("stream message = %q, want %q", st.Message(), tt.wantMsg)
			}
			if diff := cmp.Diff(tt.wantInfo, grpcerr.ErrorInfo(st), protocmp.Transform()); diff != "" {
				t.Errorf("stream ErrorInfo mismatch (-want +got):\n%s", diff)
			}
			var fields []string
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					for _, v := range br.GetFieldViolations() {
						fields = append(fields, v.GetField())
					}
				}
			}
			if diff := cmp.Diff(tt.wantFields, fields); diff != "" {
				t.Errorf("stream BadRequest fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
	for _, want := range []string{"stream secret", "grpc.method=Stream"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log = %q, want %q there", logs.String(), want)
		}
	}
}

// A stream interceptor (authentication) refusing a health Watch: its
// domain error reaches the client mapped, with an ErrorInfo.
func TestStreamInterceptorRefusesWatch(t *testing.T) {
	refuse := func(any, grpc.ServerStream, *grpc.StreamServerInfo, grpc.StreamHandler) error {
		return apierr.ErrUnauthenticated
	}
	_, conn, _, _ := startWith(t, grpcserver.Options{
		Logger: slog.New(slog.DiscardHandler), StreamInterceptors: []grpc.StreamServerInterceptor{refuse},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Recv()
	st := status.Convert(err)
	if st.Code() != codes.Unauthenticated || st.Message() != apierr.ErrUnauthenticated.Error() {
		t.Errorf("Watch().Recv() = %v, want UNAUTHENTICATED", err)
	}
	if diff := cmp.Diff(info("UNAUTHENTICATED"), grpcerr.ErrorInfo(st), protocmp.Transform()); diff != "" {
		t.Errorf("Watch().Recv() ErrorInfo mismatch (-want +got):\n%s", diff)
	}
}

// A stream the server answers once is bounded by the default deadline; a
// stream the server sends on (health Watch) lasts as long as the client wants.
func TestStreamDefaultDeadline(t *testing.T) {
	p, conn, _, _ := start(t, slog.New(slog.DiscardHandler), 250*time.Millisecond)
	tests := []struct {
		method       string
		desc         grpc.StreamDesc
		wantDeadline bool
	}{
		{"/test.Probe/Upload", grpc.StreamDesc{ClientStreams: true}, true},
		{"/test.Probe/Stream", grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			got := make(chan bool, 1)
			p.stream = func(ss grpc.ServerStream) error {
				_, ok := ss.Context().Deadline()
				got <- ok
				return ss.SendMsg(&emptypb.Empty{})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cs, err := conn.NewStream(ctx, &tt.desc, tt.method)
			if err != nil {
				t.Fatal(err)
			}
			if err := cs.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if err := cs.RecvMsg(&emptypb.Empty{}); err != nil {
				t.Fatalf("RecvMsg = %v", err)
			}
			if ok := <-got; ok != tt.wantDeadline {
				t.Errorf("%s: handler has a deadline = %v, want %v", tt.method, ok, tt.wantDeadline)
			}
		})
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
