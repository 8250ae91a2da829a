package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

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

// getJSON polls url until it answers 200 (servers take a moment to start)
// and decodes the body.
func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil && resp.StatusCode == http.StatusOK {
			defer resp.Body.Close()
			var out map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			return out
		}
		if err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: no 200 within 30s (last error %v)", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
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
	t.Run("first start seeds", func(t *testing.T) {
		start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t))
		got := frameworkNames(getJSON(t, "http://"+httpAddr+"/v1/frameworks"))
		if strings.Join(got, ",") != "frameworks/engineering" {
			t.Fatalf("frameworks = %v, want the seeded frameworks/engineering", got)
		}
		latest := getJSON(t, "http://"+httpAddr+"/v1/frameworks/engineering@latest")
		if latest["name"] != "frameworks/engineering@1" {
			t.Errorf("latest revision = %v, want frameworks/engineering@1", latest["name"])
		}
		resp, err := http.Post("http://"+httpAddr+"/v1/frameworks?framework_id=kept", "application/json",
			strings.NewReader(`{"title":"Kept across restarts"}`))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("create = %v, %v", resp, err)
		}
		resp.Body.Close()
	})
	t.Run("restart keeps data and does not seed again", func(t *testing.T) {
		start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t))
		got := frameworkNames(getJSON(t, "http://"+httpAddr+"/v1/frameworks"))
		if strings.Join(got, ",") != "frameworks/engineering,frameworks/kept" {
			t.Fatalf("frameworks after restart = %v, want engineering and kept", got)
		}
		revs := getJSON(t, "http://"+httpAddr+"/v1/frameworks/engineering:listRevisions")
		if n := len(revs["frameworks"].([]any)); n != 1 {
			t.Errorf("engineering has %d revisions after restart, want 1", n)
		}
	})
}

func TestSplitMode(t *testing.T) {
	ladderAddr, httpAddr := freeAddr(t), freeAddr(t)
	start(t, "serve", "ladder", "--grpc-addr", ladderAddr, "--mongo-uri", mongotest.URI(t))
	start(t, "gateway", "--http-addr", httpAddr, "--ladder-addr", ladderAddr)

	getJSON(t, "http://"+httpAddr+"/v1/frameworks") // waits for both servers
	resp, err := http.Post("http://"+httpAddr+"/v1/frameworks?framework_id=split", "application/json",
		strings.NewReader(`{"title":"Split"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create through the split gateway = %d, want 200", resp.StatusCode)
	}
	resp, err = http.Get("http://" + httpAddr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz = %v, %v, want 200", resp, err)
	}
	resp.Body.Close()
}

func TestParseRefusesBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"serve"}, {"serve", "payroll"}, {"gateway"}, {"dev", "--no-such-flag"},
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
