// Package testenv starts the services for tests the way production does:
// every service of the table in internal/services on a real gRPC server on
// a loopback port, with the shared interceptors (authentication included),
// over databases of the test's own (see DatabasePrefix) on the shared test
// server (pkg/mongodb/mongotest), called through generated clients with
// real tokens.
package testenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// AdminSubject is the subject of the admin token the default clients send.
const AdminSubject = "users/admin"

// Env is every service of the table, served by one gRPC server.
type Env struct {
	Addr string
	// Conn carries no credentials.
	Conn *grpc.ClientConn
	Key  *jose.JSONWebKey // the dev key the services trust
	// DatabasePrefix is where the services' databases are: each owns
	// DatabasePrefix + its suffix.
	DatabasePrefix string
	t              testing.TB
}

// Ladder is a running environment seen from the ladder service.
type Ladder struct {
	*Env
	// Client sends an admin token.
	Client ladderv1.LadderServiceClient
}

// Options change how the services are started.
type Options struct {
	// Interceptors run after authentication (for example a rate limiter).
	Interceptors []grpc.UnaryServerInterceptor
	// Logger receives the server's logs; discarded when nil.
	Logger *slog.Logger
	// Verifier, when set, checks the callers' tokens instead of the
	// environment's dev key: for example an OpenID provider's.
	Verifier *auth.Verifier
	// Settings go to the services' background jobs. Reminders without a
	// Token get one minted with the environment's dev key, as in dev mode.
	Settings services.Settings
}

// StartLadder serves the services on a loopback port over fresh databases
// until the test ends. They trust a fresh dev signing key.
func StartLadder(t testing.TB) *Ladder { return StartLadderWith(t, Options{}) }

// StartLadderWith is StartLadder with options.
func StartLadderWith(t testing.TB, opts Options) *Ladder {
	t.Helper()
	e := Start(t, opts)
	return &Ladder{Env: e, Client: e.LadderAs(AdminSubject, principal.Admin)}
}

// Start serves every service of the table on one loopback port, over
// databases under a fresh DatabasePrefix, until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	prefix := DatabasePrefix(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	key, err := auth.LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rules, err := services.Rules()
	if err != nil {
		t.Fatal(err)
	}
	verifier := opts.Verifier
	if verifier == nil {
		verifier = auth.NewDev(key)
	}
	guard := auth.NewGuard(verifier, rules, log)
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:             log,
		Interceptors:       append([]grpc.UnaryServerInterceptor{guard.Unary()}, opts.Interceptors...),
		StreamInterceptors: []grpc.StreamServerInterceptor{guard.Stream()},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Services call each other through gRPC clients, here over the same
	// server, with the caller's credentials: as in dev mode.
	self := Dial(t, lis.Addr().String(), grpc.WithUnaryInterceptor(auth.ForwardCredentials()))
	peers := services.Peers{}
	for _, s := range services.All() {
		peers[s.Name] = self
	}
	settings := opts.Settings
	if settings.Token == nil {
		settings.Token = services.DevServiceToken(key)
	}
	if err := services.StartAll(ctx, mongotest.Client(t), prefix, services.All(), srv, peers, settings, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	guard.CheckDeactivated(services.NewDirectory(mongotest.Client(t), prefix, services.All(), peers))
	for _, s := range services.All() { // as production does at start-up
		mongotest.IndexIDs(t, mongotest.Client(t).Database(s.DatabaseName(prefix)))
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, time.Second) }()
	e := &Env{Addr: lis.Addr().String(), Key: key, DatabasePrefix: prefix, t: t}
	e.Conn = Dial(t, e.Addr)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return e
}

// Backends are the gateway's backends for every service of the table, all
// on the environment's connection without credentials (the gateway passes
// each caller's on).
func (e *Env) Backends() []gateway.Backend {
	var bs []gateway.Backend
	for _, s := range services.All() {
		bs = append(bs, gateway.Backend{Name: s.Name, Conn: e.Conn, Register: s.RegisterGateway})
	}
	return bs
}

// Token mints a token the services trust.
func (e *Env) Token(subject string, roles ...principal.Role) string {
	e.t.Helper()
	tok, err := auth.MintDev(e.Key, subject, roles, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// ConnWithToken returns a connection whose calls carry token.
func (e *Env) ConnWithToken(token string) *grpc.ClientConn {
	e.t.Helper()
	return Dial(e.t, e.Addr, grpc.WithPerRPCCredentials(auth.Bearer(token)))
}

// ConnAs returns a connection whose calls carry a token for subject with
// the given roles.
func (e *Env) ConnAs(subject string, roles ...principal.Role) *grpc.ClientConn {
	e.t.Helper()
	return e.ConnWithToken(e.Token(subject, roles...))
}

// LadderAs returns a ladder client that calls as subject with the given roles.
func (e *Env) LadderAs(subject string, roles ...principal.Role) ladderv1.LadderServiceClient {
	e.t.Helper()
	return ladderv1.NewLadderServiceClient(e.ConnAs(subject, roles...))
}

// FeedbackAs returns a feedback client that calls as subject with the given roles.
func (e *Env) FeedbackAs(subject string, roles ...principal.Role) feedbackv1.FeedbackServiceClient {
	e.t.Helper()
	return feedbackv1.NewFeedbackServiceClient(e.ConnAs(subject, roles...))
}

// RubricAs returns a rubric client that calls as subject with the given roles.
func (e *Env) RubricAs(subject string, roles ...principal.Role) rubricv1.RubricServiceClient {
	e.t.Helper()
	return rubricv1.NewRubricServiceClient(e.ConnAs(subject, roles...))
}

// ClientAs returns a client that calls as subject with the given roles.
func (l *Ladder) ClientAs(subject string, roles ...principal.Role) ladderv1.LadderServiceClient {
	l.t.Helper()
	return l.LadderAs(subject, roles...)
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

// maxDatabaseName is the longest database name MongoDB accepts, in bytes.
const maxDatabaseName = 63

var (
	// runID tells apart test binaries that share one MongoDB
	// (YARDSTICK_TEST_MONGO_URI): each package's tests run in a binary
	// of their own, at the same time, with the same test names.
	runID        = sync.OnceValue(func() string { return strings.ToLower(rand.Text()[:8]) })
	prefixes     atomic.Int64
	unsafeInName = regexp.MustCompile(`[^A-Za-z0-9]`)
)

// DatabasePrefix returns a database prefix (--database-prefix) that no
// other test, in this binary or another one on the same server, uses, and
// drops the database of every service of the table under it when the test
// ends. It starts the shared test server if needed (mongotest.URI).
func DatabasePrefix(t testing.TB) string {
	t.Helper()
	client := mongotest.Client(t)
	longest := 0
	for _, s := range services.All() {
		longest = max(longest, len(s.Database))
	}
	prefix := fmt.Sprintf("t%s_%d_", runID(), prefixes.Add(1))
	// The test's name, as much as fits, to find a test's leftovers.
	if room := maxDatabaseName - longest - len(prefix) - 1; room > 0 {
		name := unsafeInName.ReplaceAllString(t.Name(), "")
		prefix += name[:min(len(name), room)] + "_"
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, s := range services.All() {
			if err := client.Database(s.DatabaseName(prefix)).Drop(ctx); err != nil {
				t.Errorf("drop the test database %s: %v", s.DatabaseName(prefix), err)
			}
		}
	})
	return prefix
}
