package main

import (
	"context"
	"encoding/json"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

func TestMain(m *testing.M) {
	code := mongotest.Run(m)
	removeBinary()
	os.Exit(code)
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs a parsed command until the test ends, and checks it stops cleanly.
func start(t *testing.T, args ...string) {
	t.Helper()
	cmd, err := parse(args, io.Discard)
	if err != nil {
		t.Fatalf("parse(%q): %v", args, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.run(ctx, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%v stopped with %v", args, err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("%v did not stop within 20s", args)
		}
	})
}

// adminToken mints an admin token with the dev key of a data directory.
func adminToken(t *testing.T, dataDir string) string {
	t.Helper()
	return tokenFor(t, dataDir, "users/test", principal.Admin)
}

func tokenFor(t *testing.T, dataDir, subject string, roles ...principal.Role) string {
	t.Helper()
	key, err := auth.ReadDevKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.MintDev(key, subject, roles, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// send makes one request with a bearer token.
func send(t *testing.T, method, url, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// waitReady polls the gateway's /readyz until it answers 200: the servers
// take a moment to start.
func waitReady(t testing.TB, httpAddr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 30s (last error %v)", httpAddr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// getJSON GETs url with token and decodes the body.
func getJSON(t *testing.T, url, token string) map[string]any {
	t.Helper()
	resp := send(t, http.MethodGet, url, token, "")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", url, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return out
}

func frameworkNames(body map[string]any) []string {
	var names []string
	list, _ := body["frameworks"].([]any)
	for _, f := range list {
		names = append(names, f.(map[string]any)["name"].(string))
	}
	return names
}

func TestDevSeedsAndKeepsData(t *testing.T) {
	dir := t.TempDir()
	httpAddr := freeAddr(t)
	var token string
	t.Run("first start seeds", func(t *testing.T) {
		start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t))
		waitReady(t, httpAddr)
		token = adminToken(t, dir)
		got := frameworkNames(getJSON(t, "http://"+httpAddr+"/v1/frameworks", token))
		if strings.Join(got, ",") != "frameworks/engineering" {
			t.Fatalf("frameworks = %v, want the seeded frameworks/engineering", got)
		}
		latest := getJSON(t, "http://"+httpAddr+"/v1/frameworks/engineering/revisions/latest", token)
		if latest["name"] != "frameworks/engineering/revisions/1" {
			t.Errorf("latest revision = %v, want frameworks/engineering/revisions/1", latest["name"])
		}
		resp := send(t, http.MethodPost, "http://"+httpAddr+"/v1/frameworks?framework_id=kept", token, `{"title":"Kept across restarts"}`)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("create = %d, want 200", resp.StatusCode)
		}
		resp = send(t, http.MethodGet, "http://"+httpAddr+"/v1/frameworks", "", "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("list without a token = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("restart keeps data and does not seed again", func(t *testing.T) {
		start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t))
		waitReady(t, httpAddr)
		// The token minted before the restart still works: the key was kept.
		got := frameworkNames(getJSON(t, "http://"+httpAddr+"/v1/frameworks", token))
		if strings.Join(got, ",") != "frameworks/engineering,frameworks/kept" {
			t.Fatalf("frameworks after restart = %v, want engineering and kept", got)
		}
		revs := getJSON(t, "http://"+httpAddr+"/v1/frameworks/engineering/revisions", token)
		if n := len(revs["revisions"].([]any)); n != 1 {
			t.Errorf("engineering has %d revisions after restart, want 1", n)
		}
	})
}

// TestSplitMode runs each service in a server of its own and the gateway
// in front: the rubric service derives from the ladder over the network.
func TestSplitMode(t *testing.T) {
	dir := t.TempDir()
	if _, err := auth.LoadOrCreateDevKey(dir); err != nil { // both services trust it
		t.Fatal(err)
	}
	ladderAddr, rubricAddr, feedbackAddr, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	prefix := testenv.DatabasePrefix(t)
	start(t, "serve", "ladder", "--grpc-addr", ladderAddr, "--mongo-uri", mongotest.URI(t), "--database-prefix", prefix,
		"--dev-auth", "--data-dir", dir)
	start(t, "serve", "rubric", "--grpc-addr", rubricAddr, "--ladder-addr", ladderAddr, "--mongo-uri", mongotest.URI(t),
		"--database-prefix", prefix, "--dev-auth", "--data-dir", dir)
	start(t, "serve", "feedback", "--grpc-addr", feedbackAddr, "--ladder-addr", ladderAddr, "--rubric-addr", rubricAddr, "--mongo-uri", mongotest.URI(t),
		"--database-prefix", prefix, "--dev-auth", "--data-dir", dir)
	start(t, "gateway", "--http-addr", httpAddr, "--ladder-addr", ladderAddr, "--rubric-addr", rubricAddr, "--feedback-addr", feedbackAddr)
	waitReady(t, httpAddr)
	checkSplit(t, httpAddr, dir)
}

// checkSplit creates a framework through a split gateway and reads it back.
// postJSON posts a body and decodes the 200 answer.
func postJSON(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	resp := send(t, http.MethodPost, url, token, body)
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d, %v: %v", url, resp.StatusCode, err, out)
	}
	return out
}

// checkSplit uses a split deployment through its gateway, with tokens
// minted from the dev key in dataDir.
func checkSplit(t *testing.T, httpAddr, dataDir string) {
	t.Helper()
	token := adminToken(t, dataDir)
	resp := send(t, http.MethodPost, "http://"+httpAddr+"/v1/frameworks?framework_id=split-"+strconv.Itoa(int(time.Now().UnixNano()%1e6)), token, `{"title":"Split"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create through the split gateway = %d, want 200", resp.StatusCode)
	}
	if got := frameworkNames(getJSON(t, "http://"+httpAddr+"/v1/frameworks", token)); len(got) == 0 {
		t.Errorf("list through the split gateway is empty")
	}
	// A rubric derived over the network: the rubric service reads the
	// published framework from the ladder service with the caller's token.
	base := "http://" + httpAddr
	id := "split-ladder-" + strconv.Itoa(int(time.Now().UnixNano()%1e6))
	resp = send(t, http.MethodPost, base+"/v1/frameworks?framework_id="+id, token, `{"title":"Split",
		"competencies":[{"id":"craft","title":"Craft"}],
		"tracks":[{"id":"ic","title":"IC","levels":[{"id":"l1","title":"Engineer","expectations":[{"competency":"craft","description":"Writes code."}]}]}]}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create a full framework = %d, want 200", resp.StatusCode)
	}
	resp = send(t, http.MethodPost, base+"/v1/frameworks/"+id+":publish", token, `{}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("publish = %d, want 200", resp.StatusCode)
	}
	resp = send(t, http.MethodPost, base+"/v1/rubrics:derive", token,
		`{"framework":"frameworks/`+id+`","track":"ic","level":"l1","interview_type":"coding"}`)
	defer resp.Body.Close()
	var rubric map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&rubric); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("derive through the split gateway = %d, %v: %v", resp.StatusCode, err, rubric)
	}
	if src, _ := rubric["source"].(map[string]any); src["frameworkRevision"] != "frameworks/"+id+"/revisions/1" {
		t.Errorf("derived rubric's source = %v, want frameworks/%s/revisions/1", rubric["source"], id)
	}
	// The feedback service checks an interview's rubric with the rubric
	// service, over the network, and a scorecard against it.
	resp = send(t, http.MethodPost, base+"/v1/"+rubric["name"].(string)+":publish", token, `{}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("publish the rubric = %d, want 200", resp.StatusCode)
	}
	cand := postJSON(t, base+"/v1/candidates", token, `{"display_name":"Split","role":"ic","level":"l1"}`)
	iv := postJSON(t, base+"/v1/"+cand["name"].(string)+"/interviews", token,
		`{"interviewer":"users/ivy","rubric":"`+rubric["name"].(string)+`/revisions/latest"}`)
	ivy := tokenFor(t, dataDir, "users/ivy", principal.Interviewer)
	sc := iv["name"].(string) + "/scorecard"
	resp = send(t, http.MethodPatch, base+"/v1/"+sc, ivy, `{"ratings":[{"competency":"craft","score":3,"evidence":"Wrote it."}],"recommendation":"RECOMMENDATION_YES"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("save the scorecard = %d, want 200", resp.StatusCode)
	}
	postJSON(t, base+"/v1/"+sc+":submit", ivy, `{"request_id":"split-submit"}`)
	sum := getJSON(t, base+"/v1/"+cand["name"].(string)+":summarize", token)
	if sum["scorecards"] != float64(1) {
		t.Errorf("summary through the split gateway = %v, want 1 scorecard", sum)
	}
	// Without a token of its own the rubric service could not read the
	// ladder: the caller's rights apply there too.
	resp = send(t, http.MethodPost, base+"/v1/rubrics:derive", "", `{"framework":"frameworks/`+id+`","track":"ic","level":"l1","interview_type":"coding"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("derive without a token = %d, want 401", resp.StatusCode)
	}
}

func TestParseRefusesBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"serve"}, {"serve", "payroll"}, {"gateway"}, {"dev", "--no-such-flag"},
		{"token"}, {"token", "--subject", "users/a"}, {"token", "--subject", "users/a", "--roles", "wizard"},
		{"token", "--subject", "users/a", "--roles", "admin", "--ttl", "-1h"},
	} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) = nil error, want one", args)
		}
	}
}

