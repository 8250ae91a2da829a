package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The gRPC servers of `dev` take every body the gateway accepts, and refuse
// a larger message sent to them directly with RESOURCE_EXHAUSTED, keeping
// the connection.
func TestDevMessageSizeLimits(t *testing.T) {
	dir, httpAddr, grpcAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr)
	waitReady(t, httpAddr)
	token := adminToken(t, dir)

	// An import whose JSON body is exactly the gateway's limit reaches the
	// service, which judges the content (not a framework: 400).
	prefix, suffix := `{"frameworkId": "big", "content": "`, `"}`
	body := prefix + strings.Repeat("x", grpcserver.GatewayBodyBytes-len(prefix)-len(suffix)) + suffix
	resp := send(t, http.MethodPost, "http://"+httpAddr+"/v1/frameworks:import", token, body)
	got := decodeStatus(t, resp)
	if resp.StatusCode != http.StatusBadRequest || got.reason != "INVALID_ARGUMENT" {
		t.Errorf("import with a body of exactly %d bytes = %d %+v, want 400 INVALID_ARGUMENT from the service", len(body), resp.StatusCode, got)
	}
	resp = send(t, http.MethodPost, "http://"+httpAddr+"/v1/frameworks:import", token, body[:len(body)-2]+`x"}`)
	if got := decodeStatus(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("import one byte over the body limit = %d %+v, want 413", resp.StatusCode, got)
	}

	// Directly over gRPC: one byte over the cap is RESOURCE_EXHAUSTED, and
	// the connection still serves the next call.
	cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	req := &ladderv1.ImportFrameworkRequest{FrameworkId: "big"}
	req.Content = strings.Repeat("x", grpcserver.DefaultMaxRecvBytes) // its encoding is a few bytes more
	_, err = ladderv1.NewLadderServiceClient(cc).ImportFramework(context.Background(), req)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("gRPC import over %d bytes = %v, want RESOURCE_EXHAUSTED", grpcserver.DefaultMaxRecvBytes, err)
	}
	if _, err := healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("next call on the same connection = %v, want it served", err)
	}
}

// A caller over the limit is refused and counted in
// yardstick_rate_limited_total, by method.
func TestDevCountsRateLimitRefusals(t *testing.T) {
	dir, httpAddr, metricsAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t), "--metrics-addr", metricsAddr,
		"--rate-limit-rps", "0.001", "--rate-limit-burst", "1")
	waitReady(t, httpAddr) // not limited: no caller
	token := adminToken(t, dir)
	const refused = 5
	for i := range refused + 1 {
		resp := send(t, http.MethodGet, "http://"+httpAddr+"/v1/frameworks", token, "")
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
		want := http.StatusTooManyRequests
		if i == 0 {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("call %d = %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	resp := send(t, http.MethodGet, "http://"+metricsAddr+"/metrics", "", "")
	defer resp.Body.Close()
	metrics, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`yardstick_rate_limited_total{grpc_method="ListFrameworks",grpc_service="yardstick.ladder.v1.LadderService"} %d`, refused)
	if !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %s", want)
	}
}

// apiStatus is what the tests read of an error body.
type apiStatus struct {
	code    int
	reason  string
	message string
}

func decodeStatus(t *testing.T, resp *http.Response) apiStatus {
	t.Helper()
	defer resp.Body.Close()
	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("error body: %v", err)
	}
	st := apiStatus{code: body.Code, message: body.Message}
	for _, d := range body.Details {
		if d.Reason != "" {
			st.reason = d.Reason
		}
	}
	return st
}
