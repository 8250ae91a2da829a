package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// heldRequest is a POST the gateway has accepted and started to read, whose
// body the test has not sent yet: it stays in flight until the test says.
type heldRequest struct {
	conn net.Conn
	br   *bufio.Reader
	req  *http.Request
	body string
}

// holdRequest sends a create's headers with "Expect: 100-continue" and
// waits for "100 Continue", which the server sends only once a handler
// reads the body: from then on the gateway has accepted the request, and it
// cannot pass it on to the service before the body arrives.
func holdRequest(t *testing.T, httpAddr, token string, i int) *heldRequest {
	t.Helper()
	body := fmt.Sprintf(`{"title": "Drained %d"}`, i)
	conn, err := net.Dial("tcp", httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	target := fmt.Sprintf("/v1/frameworks?framework_id=drained-%d", i)
	req, err := http.NewRequest(http.MethodPost, "http://"+httpAddr+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	head := "POST " + target + " HTTP/1.1\r\n" +
		"Host: " + httpAddr + "\r\n" +
		"Authorization: Bearer " + token + "\r\n" +
		"Content-Type: application/json\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Expect: 100-continue\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	h := &heldRequest{conn: conn, br: bufio.NewReader(conn), req: req, body: body}
	resp, err := http.ReadResponse(h.br, req)
	if err != nil {
		t.Fatalf("request %d: waiting for 100 Continue: %v", i, err)
	}
	if resp.StatusCode != http.StatusContinue {
		t.Fatalf("request %d: got %d before the body was sent, want 100 Continue", i, resp.StatusCode)
	}
	return h
}

// finish sends the body and returns the final answer's status and body.
func (h *heldRequest) finish() (int, string, error) {
	if _, err := io.WriteString(h.conn, h.body); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(h.br, h.req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitRefused polls until addr refuses connections: the gateway has stopped
// accepting, so shutdown is under way.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections 10s after SIGTERM", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDevDrainsAcceptedRequestsOnSIGTERM runs the real binary, holds
// several creates in flight inside the gateway (accepted, body not yet
// sent), sends SIGTERM, waits until the gateway refuses new connections,
// and only then sends the bodies: every held request must still be served
// (the gRPC servers stop after the gateway has drained), no answer may name
// an internal address, and the process exits 0.
func TestDevDrainsAcceptedRequestsOnSIGTERM(t *testing.T) {
	bin := buildYardstick(t)
	dir, httpAddr, grpcAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	t.Cleanup(func() {
		if !exited { // the test failed early: do not leave the process behind
			_ = cmd.Process.Kill()
			<-done
		}
	})
	waitReady(t, httpAddr)
	token := adminToken(t, dir)

	const n = 16
	held := make([]*heldRequest, n)
	for i := range held {
		held[i] = holdRequest(t, httpAddr, token, i)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitRefused(t, httpAddr)

	_, grpcPort, err := net.SplitHostPort(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range held {
		code, body, err := h.finish()
		if err != nil {
			t.Errorf("request %d: no complete answer after SIGTERM: %v", i, err)
			continue
		}
		if code != http.StatusOK {
			t.Errorf("request %d = %d %s, want 200: accepted before SIGTERM, it must be served", i, code, body)
		}
		if strings.Contains(body, "127.0.0.1:") || strings.Contains(body, ":"+grpcPort) {
			t.Errorf("request %d: answer names an internal address: %s", i, body)
		}
	}

	select {
	case err := <-done:
		exited = true
		if err != nil {
			t.Errorf("yardstick dev after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("yardstick dev did not stop within 30s of SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("logs lack %q:\n%s", "shutting down", logs.String())
	}
}
