package mongodb

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The embedded server has no authentication: whoever can connect can read
// and write every database. On a loopback TCP port that is every user of the
// machine (and every container sharing its network). So it listens on a Unix
// socket inside a directory only its owner may enter (0700): the file system
// does the access control.

// socketName is the socket's file name; the driver treats an address ending
// in "sock" as a Unix socket.
const socketName = "mongodb.sock"

// maxSocketPath is the longest socket path that works everywhere: sun_path
// holds 108 bytes on Linux and 104 on macOS and the BSDs, NUL included.
const maxSocketPath = 103

// socketDir returns the directory to put the socket in: dataDir when the
// path fits and the driver can parse it, otherwise a fresh owner-only
// temporary directory (logged), which cleanup removes.
func socketDir(dataDir string, log *slog.Logger) (dir string, cleanup func(), err error) {
	if usableSocketPath(filepath.Join(dataDir, socketName)) {
		return dataDir, func() {}, nil
	}
	dir, err = os.MkdirTemp("", "yardstick-db-") // created 0700
	if err != nil {
		return "", nil, fmt.Errorf("create a directory for the database socket: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	if !usableSocketPath(filepath.Join(dir, socketName)) {
		cleanup()
		return "", nil, fmt.Errorf("no usable path for the database socket: %q and the temporary directory %q are too long (at most %d bytes) or hold a colon; use a shorter --data-dir or TMPDIR",
			dataDir, dir, maxSocketPath)
	}
	log.Info("the data directory's path is too long for a Unix socket: the embedded database listens in a temporary owner-only directory instead",
		"data_dir", dataDir, "socket", filepath.Join(dir, socketName))
	return dir, cleanup, nil
}

// usableSocketPath reports whether path fits in sun_path and survives the
// driver's URI parsing, which splits a host on ':' before anything else.
func usableSocketPath(path string) bool {
	return len(path) <= maxSocketPath && !strings.Contains(path, ":")
}

// socketURI is the driver's URI for a Unix socket: the path, escaped, as the
// host (the driver query-unescapes hosts, so '/' is %2F and '+' is %2B).
func socketURI(path string) string {
	return "mongodb://" + url.QueryEscape(path) + "/"
}

// ownerOnly makes dir 0700, tightening a directory created by an older
// version or by hand (and saying so): the socket in it is the database's only
// access control, and the files beside it are the data.
func ownerOnly(dir string, log *slog.Logger) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if info.Mode().Perm() == 0o700 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make the data directory owner-only (0700): %w", err)
	}
	log.Warn("made the data directory owner-only", "dir", dir, "was", info.Mode().Perm().String())
	return nil
}

// removeStaleSocket removes a socket left behind by a process that died
// without closing it (kill -9), so that listening can succeed. A socket that
// still answers belongs to a running server over the same files: that is
// an error, not something to take over.
func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return fmt.Errorf("another process serves the database at %s: one data directory serves one process", path)
	}
	return os.Remove(path)
}
