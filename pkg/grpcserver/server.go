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
	"slices"
	"strings"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
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
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
)

// Options configure a server.
type Options struct {
	Logger *slog.Logger
	// DefaultTimeout bounds every call that arrives without a deadline.
	DefaultTimeout time.Duration
	// MaxRecvBytes caps the size of one request message; DefaultMaxRecvBytes
	// when zero. A larger message gets RESOURCE_EXHAUSTED and the connection
	// stays up.
	MaxRecvBytes int
	// Interceptors run after errors are mapped and before requests are
	// validated, in order: authentication and rate limiting go here, so that
	// an anonymous caller learns nothing from validation errors. They may
	// return domain errors (package apierr) or status errors of their own:
	// those reach the client intact, given an ErrorInfo when they lack one.
	Interceptors []grpc.UnaryServerInterceptor
	// StreamInterceptors guard streaming calls (health watch, reflection),
	// at the same place in the stream chain.
	StreamInterceptors []grpc.StreamServerInterceptor
	// Creds secures the listener (TLS); plaintext when nil.
	Creds credentials.TransportCredentials
	// Metrics, when set, receives the standard gRPC server metrics
	// (grpc_server_handled_total, grpc_server_handling_seconds, …).
	Metrics prometheus.Registerer
}

// GatewayBodyBytes is the REST gateway's cap on a request body (1 MiB).
const GatewayBodyBytes = 1 << 20

// DefaultMaxRecvBytes caps a request message at what the gateway can send,
// so a direct gRPC caller gets no more room (memory per call) than a REST
// caller, and a body the gateway accepted is never refused here.
//
// The room above the body cap: protobuf encodes every field the requests
// carry (strings, nested and repeated messages, singular integers) in no more
// bytes than its JSON, since tags and length prefixes cost less than quotes,
// field names and commas. What the gateway adds to the message besides the
// body comes from the URL (path and query parameters), which the HTTP
// server's 64 KiB header cap bounds; a field mask in the query may double in
// size when split into paths. 256 KiB covers both with room to spare.
const DefaultMaxRecvBytes = GatewayBodyBytes + 256<<10

// Server is a gRPC server with its health service.
type Server struct {
	*grpc.Server
	Health  *health.Server
	log     *slog.Logger
	metrics *grpcprom.ServerMetrics
	// databaseUp is yardstick_database_up (nil without metrics): a vector
	// without labels, so that the series appears with the first check
	// (ReportDatabase) and a server that never checks exports none, rather
	// than a 0 that would read as an outage.
	databaseUp *prometheus.GaugeVec
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
		opts.MaxRecvBytes = DefaultMaxRecvBytes
	}
	validator, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	var unary []grpc.UnaryServerInterceptor
	var stream []grpc.StreamServerInterceptor
	var metrics *grpcprom.ServerMetrics
	var databaseUp *prometheus.GaugeVec
	if opts.Metrics != nil {
		metrics = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
		databaseUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "yardstick_database_up",
			Help: "1 while the database answers the health check's ping, 0 while it does not.",
		}, nil)
		for _, c := range []prometheus.Collector{metrics, databaseUp} {
			if err := opts.Metrics.Register(c); err != nil {
				return nil, err
			}
		}
		// Outermost, so that every outcome is counted, refusals included.
		unary = append(unary, metrics.UnaryServerInterceptor())
		stream = append(stream, metrics.StreamServerInterceptor())
	}
	// The same chain for unary calls and streams, outermost first: log,
	// recover, bound, map the interceptors' errors, the interceptors
	// (authentication, rate limiting), validate, map the handler's errors.
	unary = append(unary,
		logging.UnaryServerInterceptor(slogAdapter(log), logging.WithLogOnEvents(logging.FinishCall), logging.WithLevels(codeToLevel)),
		recovery.UnaryServerInterceptor(recovery.WithRecoveryHandlerContext(panicHandler(log))),
		defaultDeadline(opts.DefaultTimeout),
		mapInterceptorErrors(log),
	)
	unary = append(unary, opts.Interceptors...)
	unary = append(unary, validate(validator), mapHandlerErrors(log))
	stream = append(stream,
		logging.StreamServerInterceptor(slogAdapter(log), logging.WithLogOnEvents(logging.FinishCall), logging.WithLevels(codeToLevel)),
		recovery.StreamServerInterceptor(recovery.WithRecoveryHandlerContext(panicHandler(log))),
		defaultStreamDeadline(opts.DefaultTimeout),
		mapInterceptorStreamErrors(log),
	)
	stream = append(stream, opts.StreamInterceptors...)
	stream = append(stream, validateStream(validator), mapHandlerStreamErrors(log))
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
	return &Server{Server: gs, Health: hs, log: log, metrics: metrics, databaseUp: databaseUp}, nil
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

