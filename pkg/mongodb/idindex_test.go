package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The embedded server's own query plan for a point lookup must use the index
// IndexIDs adds. If a FerretDB upgrade changes the expression it filters
// with, or stops pushing `{_id}` down to SQLite, this test fails.
func TestIndexIDsMakesPointLookupsSearchAnIndex(t *testing.T) {
	ctx := context.Background()
	conn, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	coll := conn.Client.Database("plan").Collection("things")
	// SQLite's planner scans a table of a few pages whatever its indexes:
	// give it a few hundred documents of 2 KB.
	var docs []any
	pad := strings.Repeat("x", 2000)
	for i := range 300 {
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("things/%c%d", 'a'+i%3, i)}, {Key: "pad", Value: pad}})
	}
	docs = append(docs, bson.D{{Key: "_id", Value: "things/a"}, {Key: "n", Value: 1}}, bson.D{{Key: "_id", Value: "things/b"}, {Key: "n", Value: 1}})
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if plan := explainFind(t, coll, "things/b"); !strings.Contains(plan, "SCAN") {
		t.Fatalf("plan before indexing = %s, want a SCAN (has FerretDB fixed its _id index? then IndexIDs can go)", plan)
	}

	n, err := conn.IndexIDs(ctx, "plan")
	if err != nil || n != 1 {
		t.Fatalf("IndexIDs() = %d, %v, want 1 index created", n, err)
	}
	// A pooled SQLite connection notices a schema change when it next runs a
	// statement; EXPLAIN alone does not make it look. One lookup first.
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "things/c"}}).Err(); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Fatalf("FindOne(things/c) = %v, want no documents", err)
	}
	plan := explainFind(t, coll, "things/b")
	if !strings.Contains(plan, "USING INDEX") || !strings.Contains(plan, IDIndexName) {
		t.Fatalf("plan after indexing = %s, want a SEARCH using the %s index", plan, IDIndexName)
	}
	if n, err := conn.IndexIDs(ctx, "plan"); err != nil || n != 0 {
		t.Fatalf("IndexIDs() again = %d, %v, want 0 (idempotent)", n, err)
	}
	if n, err := conn.IndexIDs(ctx, "no_such_database"); err != nil || n != 0 {
		t.Fatalf("IndexIDs(missing database) = %d, %v, want 0, nil", n, err)
	}

	// Reads, replaces and deletes by _id still see the data through FerretDB.
	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "things/b"}}, bson.D{{Key: "_id", Value: "things/b"}, {Key: "n", Value: 2}}); err != nil {
		t.Fatal(err)
	}
	var got struct{ N int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "things/b"}}).Decode(&got); err != nil || got.N != 2 {
		t.Fatalf("FindOne(things/b) = %+v, %v, want n=2", got, err)
	}
	if res, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "things/a"}}); err != nil || res.DeletedCount != 1 {
		t.Fatalf("DeleteOne(things/a) = %+v, %v, want 1 deleted", res, err)
	}
}

func explainFind(t *testing.T, coll *mongo.Collection, id string) string {
	t.Helper()
	cmd := bson.D{{Key: "explain", Value: bson.D{
		{Key: "find", Value: coll.Name()},
		{Key: "filter", Value: bson.D{{Key: "_id", Value: id}}},
	}}}
	raw, err := coll.Database().RunCommand(context.Background(), cmd).Raw()
	if err != nil {
		t.Fatal(err)
	}
	return raw.Lookup("queryPlanner").String()
}
