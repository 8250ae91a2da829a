package mongodb

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotEmpty is returned by Restore for a target directory that holds
// anything: a restore never mixes its files with others.
var ErrNotEmpty = errors.New("directory is not empty")

// CheckEmpty returns nil for a directory that is empty or does not exist.
func CheckEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s: %w (it holds %s)", dir, ErrNotEmpty, entries[0].Name())
	}
	return nil
}

// Restore checks the backup archive in and writes its database files into
// dir, the embedded server's directory, which must be empty or absent. The
// files are written to a temporary directory beside dir and renamed to it
// only once every checksum matched, so a damaged archive leaves nothing
// behind.
func Restore(in, dir string) (*Manifest, error) {
	if err := CheckEmpty(dir); err != nil {
		return nil, err
	}
	f, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a backup (gzip): %w", in, err)
	}
	tr := tar.NewReader(zr)
	m, err := readManifest(tr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(parent, ".yardstick-restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging) // gone once renamed
	if err := extract(tr, m, staging); err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	// An empty dir (checked above) is replaced by the staged one.
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.Rename(staging, dir); err != nil {
		return nil, err
	}
	return m, nil
}

func readManifest(tr *tar.Reader) (*Manifest, error) {
	h, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("not a backup: %w", err)
	}
	if h.Name != manifestName {
		return nil, fmt.Errorf("not a backup: the first entry is %q, not %s", h.Name, manifestName)
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("unreadable manifest: %w", err)
	}
	if m.Format != BackupFormat {
		return nil, fmt.Errorf("backup format %d: this yardstick reads format %d (the backup was written by yardstick %s)", m.Format, BackupFormat, m.Yardstick)
	}
	for _, f := range m.Files {
		// Names become paths: only plain database file names.
		if f.Name != filepath.Base(f.Name) || !strings.HasSuffix(f.Name, ".sqlite") || strings.HasPrefix(f.Name, ".") {
			return nil, fmt.Errorf("manifest names %q, not a database file", f.Name)
		}
	}
	return &m, nil
}

// extract writes every file of the archive that the manifest lists into
// dir, checking its size and checksum, and checks that none is missing.
func extract(tr *tar.Reader, m *Manifest, dir string) error {
	want := map[string]BackupFile{}
	for _, f := range m.Files {
		want[f.Name] = f
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("damaged archive: %w", err)
		}
		f, ok := want[h.Name]
		if !ok {
			return fmt.Errorf("damaged archive: %q is not in the manifest, or twice in the archive", h.Name)
		}
		delete(want, h.Name)
		if err := extractFile(tr, filepath.Join(dir, f.Name), f); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	for name := range want {
		return fmt.Errorf("damaged archive: %s is missing", name)
	}
	return nil
}

func extractFile(r io.Reader, path string, f BackupFile) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err != nil {
		return fmt.Errorf("damaged archive: %w", err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != f.Size || sum != f.SHA256 {
		return fmt.Errorf("checksum mismatch: %d bytes with sha256 %s, the manifest says %d bytes with sha256 %s", n, sum, f.Size, f.SHA256)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}
