package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/pkg/telemetry"
)

// TestTraceCrossesGatewayAndService sends a request that carries a W3C
// traceparent and checks that the gateway's HTTP span, its gRPC client span
// and the service's gRPC server span all join the caller's trace.
func TestTraceCrossesGatewayAndService(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	if _, err := telemetry.Setup(context.Background(), "test", ""); err != nil { // the propagator
		t.Fatal(err)
	}

	c := startGateway(t, gateway.Options{})
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest("GET", c.base+"/v1/frameworks", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// The HTTP span is named by the route pattern the request matched.
	problem := settle(func() string {
		want := map[string]bool{"/v1/frameworks": false, "yardstick.ladder.v1.LadderService/ListFrameworks": false}
		kinds := map[string]int{}
		for _, s := range recorder.Ended() {
			if s.SpanContext().TraceID().String() != traceID {
				continue
			}
			if _, ok := want[s.Name()]; ok {
				want[s.Name()] = true
				kinds[s.SpanKind().String()]++
			}
		}
		for name, seen := range want {
			if !seen {
				return fmt.Sprintf("no span %q in the caller's trace", name)
			}
		}
		if kinds["server"] != 2 || kinds["client"] != 1 {
			return fmt.Sprintf("span kinds in the trace = %v, want 2 server (HTTP, gRPC) and 1 client (gRPC)", kinds)
		}
		return ""
	})
	if problem != "" {
		t.Error(problem)
	}
}

// TestSpansNamedByRoutePattern checks the name of the REST request's span:
// the route pattern of an API request (known only once the runtime mux has
// matched it), the path of a fixed route, "unmatched" for anything else.
func TestSpansNamedByRoutePattern(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(200, "GET", "/v1/frameworks/eng:export", "")
	c.expect(404, "GET", "/v1/frameworks/ghost", "")
	c.expect(200, "GET", "/openapi.json", "")
	c.expect(404, "GET", "/v1/no/such/route", "")
	c.expect(200, "GET", "/healthz", "") // not traced

	want := []string{"/v1/frameworks", "/v1/{name=frameworks/*}:export", "/v1/{name=frameworks/*}", "/openapi.json", "unmatched"}
	diff := settle(func() string {
		var got []string
		for _, s := range recorder.Ended() {
			if s.SpanKind().String() == "server" && !strings.HasPrefix(s.Name(), "yardstick.") {
				got = append(got, s.Name())
			}
		}
		return cmp.Diff(want, got)
	})
	if diff != "" {
		t.Errorf("HTTP span names (-want +got):\n%s", diff)
	}
}
