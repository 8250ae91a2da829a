package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The README's production half, run as a newcomer would paste it. Every
// block marked `<!-- tested: NAME -->` runs here, its text unchanged, but
// for what is the reader's own: the settings block's three variables
// (MONGO_URI, OIDC_ISSUER, SERVICE_TOKEN_FILE) take this test's values — a
// MongoDB-wire server (the embedded FerretDB, over its socket), an OpenID
// provider on loopback, and a token it issued — and the cron line and the
// systemd unit, which name system paths, run with those paths moved into
// the test's directory. Each command runs in bash, in a directory of its
// own; `go run ./cmd/yardstick` is the binary built once (a `go` on PATH
// that runs it), so that the test does not link it again per command.
// Servers (dev, serve, gateway) run until the block's checks are done, on
// the README's own ports.

// readmeBlocks are the marked blocks, in the order they run: each needs
// what the earlier ones left (a data directory, a backup, a database).
var readmeBlocks = []string{"settings", "backup", "cron", "systemd", "restore", "moving", "mongodb", "oidc", "split"}

func TestREADMEProductionBlocks(t *testing.T) {
	blocks := markedBlocks(t, filepath.Join("..", "..", "README.md"))
	if got := slices.Sorted(maps.Keys(blocks)); !slices.Equal(got, slices.Sorted(slices.Values(readmeBlocks))) {
		t.Fatalf("README marks the blocks %v; this test runs %v: run the new ones here too", got, readmeBlocks)
	}
	r := newReadmeRun(t, blocks["settings"])
	ctx := context.Background()

	// The data the backup blocks need: `dev` on its defaults, as the
	// README's first command starts it.
	dev := r.server(t, "yardstick dev")
	waitReady(t, "127.0.0.1:8080")

	r.runAll(t, blocks["backup"])
	r.mustExist(t, "yardstick-backup.tar.gz")
	day := time.Now().Format("Mon")
	r.runAll(t, r.cronCommand(t, blocks["cron"]))
	r.mustExist(t, filepath.Join("backups", "yardstick-"+day+".tar.gz"))
	if err := os.Remove(filepath.Join(r.dir, "backups", "yardstick-"+day+".tar.gz")); err != nil {
		t.Fatal(err)
	}
	r.runAll(t, r.systemdCommand(t, blocks["systemd"]))
	r.mustExist(t, filepath.Join("backups", "yardstick-"+day+".tar.gz"))
	dev.stop(t)

	// Restore, and dev on the restored directory: the demo loop is there,
	// read with a token of the restored directory's new key.
	servers := r.runAll(t, blocks["restore"])
	waitReady(t, "127.0.0.1:8080")
	r.readsDemo(t, "http://127.0.0.1:8080", tokenFor(t, filepath.Join(r.dir, ".yardstick-restored"), "users/rita", principal.Recruiter))
	stopAll(t, servers)

	// To MongoDB: export, import, and dev on it.
	servers = r.runAll(t, blocks["moving"])
	waitReady(t, "127.0.0.1:8080")
	rita := tokenFor(t, filepath.Join(r.dir, ".yardstick"), "users/rita", principal.Recruiter)
	r.readsDemo(t, "http://127.0.0.1:8080", rita)
	stopAll(t, servers)
	servers = r.runAll(t, blocks["mongodb"])
	waitReady(t, "127.0.0.1:8080")
	r.readsDemo(t, "http://127.0.0.1:8080", rita)
	stopAll(t, servers)

	// One service trusting the OpenID provider: its tokens pass, one for
	// another audience does not.
	servers = r.runAll(t, blocks["oidc"])
	ladder := ladderv1.NewLadderServiceClient(testenv.Dial(t, "127.0.0.1:9091"))
	waitServing(t, "127.0.0.1:9091")
	get := func(token string) error {
		_, err := ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/engineering"}, grpc.PerRPCCredentials(auth.Bearer(token)))
		return err
	}
	if err := get(r.issuer.token(t, "users/eve", "yardstick-api", "employee")); err != nil {
		t.Errorf("GetFramework with the provider's token: %v", err)
	}
	if err := get(r.issuer.token(t, "users/eve", "another-api", "employee")); status.Code(err) != codes.Unauthenticated {
		t.Errorf("GetFramework with a token for another audience = %v, want UNAUTHENTICATED", err)
	}
	stopAll(t, servers)

	// Split mode: three services and the gateway, each a process.
	servers = r.runAll(t, blocks["split"])
	waitReady(t, "127.0.0.1:8080")
	r.readsDemo(t, "http://127.0.0.1:8080", r.issuer.token(t, "users/rita", "yardstick-api", "recruiter"))
	if resp := getJSON(t, "http://127.0.0.1:8080/v1/rubrics", r.issuer.token(t, "users/eve", "yardstick-api", "employee")); len(resp["rubrics"].([]any)) == 0 {
		t.Error("GET /v1/rubrics through the split gateway lists no rubric")
	}
	for _, s := range servers {
		if strings.Contains(s.command, "serve feedback") && strings.Contains(s.logs.String(), "no token of its own") {
			t.Errorf("serve feedback did not take --service-token-file:\n%s", s.logs.String())
		}
	}
	stopAll(t, servers)
}

