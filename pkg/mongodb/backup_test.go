package mongodb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A backup taken while a writer inserts holds, in each database, every
// document acknowledged before it began and then an unbroken run of later
// ones: one consistent state of each file, nothing torn. The restore is
// served by a fresh server.
func TestBackupWhileWritingAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dbs := []string{"one", "two"}
	// One writer per database, each inserting r0, r1, … in order; acked
	// counts the inserts acknowledged so far.
	var acked [2]atomic.Int64
	stop := make(chan struct{})
	errs := make(chan error, len(dbs))
	for i, name := range dbs {
		coll := conn.Client.Database(name).Collection("c")
		go func() {
			for n := int64(0); ; n++ {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				doc := bson.D{{Key: "_id", Value: fmt.Sprint("r", n)}, {Key: "n", Value: n}, {Key: "body", Value: strings.Repeat("x", 500)}}
				if _, err := coll.InsertOne(ctx, doc); err != nil {
					errs <- err
					return
				}
				acked[i].Store(n + 1)
			}
		}()
	}
	for acked[0].Load() < 50 || acked[1].Load() < 50 {
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	before := [2]int64{acked[0].Load(), acked[1].Load()}
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	m, err := Backup(ctx, dir, []string{"two.sqlite", "one.sqlite"}, out, "test")
	if err != nil {
		t.Fatal(err)
	}
	during := [2]int64{acked[0].Load() - before[0], acked[1].Load() - before[1]}
	close(stop)
	for range dbs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("inserts acknowledged while the backup ran: %v", during)
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err)
	}
	if got := []string{m.Files[0].Name, m.Files[1].Name}; got[0] != "two.sqlite" || got[1] != "one.sqlite" {
		t.Errorf("manifest files = %v, want the order asked for", got)
	}

	restored := filepath.Join(t.TempDir(), "db")
	if _, err := Restore(out, restored); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, Config{DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	for i, name := range dbs {
		coll := again.Client.Database(name).Collection("c")
		var ns []int64
		cur, err := coll.Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			ns = append(ns, cur.Current.Lookup("n").Int64())
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, n := range ns {
			seen[n] = true
		}
		for n := range int64(len(ns)) {
			if !seen[n] {
				t.Errorf("%s: restored %d documents, but not r%d: want r0…r%d with no gap", name, len(ns), n, len(ns)-1)
				break
			}
		}
		if int64(len(ns)) < before[i] {
			t.Errorf("%s: restored %d documents, want at least the %d acknowledged before the backup", name, len(ns), before[i])
		}
	}
}

// writeTestBackup makes a backup of a store with one document.
func writeTestBackup(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Client.Database("d").Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err)
	}
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	if _, err := Backup(ctx, dir, []string{"d.sqlite"}, out, "test"); err != nil {
		t.Fatal(err)
	}
	return out
}

// A restore never mixes its files with what a directory holds.
func TestRestoreRefusesANonEmptyDirectory(t *testing.T) {
	in := writeTestBackup(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.sqlite"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(in, dir); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Restore into a non-empty directory = %v, want ErrNotEmpty", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "keep.sqlite")); err != nil || string(b) != "mine" {
		t.Errorf("the directory's file after a refused restore = %q, %v, want it untouched", b, err)
	}
}

// A file whose bytes do not match the manifest is refused, and nothing is
// written.
func TestRestoreRefusesADamagedFile(t *testing.T) {
	in := writeTestBackup(t)
	// Rewrite the archive with one byte of the database file changed, the
	// manifest as it was: only the checksum can tell.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tr, tw := tar.NewReader(zr), tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "d.sqlite" {
			b[len(b)/2] ^= 0xff
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "damaged.tar.gz")
	if err := os.WriteFile(damaged, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "db")
	_, err = Restore(damaged, dir)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("Restore of a damaged archive = %v, want a checksum mismatch", err)
	}
	if entries, err := os.ReadDir(parent); err != nil || len(entries) != 0 {
		t.Errorf("after a refused restore the parent holds %v (%v), want nothing", entries, err)
	}
}
