package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The real binary, built once per test run (see buildYardstick).
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// buildYardstick builds the real binary, once, into a directory that
// removeBinary deletes when the tests end.
func buildYardstick(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "yardstick-bin-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "yardstick")
		// Static, as the image's (internal/image's test builds the same way):
		// the two builds share Go's cache.
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func removeBinary() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}

// TestDevProcessStopsOnSIGTERM builds the real binary, runs `yardstick dev`
// as its own process (as the README's command does), and stops it with
// SIGTERM: it must finish in-flight work and exit 0, logging where it served.
func TestDevProcessStopsOnSIGTERM(t *testing.T) {
	bin := buildYardstick(t)
	httpAddr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "dev", "--data-dir", t.TempDir(), "--http-addr", httpAddr, "--grpc-addr", freeAddr(t))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, httpAddr)

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("yardstick dev after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("yardstick dev did not stop within 20s of SIGTERM\n%s", logs.String())
	}
	for _, want := range []string{"yardstick is ready", "http://" + httpAddr + "/v1/frameworks", "shutting down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}
