package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/internal/bench"
)

// TestBenchCommand runs the load tool at a tiny size against the server it
// starts in-process, and reads its table: every scenario at every client
// count, over both transports, with requests and no errors.
func TestBenchCommand(t *testing.T) {
	// Small enough for about half a minute with the race detector on a
	// quiet machine of two cores: each run stops at 300 ms, or after its
	// one slow call there.
	out := runBench(t, "--clients", "1,4", "--duration", "300ms", "--writes", "4", "--calibrations", "1")
	// scenario, clients → the row's cells
	rows := map[string][]string{}
	for line := range strings.Lines(out.String()) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 13 || strings.TrimSpace(cells[0]) == "scenario" || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[0]+"/"+cells[1]] = cells
	}
	for _, scenario := range bench.ScenarioIDs() {
		for _, clients := range []int{1, 4} {
			key := fmt.Sprintf("%s/%d", scenario, clients)
			cells, ok := rows[key]
			if !ok {
				t.Errorf("no row for %s in\n%s", key, out.String())
				continue
			}
			// gRPC requests, errors at 2 and 3; REST's at 6 and 7.
			for _, c := range []struct {
				transport     string
				requests, err string
			}{{"gRPC", cells[2], cells[3]}, {"REST", cells[6], cells[7]}} {
				if n, err := strconv.Atoi(c.requests); err != nil || n < 1 {
					t.Errorf("%s over %s: %q requests, want at least one", key, c.transport, c.requests)
				}
				if c.err != "0" {
					t.Errorf("%s over %s: %s errors, want 0", key, c.transport, c.err)
				}
			}
			if !strings.HasSuffix(cells[12], "MiB") {
				t.Errorf("%s: RSS %q, want MiB: the server runs in the process", key, cells[12])
			}
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}

// runBench runs the load tool at a tiny size (30 scorecards, 6
// interviewers, 2 roles) with more flags, and returns its report.
func runBench(t *testing.T, flags ...string) *strings.Builder {
	t.Helper()
	args := append([]string{"bench", "--scorecards", "30", "--interviewers", "6", "--roles", "2"}, flags...)
	cmd, err := parse(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	cmd.(*benchCommand).out = out
	if err := cmd.run(context.Background(), slog.New(slog.NewTextHandler(t.Output(), nil))); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	return out
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--clients", "1,x"},
		{"--scorecards", "0"},
		{"--scenarios", "debrief,nap"},
		{"--target", "127.0.0.1:9090", "--token", "t"}, // no --target-http
		{"--target", "127.0.0.1:9090", "--target-http", "http://127.0.0.1:8080"}, // no token or key
		{"--token", "t"},                             // without --target
		{"--mix", "debrief=1"},                       // without --rate
		{"--rate", "0"},                              // no operation
		{"--rate", "ten"},                            // not a number
		{"--rate", "10", "--clients", "4"},           // clients are for runs of clients
		{"--rate", "10", "--mix", "debrief=0"},       // no weight
		{"--rate", "10", "--mix", "nap=1,debrief=1"}, // unknown scenario
	} {
		if _, err := parseBench(args, io.Discard); err == nil {
			t.Errorf("parseBench(%q) = nil error, want one", args)
		}
	}
	c, err := parseBench([]string{"--clients", "2, 8"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.cfg.Clients) != "[2 8]" || c.cfg.Scorecards != 1000 || c.cfg.RunID == "" {
		t.Errorf("parseBench(--clients 2,8) = %+v, want clients [2 8], 1000 scorecards, a run ID", c.cfg)
	}
	if err := c.cfg.Validate(); err != nil {
		t.Errorf("the default run ID %q: %v", c.cfg.RunID, err)
	}
}

// TestBenchSoak runs a short soak of every read scenario and the submit,
// at a tiny size, and reads its table: each scenario sent its share, over
// both transports, without errors.
func TestBenchSoak(t *testing.T) {
	mix := "my-interviews=2,debrief=1,list-candidates=1,rubric-revision=1,submit=1"
	out := runBench(t, "--rate", "24", "--duration", "1s", "--mix", mix)
	want := map[string]string{"my-interviews": "8", "debrief": "4", "list-candidates": "4", "rubric-revision": "4", "submit": "4"}
	for line := range strings.Lines(out.String()) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 12 || !strings.HasPrefix(strings.TrimSpace(cells[0]), "24 (") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		n, ok := want[cells[1]]
		if !ok {
			t.Errorf("a row for %q, which the mix does not have", cells[1])
			continue
		}
		delete(want, cells[1])
		// Requests and errors: gRPC's at 3 and 4, REST's at 7 and 8.
		if cells[3] != n || cells[7] != n || cells[4] != "0" || cells[8] != "0" {
			t.Errorf("%s: %s/%s requests with %s/%s errors over gRPC/REST, want %s each and none", cells[1], cells[3], cells[7], cells[4], cells[8], n)
		}
	}
	if len(want) > 0 {
		t.Errorf("no rows for %v in\n%s", want, out.String())
	}
}

func TestTokenSubject(t *testing.T) {
	// {"sub":"users/load","roles":["admin"]}
	tok := "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2Vycy9sb2FkIiwicm9sZXMiOlsiYWRtaW4iXX0.c2ln"
	if got, err := tokenSubject(tok); err != nil || got != "users/load" {
		t.Errorf("tokenSubject = %q, %v, want users/load", got, err)
	}
	if _, err := tokenSubject("not-a-jwt"); err == nil {
		t.Error("tokenSubject(not-a-jwt) = nil error, want one")
	}
}
