// Package mailpittest runs mailpit (github.com/axllent/mailpit, pinned in
// tools/go.mod) for tests that send email: a real SMTP server on a loopback
// port that keeps every message it accepts, read back through its HTTP API.
// The binary is built once per test binary; call RemoveBinary from TestMain
// when the tests end.
package mailpittest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// build builds mailpit with the tools module of the repository the test
// runs in, once.
func build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		root := filepath.Dir(strings.TrimSpace(string(out)))
		if err != nil || root == "." {
			buildErr = fmt.Errorf("find the module root: %v", err)
			return
		}
		if binDir, buildErr = os.MkdirTemp("", "mailpit-bin-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mailpit")
		cmd := exec.Command("go", "build", "-modfile="+filepath.Join(root, "tools", "go.mod"), "-o", binPath, "github.com/axllent/mailpit")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build mailpit: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// RemoveBinary deletes the binary built for the tests.
func RemoveBinary() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}

// Server is a running mailpit.
type Server struct {
	// SMTPAddr is where it accepts mail: plain SMTP, any credentials.
	SMTPAddr string
	api      string
	t        testing.TB
}

// Start runs mailpit on loopback ports until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := build(t)
	s := &Server{SMTPAddr: freeAddr(t), t: t}
	httpAddr := freeAddr(t)
	s.api = "http://" + httpAddr
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--smtp", s.SMTPAddr, "--listen", httpAddr,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--disable-version-check", "--quiet",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	// Ready once its API answers; it listens for SMTP before that.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(s.api + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v\n%s", err, logs.String())
		}
	}
}

// Address is a mailbox as mailpit shows it.
type Address struct{ Name, Address string }

// Summary is a message in mailpit's list.
type Summary struct {
	ID      string
	From    Address
	To      []Address
	Subject string
}

// Message is one message with its bodies.
type Message struct {
	Summary
	Text, HTML string
}

// Messages lists what mailpit received, newest first.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	var out struct{ Messages []Summary }
	s.get("/api/v1/messages?limit=1000", &out)
	return out.Messages
}

// Message reads one message.
func (s *Server) Message(id string) Message {
	s.t.Helper()
	var out Message
	s.get("/api/v1/message/"+id, &out)
	return out
}

func (s *Server) get(path string, into any) {
	s.t.Helper()
	resp, err := http.Get(s.api + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpit GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		s.t.Fatalf("mailpit GET %s: %v", path, err)
	}
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
