package mongodb

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The embedded server's log keeps warnings but never a wire message, which
// may hold documents (feedback text, names).
func TestEmbeddedServerLogsNoWireMessages(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(levelFilter{Handler: slog.NewTextHandler(&out, nil), min: slog.LevelWarn})
	log.Info("connection accepted")
	log.Warn("Response message:\n{\"Document\": {\"evidence\": \"secret\"}}")
	log.Warn("Request header: length: 121")
	log.Warn("disk almost full")
	got := out.String()
	if strings.Contains(got, "secret") || strings.Contains(got, "Request header") || strings.Contains(got, "connection accepted") {
		t.Errorf("log = %q, want neither wire messages nor info lines", got)
	}
	if !strings.Contains(got, "disk almost full") {
		t.Errorf("log = %q, want the plain warning kept", got)
	}
}

func TestOpenEmbeddedKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Client.Database("d").Collection("c").InsertOne(ctx, map[string]string{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err) // FerretDB does not know endSessions; harmless
	}
	again, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	n, err := again.Client.Database("d").Collection("c").CountDocuments(ctx, map[string]string{})
	if err != nil || n != 1 {
		t.Errorf("documents after reopening = %d, %v; want 1", n, err)
	}
}

// What is deleted is gone from the files too, not only from the answers:
// erasure (GDPR art. 17) depends on it. Without secure_delete, SQLite keeps
// deleted rows, and the old copies of replaced ones, in free space. Here
// half the documents are edited three times and then deleted while their
// neighbours on the same pages live on, as an erased candidate's
// scorecards are.
func TestDeletedContentLeavesTheFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	coll := conn.Client.Database("d").Collection("c")
	erased := func(i, version int) string { return fmt.Sprintf("Zelda-%03d-v%d ", i, version) }
	text := func(i, version int) string {
		if i%2 == 1 {
			return strings.Repeat(erased(i, version), 10+version*7)
		}
		return strings.Repeat(fmt.Sprintf("kept-%03d ", i), 10+version*9)
	}
	for i := range 200 {
		if _, err := coll.InsertOne(ctx, map[string]any{"_id": fmt.Sprint("x", i), "text": text(i, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.IndexIDs(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	for version := 1; version <= 3; version++ {
		for i := range 200 {
			if _, err := coll.ReplaceOne(ctx, map[string]string{"_id": fmt.Sprint("x", i)}, map[string]string{"text": text(i, version)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 1; i < 200; i += 2 {
		if _, err := coll.DeleteOne(ctx, map[string]string{"_id": fmt.Sprint("x", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte("Zelda-")); n > 0 {
			t.Errorf("%s holds %d pieces of deleted content", filepath.Base(path), n)
		}
		if n := bytes.Count(b, []byte("kept-198 ")); n == 0 && filepath.Ext(path) == ".sqlite" {
			t.Errorf("%s lost content that was not deleted", filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every start declares the same indexes again: creating them is a no-op,
// also with several on one collection.
func TestEnsureIndexesTwice(t *testing.T) {
	ctx := context.Background()
	conn, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	coll := conn.Client.Database("d").Collection("c")
	models := []mongo.IndexModel{
		{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "_id", Value: 1}}},
		{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "data.role", Value: 1}, {Key: "_id", Value: 1}}},
	}
	for i := range 2 {
		if err := EnsureIndexes(ctx, map[*mongo.Collection][]mongo.IndexModel{coll: models}); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	if err := conn.Client.Ping(ctx, nil); err != nil {
		t.Errorf("the connection after declaring the indexes twice: %v", err)
	}
}
