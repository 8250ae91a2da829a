package ladder_test

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// BenchmarkRevisionGetCachedVsUncached reads the sample framework's
// published revision over gRPC, token check included, from the service
// as it runs (served from memory) and from a second server over the same
// databases that keeps nothing, alternated in one loop.
//
//	go test -run '^$' -bench RevisionGetCachedVsUncached -benchtime 2000x ./services/ladder/
func BenchmarkRevisionGetCachedVsUncached(b *testing.B) {
	ctx := context.Background()
	l := testenv.StartLadder(b)
	f, err := l.Client.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: ladder.SampleFramework})
	if err != nil {
		b.Fatal(err)
	}
	rev, err := l.Client.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName(), Etag: f.GetEtag()})
	if err != nil {
		b.Fatal(err)
	}
	token := l.Token("users/erin", principal.Employee)
	cached := ladderv1.NewLadderServiceClient(l.ConnWithToken(token))
	uncached := ladderv1.NewLadderServiceClient(testenv.Dial(b, serveUncached(b, l), grpc.WithPerRPCCredentials(auth.Bearer(token))))
	for _, name := range []string{rev.GetName(), "frameworks/engineering/revisions/latest"} {
		b.Run("name="+name[len("frameworks/engineering/revisions/"):], func(b *testing.B) {
			req := &ladderv1.GetFrameworkRevisionRequest{Name: name}
			var tc, tu time.Duration
			for range b.N {
				t0 := time.Now()
				if _, err := cached.GetFrameworkRevision(ctx, req); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := uncached.GetFrameworkRevision(ctx, req); err != nil {
					b.Fatal(err)
				}
				tc += t1.Sub(t0)
				tu += time.Since(t1)
			}
			b.ReportMetric(float64(tc.Microseconds())/float64(b.N), "cached-µs/op")
			b.ReportMetric(float64(tu.Microseconds())/float64(b.N), "uncached-µs/op")
			b.ReportMetric(float64(tu)/float64(tc), "uncached/cached")
		})
	}
}

// serveUncached serves the ladder service over l's databases, as the
// table does but keeping no revisions in memory, and returns its address.
func serveUncached(b *testing.B, l *testenv.Ladder) string {
	log := slog.New(slog.DiscardHandler)
	db := mongotest.Client(b).Database(l.DatabasePrefix + "ladder")
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:       log,
		Interceptors: []grpc.UnaryServerInterceptor{auth.NewGuard(auth.NewDev(l.Key), ladder.Rules(), log).Unary()},
	})
	if err != nil {
		b.Fatal(err)
	}
	ladderv1.RegisterLadderServiceServer(srv, ladder.New(ladder.NewStore(db), ladder.NewUsers(db), ladder.WithRevisionCache(0)))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, time.Second) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	})
	return lis.Addr().String()
}
