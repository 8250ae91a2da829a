package mongodb

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The embedded server opens no TCP port: it listens on a socket in the
// owner-only data directory, and the URI says so.
func TestEmbeddedListensOnOwnerOnlySocketOnly(t *testing.T) {
	before := listeningTCP(t)
	dir := t.TempDir()
	conn := open(t, dir, nil)

	sock := filepath.Join(dir, socketName)
	if want := "mongodb://" + strings.ReplaceAll(sock, "/", "%2F") + "/"; conn.URI != want {
		t.Errorf("URI = %q, want the socket %q", conn.URI, want)
	}
	checkSocket(t, sock)
	if diff := cmp.Diff(before, listeningTCP(t)); diff != "" {
		t.Errorf("TCP ports this process listens on changed when the embedded server started (-before +after):\n%s", diff)
	}
}

// A data directory that others may enter is made owner-only before the
// socket appears in it.
func TestEmbeddedTightensTheDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	var logs bytes.Buffer
	open(t, dir, slog.New(slog.NewTextHandler(&logs, nil)))
	checkSocket(t, filepath.Join(dir, socketName))
	if !strings.Contains(logs.String(), "made the data directory owner-only") {
		t.Errorf("log = %q, want a line saying the directory was tightened", logs.String())
	}
}

// A data directory too deep for a socket path keeps the files, and the
// socket goes to a short owner-only directory that closing removes.
func TestEmbeddedLongDataDirFallsBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	var logs bytes.Buffer
	conn := open(t, dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "too long for a Unix socket") {
		t.Errorf("log = %q, want the fallback said", logs.String())
	}
	sock := socketFromURI(t, conn.URI)
	if filepath.Dir(sock) == dir {
		t.Fatalf("socket %s is in the long data dir", sock)
	}
	checkSocket(t, sock)
	if _, err := conn.Client.Database("d").Collection("c").InsertOne(context.Background(), map[string]string{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "d.sqlite")); err != nil {
		t.Errorf("the data stays in the data dir: %v", err)
	}
	closeConn(t, conn)
	if _, err := os.Stat(filepath.Dir(sock)); !os.IsNotExist(err) {
		t.Errorf("fallback directory after close: %v, want it removed", err)
	}
}

// A socket left by a killed process does not stop the next start; a socket
// that still answers does, with an error that says why.
func TestEmbeddedStaleAndLiveSockets(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, socketName)
	lis, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), Config{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "another process") {
		t.Errorf("Open beside a live socket = %v, want an error naming another process", err)
	}
	lis.SetUnlinkOnClose(false) // as after kill -9: the file stays
	if err := lis.Close(); err != nil {
		t.Fatal(err)
	}
	checkSocket(t, sock)
	open(t, dir, nil)
}

func TestSocketURIRoundTrips(t *testing.T) {
	for _, path := range []string{"/tmp/x/mongodb.sock", "/home/a b/+c%d/mongodb.sock"} {
		if got := socketFromURI(t, socketURI(path)); got != path {
			t.Errorf("socketURI(%q) reads back as %q", path, got)
		}
	}
	if usableSocketPath("/tmp/a:b/mongodb.sock") || usableSocketPath("/"+strings.Repeat("x", maxSocketPath)) {
		t.Error("a path with a colon, or too long, counts as usable")
	}
}

func open(t *testing.T, dir string, log *slog.Logger) *Conn {
	t.Helper()
	conn, err := Open(context.Background(), Config{DataDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeConn(t, conn) })
	return conn
}

// closeConn closes once; FerretDB does not know endSessions, so Disconnect's
// error is expected and harmless.
func closeConn(t *testing.T, conn *Conn) {
	t.Helper()
	if conn.Client == nil {
		return
	}
	if err := conn.Close(context.Background()); err != nil {
		t.Logf("close: %v", err)
	}
	conn.Client = nil
}

// checkSocket checks that path is a socket in a directory only its owner
// may enter.
func checkSocket(t *testing.T, path string) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Type() != fs.ModeSocket {
		t.Errorf("%s is %v, want a socket", path, info.Mode())
	}
	dirInfo, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := dirInfo.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket directory mode = %v, want 0700", perm)
	}
}

func socketFromURI(t *testing.T, uri string) string {
	t.Helper()
	host, ok := strings.CutPrefix(uri, "mongodb://")
	if !ok {
		t.Fatalf("URI %q is not mongodb://", uri)
	}
	host = strings.TrimSuffix(host, "/")
	path, err := url.QueryUnescape(host) // as the driver reads it
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// listeningTCP returns the local addresses of the TCP sockets in LISTEN
// state that this process holds (Linux: /proc/self/fd and /proc/net/tcp{,6}).
func listeningTCP(t *testing.T) []string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	mine := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil {
			continue // closed since the listing
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			mine[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var out []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			const listen = "0A"
			if len(fields) >= 10 && fields[3] == listen && mine[fields[9]] {
				out = append(out, fields[1])
			}
		}
		err = sc.Err()
		_ = f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
