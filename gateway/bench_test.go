package gateway_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// BenchmarkGetFramework measures a Get of the sample framework through the
// REST gateway against the same Get over direct gRPC, alternating the two in
// one run, and reports the ratio: the cost the gateway adds (JSON, HTTP, one
// more hop).
func BenchmarkGetFramework(b *testing.B) {
	ctx := context.Background()
	l := testenv.StartLadder(b)
	if _, err := l.Client.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: ladder.SampleFramework}); err != nil {
		b.Fatal(err)
	}
	url := serveGateway(b, l, gateway.Options{}).URL + "/v1/frameworks/engineering"
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+l.Token(testenv.AdminSubject, principal.Admin))

	var grpcTime, restTime time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := l.Client.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/engineering"}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		resp, err := httpClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s = %d", url, resp.StatusCode)
		}
		restTime += time.Since(t1)
		grpcTime += t1.Sub(t0)
	}
	b.ReportMetric(float64(grpcTime.Microseconds())/float64(b.N), "grpc-µs/get")
	b.ReportMetric(float64(restTime.Microseconds())/float64(b.N), "rest-µs/get")
	b.ReportMetric(float64(restTime)/float64(grpcTime), "rest/grpc")
}
