package auth

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// Guard authenticates every call and checks it against the rules.
type Guard struct {
	verifier *Verifier
	rules    map[string][]principal.Role
	log      *slog.Logger
	// directory says who is deactivated; nil until CheckDeactivated.
	directory atomic.Pointer[Directory]
}

// Directory is what the guard asks of the people directory on every call.
type Directory interface {
	// Deactivated reports whether the caller is deactivated. ctx carries
	// the caller (principal and incoming credentials).
	Deactivated(ctx context.Context, subject string) (bool, error)
}

// CheckDeactivated makes the guard refuse every call of a person d says
// is deactivated, from their next call on. Set once the services run: the
// directory is one of them.
func (g *Guard) CheckDeactivated(d Directory) { g.directory.Store(&d) }

// NewGuard returns a guard that verifies tokens with v and authorizes with rules.
func NewGuard(v *Verifier, rules map[string][]principal.Role, log *slog.Logger) *Guard {
	return &Guard{verifier: v, rules: rules, log: log}
}

// Unary returns the unary server interceptor.
func (g *Guard) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := g.check(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor.
func (g *Guard) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := g.check(ss.Context(), info.FullMethod)
		if err != nil {
			return err // the server maps it, as for unary calls
		}
		wrapped := middleware.WrapServerStream(ss)
		wrapped.WrappedContext = ctx
		return handler(srv, wrapped)
	}
}

// check returns the context with the caller in it, or why the call is refused.
func (g *Guard) check(ctx context.Context, method string) (context.Context, error) {
	if Public(method) {
		return ctx, nil
	}
	// Who first: without a valid token every call is unauthenticated, even
	// one to a method that has no rule.
	token, err := bearerToken(ctx)
	if err != nil {
		return nil, err
	}
	p, err := g.verifier.Verify(ctx, token)
	if err != nil {
		// Why goes to the debug log (never the token); the caller learns only that it failed.
		g.log.DebugContext(ctx, "token refused", "method", method, "reason", err.Error())
		return nil, apierr.ErrUnauthenticated
	}
	allowed, ok := g.rules[method]
	if !ok {
		g.log.ErrorContext(ctx, "refused a call to a method without an authorization rule", "method", method)
		return nil, apierr.ErrPermissionDenied
	}
	if !slices.ContainsFunc(allowed, p.Has) {
		return nil, apierr.ErrPermissionDenied
	}
	ctx = principal.NewContext(ctx, p)
	if d := g.directory.Load(); d != nil {
		off, err := (*d).Deactivated(ctx, p.Subject)
		if err != nil {
			return nil, err
		}
		if off {
			return nil, apierr.New(apierr.ErrUnauthenticated, p.Subject+" is deactivated: ask an admin to reactivate the account")
		}
	}
	return ctx, nil
}

// bearerToken reads the one "authorization: Bearer <token>" of a call.
func bearerToken(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) != 1 {
		return "", apierr.ErrUnauthenticated
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
		return "", apierr.ErrUnauthenticated
	}
	return strings.TrimSpace(token), nil
}

// ForwardCredentials is a client interceptor for calls from one service to
// another: it passes the caller's authorization on, so that the callee
// applies the caller's rights, not the calling service's.
func ForwardCredentials() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			if values := md.Get("authorization"); len(values) == 1 {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", values[0])
			}
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// Bearer returns per-call credentials that send token as a bearer token.
// They are allowed over plaintext connections, for loopback and tests.
func Bearer(token string) credentials.PerRPCCredentials { return bearer(token) }

type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }
