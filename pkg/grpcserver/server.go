// Package grpcserver builds the gRPC server every Yardstick service runs on:
// the same interceptors (logging, panic recovery, a default deadline, request
// validation, domain-error mapping), health and reflection, and a graceful
// shutdown.
package grpcserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Options configure a server.
type Options struct {
	Logger *slog.Logger
	// DefaultTimeout bounds every call that arrives without a deadline.
	DefaultTimeout time.Duration
	// MaxRecvBytes caps the size of one request message.
	MaxRecvBytes int
	// Interceptors run after errors are mapped and before requests are
	// validated, in order: authentication and rate limiting go here, so that
	// an anonymous caller learns nothing from validation errors.
	Interceptors []grpc.UnaryServerInterceptor
	// StreamInterceptors guard streaming calls (health watch, reflection).
	StreamInterceptors []grpc.StreamServerInterceptor
	// Creds secures the listener (TLS); plaintext when nil.
	Creds credentials.TransportCredentials
	// Metrics, when set, receives the standard gRPC server metrics
	// (grpc_server_handled_total, grpc_server_handling_seconds, …).
	Metrics prometheus.Registerer
}

// Server is a gRPC server with its health service.
type Server struct {
	*grpc.Server
	Health  *health.Server
	log     *slog.Logger
	metrics *grpcprom.ServerMetrics
}

// New returns a server with the shared interceptors, health and reflection.
// Register the services on it, then call Serve.
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DefaultTimeout == 0 {
		opts.DefaultTimeout = 30 * time.Second
	}
	if opts.MaxRecvBytes == 0 {
		opts.MaxRecvBytes = 4 << 20
	}
	validator, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	var unary []grpc.UnaryServerInterceptor
	var stream []grpc.StreamServerInterceptor
	var metrics *grpcprom.ServerMetrics
	if opts.Metrics != nil {
		metrics = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
		if err := opts.Metrics.Register(metrics); err != nil {
			return nil, err
		}
		// Outermost, so that every outcome is counted, refusals included.
		unary = append(unary, metrics.UnaryServerInterceptor())
		stream = append(stream, metrics.StreamServerInterceptor())
	}
	unary = append(unary,
		logging.UnaryServerInterceptor(slogAdapter(log), logging.WithLogOnEvents(logging.FinishCall)),
		recovery.UnaryServerInterceptor(recovery.WithRecoveryHandlerContext(panicHandler(log))),
		defaultDeadline(opts.DefaultTimeout),
		mapErrors(log),
	)
	unary = append(unary, opts.Interceptors...)
	unary = append(unary, validate(validator))
	stream = append(stream, recovery.StreamServerInterceptor(recovery.WithRecoveryHandlerContext(panicHandler(log))))
	stream = append(stream, opts.StreamInterceptors...)
	serverOpts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(opts.MaxRecvBytes),
		// Spans for every call but health checks, continuing the caller's
		// trace (a no-op until a tracer provider is installed).
		grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithFilter(filters.Not(filters.HealthCheck())))),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}
	if opts.Creds != nil {
		serverOpts = append(serverOpts, grpc.Creds(opts.Creds))
	}
	gs := grpc.NewServer(serverOpts...)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	return &Server{Server: gs, Health: hs, log: log, metrics: metrics}, nil
}

// Serve serves on lis until ctx ends, then stops gracefully: it stops
// accepting, lets in-flight calls finish for up to grace, and then cuts the rest.
func (s *Server) Serve(ctx context.Context, lis net.Listener, grace time.Duration) error {
	if s.metrics != nil {
		s.metrics.InitializeMetrics(s.Server) // every method shows up, at zero, from the start
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Server.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Health.Shutdown()
	stopped := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(grace):
		s.log.Warn("grace period over, cutting remaining calls", "grace", grace)
		s.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

func slogAdapter(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}

// panicHandler logs the panic and its stack and gives the client a plain
// INTERNAL error: the default handler would send the panic value back.
func panicHandler(log *slog.Logger) recovery.RecoveryHandlerFuncContext {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in handler", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	}
}

func defaultDeadline(d time.Duration) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return handler(ctx, req)
	}
}

// mapErrors turns the domain errors handlers return into gRPC status errors.
func mapErrors(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, apierr.ToStatus(ctx, log, err)
		}
		return resp, nil
	}
}

// validate checks requests against their protovalidate rules and reports the
// violations as INVALID_ARGUMENT with BadRequest field violations.
func validate(v protovalidate.Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if msg, ok := req.(proto.Message); ok {
			if err := v.Validate(msg); err != nil {
				return nil, violations(err)
			}
		}
		return handler(ctx, req)
	}
}

func violations(err error) error {
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		return err // a rule that failed to compile or run: internal
	}
	var out apierr.Violations
	for _, v := range verr.Violations {
		out.Add(protovalidate.FieldPathString(v.Proto.GetField()), "%s", v.Proto.GetMessage())
	}
	return out.Err()
}

// ReportDatabase keeps the health of the server and of every service on it
// in step with the database: SERVING while ping succeeds, NOT_SERVING while
// it fails. It checks every interval until ctx ends.
func (s *Server) ReportDatabase(ctx context.Context, ping func(context.Context) error, interval time.Duration) {
	check := func() {
		pingCtx, cancel := context.WithTimeout(ctx, interval)
		defer cancel()
		st := healthpb.HealthCheckResponse_SERVING
		if err := ping(pingCtx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("database unreachable", "error", err)
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		s.Health.SetServingStatus("", st)
		for name := range s.GetServiceInfo() {
			s.Health.SetServingStatus(name, st)
		}
	}
	check()
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				check()
			}
		}
	}()
}
