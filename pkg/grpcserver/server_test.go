package grpcserver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// probe is a hand-written service whose one method runs whatever the test
// sets, so the shared interceptors can be observed on a real server.
type probe struct {
	do func(ctx context.Context, req *ladderv1.ListFrameworksRequest) error
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
	}, p)
}

func start(t *testing.T, log *slog.Logger, timeout time.Duration) (*probe, *grpc.ClientConn, *grpcserver.Server, func() error) {
	t.Helper()
	srv, err := grpcserver.New(grpcserver.Options{Logger: log, DefaultTimeout: timeout})
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
