package auth_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/yardstick-dev/yardstick/pkg/auth"
)

func TestForwardCredentials(t *testing.T) {
	in := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer abc", "x-other", "no"))
	var sent metadata.MD
	invoker := func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		sent, _ = metadata.FromOutgoingContext(ctx)
		return nil
	}
	if err := auth.ForwardCredentials()(in, "/x.Y/Z", nil, nil, nil, invoker); err != nil {
		t.Fatal(err)
	}
	if got := sent.Get("authorization"); len(got) != 1 || got[0] != "Bearer abc" {
		t.Errorf("forwarded authorization = %v, want [Bearer abc]", got)
	}
	if got := sent.Get("x-other"); len(got) != 0 {
		t.Errorf("forwarded x-other = %v, want nothing but the credentials", got)
	}
}
