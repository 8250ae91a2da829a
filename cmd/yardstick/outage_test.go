package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// TestDatabaseOutage stops the database under load and starts it again,
// with `yardstick dev` running on it all along: while it is down every call
// answers UNAVAILABLE within its deadline and readiness turns not-ready;
// when it is back everything recovers without a restart, and no write that
// was acknowledged is lost. The embedded store cannot be stopped on its
// own, so this runs on FerretDB over PostgreSQL: scripts/postgresql-backend.sh
// (which .ci/run uses) provides it.
func TestDatabaseOutage(t *testing.T) {
	ferret, pgURL := os.Getenv("YARDSTICK_TEST_FERRETDB"), os.Getenv("YARDSTICK_TEST_POSTGRESQL_URL")
	if ferret == "" || pgURL == "" {
		t.Skip("needs FerretDB on PostgreSQL: run through scripts/postgresql-backend.sh")
	}
	dbAddr := freeAddr(t)
	db := startFerretDB(t, ferret, dbAddr, pgURL)
	uri := fmt.Sprintf("mongodb://%s:%s@%s/?authMechanism=PLAIN", os.Getenv("YARDSTICK_TEST_POSTGRESQL_USER"), os.Getenv("YARDSTICK_TEST_POSTGRESQL_PASSWORD"), dbAddr)

	bin := buildYardstick(t)
	dir := t.TempDir()
	httpAddr, grpcAddr := freeAddr(t), freeAddr(t)
	prefix := fmt.Sprintf("outage%d_", time.Now().UnixNano()%1_000_000)
	app := exec.Command(bin, "dev", "--data-dir", dir, "--mongo-uri", uri, "--database-prefix", prefix,
		"--http-addr", httpAddr, "--grpc-addr", grpcAddr, "--rate-limit-rps", "0")
	logs, err := os.CreateTemp(dir, "log")
	if err != nil {
		t.Fatal(err)
	}
	app.Stdout, app.Stderr = logs, logs
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Process.Kill(); _ = app.Wait() })
	waitReady(t, httpAddr)

	key, err := auth.ReadDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.MintDev(key, "users/rita", []principal.Role{principal.Recruiter}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.Bearer(tok)))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := feedbackv1.NewFeedbackServiceClient(cc)

	// Writers create candidates all along, each call with a 2 s deadline.
	const deadline = 2 * time.Second
	type result struct {
		code       codes.Code
		start, end time.Time
	}
	var (
		mu    sync.Mutex
		acked []string
		calls []result
	)
	ctx, stopWriters := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("o%d-%d", w, n)
				callCtx, cancel := context.WithTimeout(context.Background(), deadline)
				start := time.Now()
				_, err := client.CreateCandidate(callCtx, &feedbackv1.CreateCandidateRequest{CandidateId: id,
					Candidate: &feedbackv1.Candidate{DisplayName: "Outage " + id, Role: "ic", Level: "l3"}})
				cancel()
				mu.Lock()
				calls = append(calls, result{status.Code(err), start, time.Now()})
				if err == nil {
					acked = append(acked, "candidates/"+id)
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	time.Sleep(time.Second)
	down := time.Now()
	db.Process.Signal(syscall.SIGKILL)
	_ = db.Wait()
	// Readiness turns not-ready, and the REST API answers 503.
	waitStatus(t, "http://"+httpAddr+"/readyz", http.StatusServiceUnavailable, 20*time.Second)
	resp := send(t, http.MethodGet, "http://"+httpAddr+"/v1/candidates", tok, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /v1/candidates with the database down = %d, want 503", resp.StatusCode)
	}
	time.Sleep(2 * deadline) // calls made wholly within the outage
	up := time.Now()
	startFerretDBAgain(t, db, ferret, dbAddr, pgURL)
	waitStatus(t, "http://"+httpAddr+"/readyz", http.StatusOK, 30*time.Second)
	recovered := time.Now()
	time.Sleep(time.Second)
	stopWriters()
	wg.Wait()

	var during, after int
	for _, c := range calls {
		switch {
		case c.start.After(down) && c.end.Before(up):
			during++
			if c.code != codes.Unavailable || c.end.Sub(c.start) >= deadline {
				t.Errorf("a call during the outage = %v after %v, want UNAVAILABLE within %v", c.code, c.end.Sub(c.start), deadline)
			}
		case c.start.After(recovered):
			after++
			if c.code != codes.OK {
				t.Errorf("a call after the database returned = %v, want OK", c.code)
			}
		}
	}
	if during == 0 || after == 0 {
		t.Errorf("%d calls during the outage and %d after it: the test measured nothing", during, after)
	}
	for _, name := range acked {
		if _, err := client.GetCandidate(context.Background(), &feedbackv1.GetCandidateRequest{Name: name}); err != nil {
			t.Errorf("acknowledged %s: %v", name, err)
		}
	}
	t.Logf("%d calls, %d during the outage, %d after; %d acknowledged writes all readable; ready again %v after the database",
		len(calls), during, after, len(acked), recovered.Sub(up).Round(time.Millisecond))
	_ = app.Process.Signal(syscall.SIGTERM)
	_ = app.Wait()
}

func startFerretDB(t *testing.T, bin, addr, pgURL string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "-listen", addr, "-postgresql-url", pgURL)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// startFerretDBAgain starts the server on the address it had, once the
// address is free.
func startFerretDBAgain(t *testing.T, old *exec.Cmd, bin, addr, pgURL string) {
	t.Helper()
	*old = *startFerretDB(t, bin, addr, pgURL)
}

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, url string, want int, within time.Duration) {
	t.Helper()
	end := time.Now().Add(within)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(end) {
			t.Fatalf("%s did not answer %d within %v", url, want, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
