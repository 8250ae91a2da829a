package grpcserver_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// sized returns a request whose encoding is exactly n bytes.
func sized(t *testing.T, n int) *ladderv1.ListFrameworksRequest {
	t.Helper()
	req := &ladderv1.ListFrameworksRequest{PageToken: strings.Repeat("x", n)}
	// Shrink by the tag and length prefix (a few bytes).
	req.PageToken = req.PageToken[:n-(proto.Size(req)-n)]
	if got := proto.Size(req); got != n {
		t.Fatalf("request of %d bytes, want %d", got, n)
	}
	return req
}

// A message over the cap is refused with RESOURCE_EXHAUSTED, not a dropped
// connection: the next call on the same connection works. A message of
// exactly the cap reaches the handler.
func TestMaxRecvBytes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  grpcserver.Options
		limit int
	}{
		{"default", grpcserver.Options{}, grpcserver.DefaultMaxRecvBytes},
		{"configured", grpcserver.Options{MaxRecvBytes: 64 << 10}, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Logger, tc.opts.DefaultTimeout = slog.New(slog.DiscardHandler), 5*time.Second
			p, conn, _, _ := startWith(t, tc.opts)
			var got int
			p.do = func(_ context.Context, req *ladderv1.ListFrameworksRequest) error {
				got = proto.Size(req)
				return nil
			}
			err := call(conn, sized(t, tc.limit+1))
			if st := status.Convert(err); st.Code() != codes.ResourceExhausted {
				t.Errorf("call with %d bytes = %v, want RESOURCE_EXHAUSTED", tc.limit+1, err)
			} else if strings.Contains(st.Message(), "127.0.0.1") {
				t.Errorf("message %q names an address", st.Message())
			}
			if got != 0 {
				t.Errorf("the handler ran for a message over the cap")
			}
			if err := call(conn, &ladderv1.ListFrameworksRequest{}); err != nil {
				t.Errorf("next call on the same connection = %v, want it to work", err)
			}
			if err := call(conn, sized(t, tc.limit)); err != nil || got != tc.limit {
				t.Errorf("call with exactly %d bytes = %v (handler saw %d bytes), want it served", tc.limit, err, got)
			}
		})
	}
}
