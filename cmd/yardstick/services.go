package main

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
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
		log.Info("embedded database started", "dir", filepath.Join(s.dataDir, "db"))
	}
	return conn, nil
}

// serviceSet names the services one gRPC server hosts.
type serviceSet struct {
	ladder bool
}

// running are the services a gRPC server hosts, for in-process use (seeding).
type running struct {
	server *grpcserver.Server
	ladder *ladder.Server
	done   <-chan error // yields Serve's result
}

// startGRPC builds the gRPC server with the chosen services over conn and
// the given options (security), and starts serving it on lis.
func startGRPC(ctx context.Context, log *slog.Logger, conn *mongodb.Conn, set serviceSet, opts grpcserver.Options, lis net.Listener) (*running, error) {
	opts.Logger, opts.DefaultTimeout = log, requestTimeout
	srv, err := grpcserver.New(opts)
	if err != nil {
		return nil, err
	}
	r := &running{server: srv}
	if set.ladder {
		store := ladder.NewStore(conn.Client.Database(ladder.DefaultDatabase))
		if err := store.Init(ctx); err != nil {
			return nil, err
		}
		r.ladder = ladder.New(store)
		ladderv1.RegisterLadderServiceServer(srv, r.ladder)
	}
	srv.ReportDatabase(ctx, func(ctx context.Context) error { return conn.Client.Ping(ctx, readpref.Primary()) }, healthInterval)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, shutdownGrace) }()
	r.done = done
	return r, nil
}