// readmeRun is where the blocks run: a directory, a PATH with yardstick
// and the `go` that runs it, and the settings' variables.
type readmeRun struct {
	dir    string
	bin    string // the yardstick binary
	env    []string
	issuer *testIssuer
}

func newReadmeRun(t *testing.T, settings string) *readmeRun {
	t.Helper()
	for _, addr := range []string{"127.0.0.1:8080", "127.0.0.1:9090", "127.0.0.1:9091", "127.0.0.1:9092", "127.0.0.1:9093"} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("the README's commands listen on %s, which is taken: %v", addr, err)
		}
		l.Close()
	}
	r := &readmeRun{dir: t.TempDir(), bin: buildYardstick(t), issuer: startIssuer(t)}
	if err := os.Mkdir(filepath.Join(r.dir, "backups"), 0o700); err != nil { // the units' /var/backups/yardstick
		t.Fatal(err)
	}
	path := t.TempDir()
	if err := os.Symlink(r.bin, filepath.Join(path, "yardstick")); err != nil {
		t.Fatal(err)
	}
	goShim := "#!/bin/sh\n" +
		"[ \"$1\" = run ] && [ \"$2\" = ./cmd/yardstick ] && shift 2 && exec yardstick \"$@\"\n" +
		"echo \"the README test runs 'go run ./cmd/yardstick' only, not: go $*\" >&2; exit 2\n"
	if err := os.WriteFile(filepath.Join(path, "go"), []byte(goShim), 0o755); err != nil {
		t.Fatal(err)
	}

	uri, stop, err := mongodb.StartEmbedded(context.Background(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	tokenFile := filepath.Join(t.TempDir(), "feedback.jwt")
	if err := os.WriteFile(tokenFile, []byte(r.issuer.token(t, "system/feedback", "yardstick-api", "employee")), 0o600); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{"MONGO_URI": uri, "OIDC_ISSUER": r.issuer.url, "SERVICE_TOKEN_FILE": tokenFile}
	// The settings block is exactly the three exports, each with a value
	// of the reader's own; the test sets its own instead.
	export := regexp.MustCompile(`^export ([A-Z_]+)=\S+\s+# .+$`)
	var names []string
	for _, line := range commands(settings) {
		m := export.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("the settings block holds %q: only `export NAME=value  # what it is` lines belong there", line)
		}
		names = append(names, m[1])
	}
	if !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(maps.Keys(ours))) {
		t.Fatalf("the settings block sets %v, the test %v", names, slices.Sorted(maps.Keys(ours)))
	}
	// LC_ALL: the backup units name files by `date +%a`, which the test
	// predicts in English.
	r.env = append(os.Environ(), "PATH="+path+string(os.PathListSeparator)+os.Getenv("PATH"), "LC_ALL=C")
	for k, v := range ours {
		r.env = append(r.env, k+"="+v)
	}
	return r
}

// readmeServer is a server a block started.
type readmeServer struct {
	command string
	cmd     *exec.Cmd
	logs    *testenv.Buffer
	done    chan error
}

// isServer says whether a command runs until stopped.
func isServer(command string) bool {
	return regexp.MustCompile(`yardstick (dev|serve|gateway)\b`).MatchString(command)
}

// runAll runs a block's commands in order: one-shot commands to the end
// (each must succeed), servers in the background; it returns the servers.
func (r *readmeRun) runAll(t *testing.T, block string) []*readmeServer {
	t.Helper()
	var servers []*readmeServer
	for _, c := range commands(block) {
		t.Logf("RUN %s", c)
		if isServer(c) {
			servers = append(servers, r.server(t, c))
			continue
		}
		cmd := exec.Command("bash", "-c", c)
		cmd.Dir, cmd.Env = r.dir, r.env
		if out, err := cmd.CombinedOutput(); err != nil {
			stopAll(t, servers)
			t.Fatalf("README command %q: %v\n%s", c, err, out)
		}
	}
	return servers
}

// server starts a command that serves until stopped, in a process group of
// its own (bash, and what it runs).
func (r *readmeRun) server(t *testing.T, command string) *readmeServer {
	t.Helper()
	s := &readmeServer{command: command, cmd: exec.Command("bash", "-c", command), logs: &testenv.Buffer{}, done: make(chan error, 1)}
	s.cmd.Dir, s.cmd.Env = r.dir, r.env
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		if t.Failed() {
			t.Logf("output of %q:\n%s", s.command, s.logs.String())
		}
	})
	return s
}