func TestDevFailsOnBusyPortBeforeWritingData(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	cmd, err := parse([]string{"dev", "--data-dir", dir, "--grpc-addr", freeAddr(t), "--http-addr", busy.Addr().String()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.run(context.Background(), slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("dev on a busy HTTP port = nil error, want one")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("data dir after the failed start holds %d entries, want none", len(entries))
	}
}

func TestMetricsOnTheirOwnPort(t *testing.T) {
	dir, httpAddr, metricsAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t), "--metrics-addr", metricsAddr)
	waitReady(t, httpAddr)
	getJSON(t, "http://"+httpAddr+"/v1/frameworks", adminToken(t, dir))
	resp := send(t, http.MethodGet, "http://"+httpAddr+"/metrics", "", "")
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("/metrics on the API port = 200, want it only on --metrics-addr")
	}

	wants := []string{
		`grpc_server_handled_total{grpc_code="OK",grpc_method="ListFrameworks",grpc_service="yardstick.ladder.v1.LadderService",grpc_type="unary"} 1`,
		`yardstick_gateway_requests_total{code="200",method="get",route="/v1/frameworks"} 1`,
		`grpc_server_handling_seconds_bucket`,
		`go_goroutines`,
	}
	// A request is counted once its handler returns, which can be just after
	// the client has read the whole response: a scrape is not synchronised
	// with it, so scrape until the counts appear (or the deadline passes).
	var missing []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp := send(t, http.MethodGet, "http://"+metricsAddr+"/metrics", "", "")
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(string(body), want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range missing {
		t.Errorf("metrics lack %s", want)
	}
}

