package grpcserver_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// A rate limiter's refusal is not a warning line per call: package
// ratelimit logs refusals sampled. Other codes keep their levels.
func TestRefusalsAreLoggedAtDebug(t *testing.T) {
	var logs bytes.Buffer
	refuse := func(context.Context, any, *grpc.UnaryServerInfo, grpc.UnaryHandler) (any, error) {
		return nil, status.Error(codes.ResourceExhausted, "rate limit exceeded")
	}
	_, conn, _, _ := startWith(t, grpcserver.Options{
		Logger:         slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		DefaultTimeout: time.Second,
		Interceptors:   []grpc.UnaryServerInterceptor{refuse},
	})
	for range 100 {
		if err := call(conn, &ladderv1.ListFrameworksRequest{}); status.Code(err) != codes.ResourceExhausted {
			t.Fatalf("call = %v, want RESOURCE_EXHAUSTED", err)
		}
	}
	if strings.Contains(logs.String(), "ResourceExhausted") {
		t.Errorf("refusals logged at info level or above:\n%s", logs.String())
	}
}