// stop ends a server with SIGTERM, as a terminal's owner would, and
// checks it stopped cleanly.
func (s *readmeServer) stop(t *testing.T) {
	t.Helper()
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("%q stopped with %v:\n%s", s.command, err, s.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%q did not stop within 30s of SIGTERM:\n%s", s.command, s.logs.String())
	}
}

func stopAll(t *testing.T, servers []*readmeServer) {
	t.Helper()
	for i := len(servers) - 1; i >= 0; i-- { // the gateway first, the ladder last
		servers[i].stop(t)
	}
}

func (r *readmeRun) mustExist(t *testing.T, path string) {
	t.Helper()
	if fi, err := os.Stat(filepath.Join(r.dir, path)); err != nil || fi.Size() == 0 {
		t.Fatalf("after the README's command, %s is missing or empty: %v", path, err)
	}
}

// readsDemo checks that the gateway at base serves the demo hiring loop
// the first `dev` seeded, and the framework it is assessed against.
func (r *readmeRun) readsDemo(t *testing.T, base, token string) {
	t.Helper()
	if c := getJSON(t, base+"/v1/candidates/demo-ada", token); c["displayName"] == nil {
		t.Errorf("GET /v1/candidates/demo-ada = %v, want the demo candidate", c)
	}
	if f := getJSON(t, base+"/v1/frameworks/engineering", token); f["title"] == nil {
		t.Errorf("GET /v1/frameworks/engineering = %v, want the sample framework", f)
	}
}

// cronCommand is the crontab line's command, as cron runs it (`\%` is a
// percent sign), with its system paths in the test's directory.
func (r *readmeRun) cronCommand(t *testing.T, block string) string {
	t.Helper()
	lines := commands(block)
	if len(lines) != 1 {
		t.Fatalf("the cron block holds %d lines, want one crontab line", len(lines))
	}
	fields := strings.Fields(lines[0])
	if len(fields) < 6 {
		t.Fatalf("%q is not a crontab line", lines[0])
	}
	command := strings.Join(fields[5:], " ")
	return r.systemPaths(strings.ReplaceAll(command, `\%`, "%"))
}

// systemdCommand is the service unit's ExecStart, as systemd runs it (`$$`
// and `%%` are a dollar and a percent sign), with its system paths in the
// test's directory.
func (r *readmeRun) systemdCommand(t *testing.T, block string) string {
	t.Helper()
	for _, line := range strings.Split(block, "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			return r.systemPaths(strings.NewReplacer("$$", "$", "%%", "%").Replace(rest))
		}
	}
	t.Fatal("the systemd block has no ExecStart=")
	return ""
}

func (r *readmeRun) systemPaths(command string) string {
	return strings.NewReplacer(
		"/usr/local/bin/yardstick", r.bin,
		"/srv/yardstick", filepath.Join(r.dir, ".yardstick"),
		"/var/backups/yardstick", filepath.Join(r.dir, "backups"),
	).Replace(command)
}

// markedBlocks reads the README's fenced blocks that follow a
// `<!-- tested: NAME` comment, by name.
func markedBlocks(t *testing.T, path string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	marked := regexp.MustCompile("(?m)^<!-- tested: ([a-z]+)[^\n]*-->\n```[a-z]*\n((?s:.*?))^```$")
	out := map[string]string{}
	for _, m := range marked.FindAllStringSubmatch(string(text), -1) {
		if _, dup := out[m[1]]; dup {
			t.Fatalf("README marks two blocks %q", m[1])
		}
		out[m[1]] = m[2]
	}
	if n := strings.Count(string(text), "<!-- tested:"); n != len(out) {
		t.Fatalf("README has %d `<!-- tested:` marks, %d of them right before a fenced block", n, len(out))
	}
	return out
}

// commands splits a shell block into its commands: continuation lines
// joined, comment lines and blank lines left out.
func commands(block string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(block, "\n") {
		if cur.Len() == 0 && (strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		cur.WriteString(line)
		out = append(out, strings.TrimSpace(cur.String()))
		cur.Reset()
	}
	return out
}

// waitServing waits for a gRPC server's health to say SERVING.
func waitServing(t *testing.T, addr string) {
	t.Helper()
	health := healthpb.NewHealthClient(testenv.Dial(t, addr))
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not serving within 30s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testIssuer is an OpenID provider as far as a resource server sees one:
// discovery and keys, and access tokens signed with its key.
type testIssuer struct {
	url string
	key *ecdsa.PrivateKey
}

func startIssuer(t *testing.T) *testIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is := &testIssuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.url, "jwks_uri": is.url + "keys",
			"id_token_signing_alg_values_supported": []string{"ES256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.url = srv.URL + "/" // with the trailing slash, as the README's
	return is
}

func (is *testIssuer) token(t *testing.T, subject, audience string, roles ...string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: is.key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(signer).Claims(map[string]any{"iss": is.url, "aud": audience, "sub": subject, "roles": roles,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}).Serialize()
	if err != nil {
		t.Fatal(fmt.Errorf("sign a token: %w", err))
	}
	return tok
}
