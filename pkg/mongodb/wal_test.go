package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A burst of writes while a reader holds an old snapshot grows the
// write-ahead log past what a checkpoint can copy; once the reader is done,
// the log starts over and is cut back to walSizeLimit, not kept at the
// burst's size for as long as the server runs.
func TestWriteAheadLogShrinksAfterABurst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	coll := conn.Client.Database("d").Collection("c")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "first"}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "d.sqlite")
	reader, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100_000)
	write := func(from, to int) {
		t.Helper()
		var docs []any
		for i := from; i < to; i++ {
			docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprint("d", i)}, {Key: "text", Value: big}})
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 120; i += 10 {
		write(i, i+10)
	}
	burst := walSize(t, file)
	if burst < 10<<20 {
		t.Fatalf("write-ahead log after the burst = %d bytes, want it grown past 10 MiB (the reader holds checkpoints back)", burst)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// Two more writes: the first one's checkpoint reaches the end of the
	// log, the second starts it over.
	write(200, 210)
	write(210, 220)
	if after := walSize(t, file); after > 5<<20 {
		t.Errorf("write-ahead log = %d bytes after the burst's %d, want at most about 4 MiB", after, burst)
	}
}

func walSize(t *testing.T, file string) int64 {
	t.Helper()
	info, err := os.Stat(file + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
