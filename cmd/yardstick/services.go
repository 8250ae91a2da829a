package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

const (
	// shutdownGrace bounds how long in-flight calls may run after a stop signal.
	shutdownGrace = 10 * time.Second
	// requestTimeout is the deadline of a call that arrives without one.
	requestTimeout = 30 * time.Second
	// healthInterval is how often services check their database.
	healthInterval = 5 * time.Second
)

// storage are the flags that say where data lives.
type storage struct {
	dataDir  string
	mongoURI string
	dbPrefix string // a service's database is dbPrefix + its suffix
}

func (s *storage) register(fs *flag.FlagSet, dataDirUsage string) {
	fs.StringVar(&s.dataDir, "data-dir", ".yardstick", dataDirUsage)
	fs.StringVar(&s.mongoURI, "mongo-uri", "", "MongoDB URI; when empty, an embedded database is started in --data-dir")
	fs.StringVar(&s.dbPrefix, "database-prefix", services.DefaultDatabasePrefix,
		"prefix of the database names: each service owns PREFIX+its name (for example "+services.DefaultDatabasePrefix+"ladder)")
}

// open connects to MongoDB, or starts the embedded server under the data dir.
func (s storage) open(ctx context.Context, log *slog.Logger) (*mongodb.Conn, error) {
	conn, err := mongodb.Open(ctx, mongodb.Config{
		URI:     s.mongoURI,
		DataDir: filepath.Join(s.dataDir, "db"),
		Logger:  log,
	})
	if err != nil {
		return nil, err
	}
	if conn.Embedded {
		// The URI names the socket: only this user can reach it.
		log.Info("embedded database started", "dir", filepath.Join(s.dataDir, "db"), "uri", conn.URI)
	}
	return conn, nil
}

// running is a gRPC server that hosts services.
type running struct {
	server *grpcserver.Server
	done   <-chan error // yields Serve's result
}

// dialPeer opens a client connection to another service for calls made on a
// caller's behalf: the caller's bearer token goes along, so the callee
// applies the caller's rights, never the calling service's.
func dialPeer(addr string, creds credentials.TransportCredentials) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithUnaryInterceptor(auth.ForwardCredentials()),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [{"round_robin": {}}]}`))
}

// startGRPC builds the gRPC server with the given services over their
// databases under prefix, with the given options (security), and starts
// serving it on lis. peers reach the services they call; settings go to
// their background jobs.
//
// guard, when not nil, is the server's guard: it is told where the people
// directory is, to refuse deactivated people (services.Directory).
func startGRPC(ctx context.Context, log *slog.Logger, conn *mongodb.Conn, prefix string, list []services.Service, peers services.Peers, settings services.Settings, opts grpcserver.Options, guard *auth.Guard, lis net.Listener) (*running, error) {
	opts.Logger, opts.DefaultTimeout = log, requestTimeout
	srv, err := grpcserver.New(opts)
	if err != nil {
		return nil, err
	}
	// The services' own metrics go where the server's do.
	settings.Metrics = opts.Metrics
	if err := services.StartAll(ctx, conn.Client, prefix, list, srv, peers, settings, log); err != nil {
		return nil, err
	}
	if d := services.NewDirectory(conn.Client, prefix, list, peers); guard != nil && d != nil {
		guard.CheckDeactivated(d)
	}
	// The stores have created their collections: on the embedded database,
	// give each an index its _id lookups use (see mongodb.Conn.IndexIDs).
	for _, s := range list {
		n, err := conn.IndexIDs(ctx, s.DatabaseName(prefix))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			log.Info("indexed _id lookups of the embedded database", "database", s.DatabaseName(prefix), "collections", n)
		}
	}
	srv.ReportDatabase(ctx, func(ctx context.Context) error { return conn.Client.Ping(ctx, readpref.Primary()) }, healthInterval)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, shutdownGrace) }()
	return &running{server: srv, done: done}, nil
}