// With the rubric service down, the feedback service answers UNAVAILABLE
// (retryable) within the caller's deadline, not INTERNAL, and names no
// address.
func TestFeedbackWhenTheRubricServiceIsDown(t *testing.T) {
	dir := t.TempDir()
	if _, err := auth.LoadOrCreateDevKey(dir); err != nil {
		t.Fatal(err)
	}
	ladderAddr, feedbackAddr, deadAddr := freeAddr(t), freeAddr(t), freeAddr(t) // nothing listens on deadAddr
	prefix := testenv.DatabasePrefix(t)
	start(t, "serve", "ladder", "--grpc-addr", ladderAddr, "--mongo-uri", mongotest.URI(t), "--database-prefix", prefix, "--dev-auth", "--data-dir", dir)
	start(t, "serve", "feedback", "--grpc-addr", feedbackAddr, "--ladder-addr", ladderAddr, "--rubric-addr", deadAddr, "--mongo-uri", mongotest.URI(t),
		"--database-prefix", prefix, "--dev-auth", "--data-dir", dir)
	conn := testenv.Dial(t, feedbackAddr, grpc.WithPerRPCCredentials(auth.Bearer(adminToken(t, dir))))
	client := feedbackv1.NewFeedbackServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// WaitForReady: the server may still be starting.
	cand, err := client.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{Candidate: &feedbackv1.Candidate{DisplayName: "X", Role: "ic", Level: "l1"}}, grpc.WaitForReady(true))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	callCtx, cancelCall := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelCall()
	_, err = client.CreateInterview(callCtx, &feedbackv1.CreateInterviewRequest{Parent: cand.GetName(),
		Interview: &feedbackv1.Interview{Interviewer: "users/ivy", Rubric: "rubrics/coding/revisions/1"}})
	st := status.Convert(err)
	if st.Code() != codes.Unavailable || strings.Contains(st.Message(), deadAddr) {
		t.Errorf("CreateInterview with the rubric service down = %v, want UNAVAILABLE naming no address", st)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("CreateInterview with the rubric service down took %v, want within the deadline", took)
	}
}
