package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Profiles show what the process holds, feedback included: they are
// served on a loopback address only, and only when asked for.
func TestDebugAddrIsLoopbackOnly(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"", true}, {"127.0.0.1:0", true}, {"[::1]:0", true}, {"localhost:0", true},
		{"0.0.0.0:0", false}, {":0", false}, {"[::]:0", false}, {"192.0.2.1:0", false}, {"127.0.0.1", false},
	} {
		m := observability{debugAddr: tt.addr}
		lis, err := m.listenDebug()
		if (err == nil) != tt.ok {
			t.Errorf("listenDebug(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
		if tt.addr == "" && lis != nil {
			t.Errorf("listenDebug(%q) listens on %s, want nothing", tt.addr, lis.Addr())
		}
		closeListener(lis)
	}
}

func TestDebugAddrServesProfiles(t *testing.T) {
	dir, httpAddr, debugAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t), "--debug-addr", debugAddr)
	waitReady(t, httpAddr)
	resp, err := http.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "goroutine profile: total ") {
		t.Errorf("GET /debug/pprof/goroutine = %d %.60q, want the goroutine profile", resp.StatusCode, b)
	}
	api := send(t, http.MethodGet, "http://"+httpAddr+"/debug/pprof/", "", "")
	api.Body.Close()
	if api.StatusCode == http.StatusOK {
		t.Errorf("/debug/pprof/ on the API port = 200, want it only on --debug-addr")
	}
}
