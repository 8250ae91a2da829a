package mongodb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A clean stop leaves the database files alone: no write-ahead log, nothing
// of it lost. A file that is mostly slack — rows shrunk in place, as change
// records that drop their documents are — is rebuilt to what it holds.
func TestStopEmptiesTheLogAndRebuildsSlack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	coll := conn.Client.Database("d").Collection("c")
	const n = 400
	for i := range n {
		doc := bson.D{{Key: "_id", Value: fmt.Sprint("r", i)}, {Key: "kind", Value: "save"}, {Key: "after", Value: strings.Repeat("content ", 400)}}
		if _, err := coll.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.IndexIDs(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	// Every record but the last drops its document, as superseded ones do.
	for i := range n - 1 {
		update := bson.D{{Key: "$unset", Value: bson.D{{Key: "after", Value: ""}}}}
		if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("r", i)}}, update); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "d.sqlite")
	before := onDisk(file)
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err) // FerretDB does not know endSessions; harmless
	}
	for _, f := range []string{file + "-wal", file + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is left after a clean stop", filepath.Base(f))
		}
	}
	after := onDisk(file)
	if after > before/3 {
		t.Errorf("d.sqlite takes %d bytes after the stop, %d before: want the slack rebuilt away", after, before)
	}

	again, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	coll = again.Client.Database("d").Collection("c")
	if count, err := coll.CountDocuments(ctx, bson.D{}); err != nil || count != n {
		t.Errorf("documents after the rebuild = %d, %v, want %d", count, err, n)
	}
	var last bson.M
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("r", n-1)}}).Decode(&last); err != nil || last["after"] == nil {
		t.Errorf("the last record after the rebuild = %v, %v, want its document", last, err)
	}
}

// A file with little slack is not rebuilt, and one that has not grown by a
// third since it was last found compact is not even measured.
func TestCompactRebuildsOnlyWhatIsWorthIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	uri, stop, err := StartEmbedded(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := Connect(ctx, uri)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	coll := client.Database("d").Collection("c")
	for i := range 300 {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("r", i)}, {Key: "text", Value: strings.Repeat("kept ", 300)}}); err != nil {
			t.Fatal(err)
		}
	}
	_ = client.Disconnect(ctx)
	stop() // the first stop measures the file, and finds it compact

	done, err := compactFiles(ctx, dir, 1)
	if err != nil || len(done) != 1 {
		t.Fatalf("compactFiles() = %+v, %v, want one file", done, err)
	}
	if c := done[0]; c.measured || c.rebuilt {
		t.Errorf("compaction of a file as compact as last time = %+v, want it neither measured nor rebuilt", c)
	}
	if err := os.Remove(filepath.Join(dir, compactedSizes)); err != nil {
		t.Fatal(err)
	}
	done, err = compactFiles(ctx, dir, 1)
	if err != nil || len(done) != 1 {
		t.Fatalf("compactFiles() = %+v, %v, want one file", done, err)
	}
	if c := done[0]; !c.measured || c.rebuilt {
		t.Errorf("compaction of a compact file not seen before = %+v, want it measured, not rebuilt", c)
	}
}