// codeToLevel is the library's default but for RESOURCE_EXHAUSTED, which
// is the rate limiter's refusal: a client over its limit makes one per call
// (tens of thousands a minute under load), and package ratelimit logs them
// sampled and counts them. They show at debug level here.
func codeToLevel(code codes.Code) logging.Level {
	if code == codes.ResourceExhausted {
		return logging.LevelDebug
	}
	return logging.DefaultServerCodeToLevel(code)
}

func slogAdapter(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}

// panicHandler logs the panic and its stack and gives the client a plain
// INTERNAL error with an ErrorInfo: the default handler would send the
// panic value back.
func panicHandler(log *slog.Logger) recovery.RecoveryHandlerFuncContext {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in handler", "panic", p, "stack", string(debug.Stack()))
		return grpcerr.Internal()
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

// defaultStreamDeadline bounds the streams where the client sends and the
// server answers once. A stream the server sends on (health Watch,
// reflection) lasts as long as the client wants it: a default deadline
// would cut every watch after d.
func defaultStreamDeadline(d time.Duration) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if _, ok := ss.Context().Deadline(); ok || info.IsServerStream {
			return handler(srv, ss)
		}
		ctx, cancel := context.WithTimeout(ss.Context(), d)
		defer cancel()
		wrapped := middleware.WrapServerStream(ss)
		wrapped.WrappedContext = ctx
		return handler(srv, wrapped)
	}
}

// nativeServices speak gRPC status codes themselves, as their protocol
// says (health answers NOT_FOUND for an unknown service): their statuses
// are not mistakes to hide behind INTERNAL.
var nativeServices = []string{
	"/" + healthpb.Health_ServiceDesc.ServiceName + "/",
	"/grpc.reflection.",
}

func native(method string) bool {
	return slices.ContainsFunc(nativeServices, func(prefix string) bool { return strings.HasPrefix(method, prefix) })
}

// mapHandlerErrors turns what a handler returned into a status error
// (grpcerr.ToStatus): a status error of the handler's own, most likely
// passed through from a call to another service, becomes INTERNAL.
//
// The handler gets less time than the caller gave (see reserve): when what
// it waits for — the database, most likely — does not answer, the caller
// gets UNAVAILABLE, which says retry, before its deadline, rather than
// DEADLINE_EXCEEDED at it.
func mapHandlerErrors(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		handlerCtx, cancel := reserve(ctx)
		defer cancel()
		resp, err := handler(handlerCtx, req)
		if err != nil {
			if handlerCtx.Err() != nil && ctx.Err() == nil {
				err = apierr.Unavailable("the database did not answer in time; retry")
			}
			return nil, handlerStatus(ctx, log, info.FullMethod, err)
		}
		return resp, nil
	}
}

// reserve returns ctx with its deadline brought forward by a fifth of the
// time left, at most maxReserve: the time kept to answer.
func reserve(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-min(time.Until(deadline)/5, maxReserve)))
}

// maxReserve bounds the time reserve keeps back from a handler.
const maxReserve = 500 * time.Millisecond

func mapHandlerStreamErrors(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handlerStatus(ss.Context(), log, info.FullMethod, handler(srv, ss))
	}
}

func handlerStatus(ctx context.Context, log *slog.Logger, method string, err error) error {
	if native(method) {
		return grpcerr.FromInterceptor(ctx, log, err)
	}
	return grpcerr.ToStatus(ctx, log, err)
}

// mapInterceptorErrors turns the errors of the interceptors inside it
// (authentication, rate limiting, validation) into status errors
// (grpcerr.FromInterceptor): their own status errors pass through. What
// the handler returned is mapped already, by mapHandlerErrors.
func mapInterceptorErrors(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, grpcerr.FromInterceptor(ctx, log, err)
		}
		return resp, nil
	}
}

func mapInterceptorStreamErrors(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return grpcerr.FromInterceptor(ss.Context(), log, handler(srv, ss))
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

// validateStream checks every message a stream receives: RecvMsg returns
// the violations, which the handler returns in turn.
func validateStream(v protovalidate.Validator) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &validatingStream{ServerStream: ss, v: v})
	}
}

type validatingStream struct {
	grpc.ServerStream
	v protovalidate.Validator
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if msg, ok := m.(proto.Message); ok {
		if err := s.v.Validate(msg); err != nil {
			return violations(err)
		}
	}
	return nil
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
// it fails. It checks every interval until ctx ends. With metrics on, each
// check also sets yardstick_database_up, which the DatabaseDown alert reads:
// a probe only sees NOT_SERVING on the pod it asks.
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
		if s.databaseUp != nil {
			up := 0.0
			if st == healthpb.HealthCheckResponse_SERVING {
				up = 1
			}
			s.databaseUp.WithLabelValues().Set(up)
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
