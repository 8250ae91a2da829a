package mongodb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB keeps a SQLite connection open for good for each query that ran
// at once, so the embedded store's pool bounds them: many callers at once
// leave no more SQLite connections than the pool has.
func TestManyCallersLeaveFewSQLiteConnections(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	coll := conn.Client.Database("d").Collection("c")
	for i := range 50 {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "n", Value: i}}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				// A filter on another field than _id: FerretDB reads the
				// whole table, so the queries overlap.
				if err := coll.FindOne(ctx, bson.D{{Key: "n", Value: 49}}).Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := sqliteFiles(t, dir); n > embeddedPoolSize {
		t.Errorf("%d SQLite connections open after 64 callers at once, want at most %d", n, embeddedPoolSize)
	}
}

// sqliteFiles counts this process's open files that are database files of dir.
func sqliteFiles(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir) && strings.HasSuffix(target, ".sqlite") {
			n++
		}
	}
	return n
}
