// Package gateway serves the Yardstick APIs as JSON over HTTP. It is a
// grpc-gateway that calls the services through gRPC client connections, so
// every REST call passes the same interceptors as a direct gRPC call, plus
// health, readiness and the OpenAPI description.
package gateway

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/yardstick-dev/yardstick/gateway/scim"
)

//go:embed openapi/yardstick.swagger.json
var openAPI []byte

// Options configure a gateway.
type Options struct {
	Logger *slog.Logger
	// Backends are the services behind the gateway (the service table of
	// internal/services says how to register each), at least one.
	Backends []Backend
	// MaxBodyBytes caps a request body; larger requests get 413.
	MaxBodyBytes int64
	// Metrics, when set, receives request counts and durations by route
	// pattern, method and status code.
	Metrics prometheus.Registerer
	// App, when set, serves every path that is not the API's or an
	// operational route: the web app (package web).
	App http.Handler
}

// Backend is one service behind the gateway.
type Backend struct {
	// Name names the service in logs and readiness answers.
	Name string
	// Conn is a client connection to the service.
	Conn *grpc.ClientConn
	// Register registers the service's REST handler on mux against conn: a
	// generated Register…Handler (never Register…HandlerServer, which would
	// skip every interceptor: authentication, validation, metrics).
	Register func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
}

// Gateway is the REST front of the services.
type Gateway struct {
	handler  http.Handler
	backends []Backend
	log      *slog.Logger
}

// New registers every service's REST handler against its client connection.
func New(ctx context.Context, opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if len(opts.Backends) == 0 {
		return nil, errors.New("gateway needs at least one backend service")
	}
	g := &Gateway{backends: slices.Clone(opts.Backends), log: opts.Logger}

	api := runtime.NewServeMux(
		// Omit empty fields, as Google's JSON APIs do; refuse unknown ones.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{}),
		runtime.WithErrorHandler(namedFieldErrors),
		runtime.WithRoutingErrorHandler(routingErrors),
		// These run once a request matched a route: the route names its
		// metrics and span, and the refusals below count under it. Probes
		// for the Allow header of a 405 stop before all of them.
		runtime.WithMiddlewares(stopProbes, recordRoute,
			httpMiddleware(refuseQueryTokens), httpMiddleware(refuseDeclaredBody(opts.MaxBodyBytes)), refuseBadParams,
			conditionalGets),
		// Published revisions: ETag, 304 and Cache-Control (caching.go).
		runtime.WithForwardResponseOption(revisionHeaders),
	)
	for _, b := range opts.Backends {
		if b.Conn == nil || b.Register == nil {
			return nil, fmt.Errorf("backend %q needs a connection and a handler registration", b.Name)
		}
		if err := b.Register(ctx, api, b.Conn); err != nil {
			return nil, fmt.Errorf("register %s handler: %w", b.Name, err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle(apiPrefix, capBody(api, opts.MaxBodyBytes))
	// SCIM provisioning, where the ladder service (the directory) is behind.
	for _, b := range opts.Backends {
		if b.Name == "ladder" {
			h, err := scim.New(b.Conn)
			if err != nil {
				return nil, fmt.Errorf("scim: %w", err)
			}
			mux.Handle(scim.Prefix+"/", capBody(h, opts.MaxBodyBytes))
		}
	}
	// The operational routes check their method themselves, and "/" takes
	// every other path: http.ServeMux's own 404 and 405 are plain text,
	// the gateway's errors are JSON statuses.
	mux.Handle("/healthz", onlyGet(func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") }))
	mux.Handle("/readyz", onlyGet(g.ready))
	mux.Handle("/openapi.json", onlyGet(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	}))
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, routeNotFound(r))
	})
	if opts.App != nil {
		mux.Handle("/", appHandler{capBody(opts.App, opts.MaxBodyBytes)})
		mux.Handle("/v1", notFound) // the API's root is the API's: a JSON 404
	} else {
		mux.Handle("/", notFound)
	}
	g.handler = logRequests(opts.Logger, traced(mux))
	if opts.Metrics != nil {
		instrumented, err := instrument(opts.Metrics, g.handler)
		if err != nil {
			return nil, err
		}
		g.handler = instrumented
	}
	// Outermost: every layer inside reads the request's route from here.
	g.handler = withRoute(mux, g.handler)
	return g, nil
}

// appHandler marks the web app's handler in the mux, for the metrics' label.
type appHandler struct{ http.Handler }

// apiPrefix is where the API routes live, below the runtime.ServeMux.
const apiPrefix = "/v1/"

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// ready answers 200 when every backend service reports SERVING on its gRPC
// health service; the services report NOT_SERVING while their database is
// unreachable.
func (g *Gateway) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for _, b := range g.backends {
		resp, err := healthpb.NewHealthClient(b.Conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			g.log.WarnContext(ctx, "backend not ready", "backend", b.Name, "status", resp.GetStatus().String(), "error", err)
			writeText(w, http.StatusServiceUnavailable, b.Name+" not ready")
			return
		}
	}
	writeText(w, http.StatusOK, "ready")
}

// Bodies over max bytes are refused with 413: at once when the length is
// declared (refuseDeclaredBody, once the route is known), and when the read
// runs past max when it is not (capBody, before anything reads the body; see
// namedFieldErrors).

func refuseDeclaredBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				writeError(w, http.StatusRequestEntityTooLarge, requestTooLarge(max))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func capBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// httpMiddleware turns an http.Handler middleware into a runtime.ServeMux one.
func httpMiddleware(mw func(http.Handler) http.Handler) runtime.Middleware {
	return func(next runtime.HandlerFunc) runtime.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
			mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next(w, r, pathParams) })).ServeHTTP(w, r)
		}
	}
}

// onlyGet serves h for GET and HEAD, and a JSON 405 for any other method.
func onlyGet(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, methodNotAllowed(r))
			return
		}
		h(w, r)
	})
}

func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

// Serve serves handler on lis until ctx ends, then shuts down gracefully:
// no new connections, in-flight requests get up to grace to finish.
func Serve(ctx context.Context, lis net.Listener, handler http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
