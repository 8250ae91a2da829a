// Package testenv starts the services for tests the way production does:
// a real gRPC server on a loopback port with the shared interceptors, over
// the embedded database (pkg/mongodb/mongotest), called through generated
// clients.
package testenv

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// Ladder is a running ladder service.
type Ladder struct {
	Addr   string
	Conn   *grpc.ClientConn
	Client ladderv1.LadderServiceClient
}

// StartLadder serves the ladder service on a loopback port over a fresh
// database until the test ends.
func StartLadder(t testing.TB) *Ladder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store := ladder.NewStore(mongotest.Database(t))
	if err := store.Init(ctx); err != nil {
		t.Fatalf("ladder store: %v", err)
	}
	srv, err := grpcserver.New(grpcserver.Options{Logger: slog.New(slog.DiscardHandler)})
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
	conn := Dial(t, lis.Addr().String())
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &Ladder{Addr: lis.Addr().String(), Conn: conn, Client: ladderv1.NewLadderServiceClient(conn)}
}

// Dial opens a plaintext client connection to a loopback address.
func Dial(t testing.TB, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}
