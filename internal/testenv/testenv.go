// Package testenv starts the services for tests the way production does:
// a real gRPC server on a loopback port with the shared interceptors
// (authentication included), over the embedded database
// (pkg/mongodb/mongotest), called through generated clients with real tokens.
package testenv

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// AdminSubject is the subject of the admin token the default client sends.
const AdminSubject = "users/admin"

// Ladder is a running ladder service.
type Ladder struct {
	Addr string
	// Conn carries no credentials; Client sends an admin token.
	Conn   *grpc.ClientConn
	Client ladderv1.LadderServiceClient
	Key    *jose.JSONWebKey // the dev key the service trusts
	t      testing.TB
}

// Options change how the service is started.
type Options struct {
	// Interceptors run after authentication (for example a rate limiter).
	Interceptors []grpc.UnaryServerInterceptor
	// Logger receives the server's logs; discarded when nil.
	Logger *slog.Logger
}

// StartLadder serves the ladder service on a loopback port over a fresh
// database until the test ends. It trusts a fresh dev signing key.
func StartLadder(t testing.TB) *Ladder { return StartLadderWith(t, Options{}) }

// StartLadderWith is StartLadder with options.
func StartLadderWith(t testing.TB, opts Options) *Ladder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store := ladder.NewStore(mongotest.Database(t))
	if err := store.Init(ctx); err != nil {
		t.Fatalf("ladder store: %v", err)
	}
	key, err := auth.LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	guard := auth.NewGuard(auth.NewDev(key), auth.Rules, log)
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:             log,
		Interceptors:       append([]grpc.UnaryServerInterceptor{guard.Unary()}, opts.Interceptors...),
		StreamInterceptors: []grpc.StreamServerInterceptor{guard.Stream()},
	})
	if err != nil {
		t.Fatal(err)
	}
	ladderv1.RegisterLadderServiceServer(srv, ladder.New(store))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, time.Second) }()
	l := &Ladder{Addr: lis.Addr().String(), Key: key, t: t}
	l.Conn = Dial(t, l.Addr)
	l.Client = l.ClientAs(AdminSubject, principal.Admin)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return l
}

// Token mints a token the service trusts.
func (l *Ladder) Token(subject string, roles ...principal.Role) string {
	l.t.Helper()
	tok, err := auth.MintDev(l.Key, subject, roles, time.Hour)
	if err != nil {
		l.t.Fatal(err)
	}
	return tok
}

// ClientAs returns a client that calls as subject with the given roles.
func (l *Ladder) ClientAs(subject string, roles ...principal.Role) ladderv1.LadderServiceClient {
	l.t.Helper()
	return ladderv1.NewLadderServiceClient(l.ConnWithToken(l.Token(subject, roles...)))
}

// ConnWithToken returns a connection whose calls carry token.
func (l *Ladder) ConnWithToken(token string) *grpc.ClientConn {
	l.t.Helper()
	return Dial(l.t, l.Addr, grpc.WithPerRPCCredentials(auth.Bearer(token)))
}

// Dial opens a plaintext client connection to a loopback address, traced
// like the gateway's, until the test ends.
func Dial(t testing.TB, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler())}, opts...)
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
