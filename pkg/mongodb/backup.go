package mongodb

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// A backup of the embedded server is one gzipped tar: manifest.json first,
// then one snapshot per database file, each named as in the data
// directory. The manifest comes first so that a restore knows what to
// expect, and checks it, before it writes anything.

// BackupFormat is the version of the archive layout: a restore refuses a
// newer one rather than guess.
const BackupFormat = 1

// manifestName is the archive's first entry.
const manifestName = "manifest.json"

// Manifest describes a backup.
type Manifest struct {
	Format    int    `json:"format"`
	Yardstick string `json:"yardstick"` // version of the binary that wrote it
	// Time is when the first snapshot began: everything acknowledged
	// before it is in the backup.
	Time  time.Time    `json:"time"`
	Files []BackupFile `json:"files"` // in the order they were snapshotted
}

// BackupFile is one database file of a backup.
type BackupFile struct {
	Name   string    `json:"name"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
	Taken  time.Time `json:"taken"` // when its snapshot began
}

// DatabaseFiles lists the names of the database files in dir, the
// embedded server's directory, sorted.
func DatabaseFiles(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names, nil
}

// Backup snapshots the named database files of dir, in that order, and
// writes them with a manifest to the archive out, replacing it only once
// the new one is complete. The server may be running and writing: each
// snapshot is SQLite's VACUUM INTO through a connection of our own, which
// reads one consistent state of the file (a read transaction on the
// write-ahead log) while FerretDB's connections go on writing. The
// snapshots of different files are taken one after another, so each is
// consistent in itself but they are not of one instant.
func Backup(ctx context.Context, dir string, files []string, out, version string) (*Manifest, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no database files in %s", dir)
	}
	// Snapshots are staged beside the archive: the same file system, so
	// the space they need is where the user chose to put the backup.
	staging, err := os.MkdirTemp(filepath.Dir(out), ".yardstick-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(staging)
	m := &Manifest{Format: BackupFormat, Yardstick: version, Time: time.Now().UTC()}
	for _, name := range files {
		f := BackupFile{Name: name, Taken: time.Now().UTC()}
		snap := filepath.Join(staging, name)
		if err := snapshot(ctx, filepath.Join(dir, name), snap); err != nil {
			return nil, fmt.Errorf("backup %s: %w", name, err)
		}
		if f.Size, f.SHA256, err = hashFile(snap); err != nil {
			return nil, fmt.Errorf("backup %s: %w", name, err)
		}
		m.Files = append(m.Files, f)
	}
	if err := writeArchive(m, staging, out); err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", out, err)
	}
	return m, nil
}

// snapshot writes a consistent copy of the database file src to dst.
func snapshot(ctx context.Context, src, dst string) error {
	// mode=rw, never create: a file that vanished is an error, not an empty
	// database. FerretDB's own pragmas, so that this connection waits for
	// its writers politely rather than failing busy.
	q := url.Values{"mode": {"rw"}, "_pragma": {"busy_timeout(10000)", "journal_mode(wal)"}}
	db, err := sql.Open("sqlite", "file:"+src+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	// VACUUM INTO runs in one read transaction: the copy is the file as of
	// its start, whatever is written meanwhile, and it is compact (no free
	// pages, so nothing an erasure freed either).
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

func hashFile(path string) (size int64, sum string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	if size, err = io.Copy(h, f); err != nil {
		return 0, "", err
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// writeArchive writes the manifest and the staged files as a gzipped tar
// to a temporary file beside out, then renames it over out: a backup that
// fails half-way (a full disk, a signal) never replaces a good one.
func writeArchive(m *Manifest, staging, out string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-") // 0600: it holds every record
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	zw := gzip.NewWriter(tmp)
	tw := tar.NewWriter(zw)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: m.Time}); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := addFile(tw, filepath.Join(staging, f.Name), f); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

func addFile(tw *tar.Writer, path string, f BackupFile) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o600, Size: f.Size, ModTime: f.Taken}); err != nil {
		return err
	}
	_, err = io.Copy(tw, src)
	return err
}
