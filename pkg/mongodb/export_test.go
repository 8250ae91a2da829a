package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Every BSON type the services store comes back as it was, and an import
// refuses a target that holds documents.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close(ctx)
	docs := []bson.D{
		{{Key: "_id", Value: "frameworks/a"}, {Key: "version", Value: int64(3)}, {Key: "n", Value: int32(7)}, {Key: "x", Value: 1.5},
			{Key: "when", Value: bson.DateTime(1767225600123)}, {Key: "tags", Value: bson.A{"a", "<b>&", int32(1)}},
			{Key: "data", Value: bson.D{{Key: "title", Value: "Ünïcode \"quoted\"\nline"}, {Key: "empty", Value: bson.D{}}, {Key: "null", Value: nil}}},
			{Key: "bin", Value: bson.Binary{Data: []byte{0, 1, 2}}}, {Key: "ok", Value: true}},
		{{Key: "_id", Value: "frameworks/a#1"}, {Key: "big", Value: int64(1) << 53}},
	}
	for _, d := range docs {
		if _, err := src.Client.Database("x_one").Collection("things").InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.Client.Database("x_two").CreateCollection(ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "export.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	totals, err := Export(ctx, src.Client, []string{"x_one", "x_two"}, f, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if totals != (ExportTotals{Collections: 2, Documents: 2}) {
		t.Errorf("Export totals = %+v, want 2 collections, 2 documents", totals)
	}

	dst, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close(ctx)
	if _, err := Import(ctx, dst.Client, file); err != nil {
		t.Fatal(err)
	}
	for _, want := range docs {
		var got bson.Raw
		if err := dst.Client.Database("x_one").Collection("things").FindOne(ctx, bson.D{{Key: "_id", Value: want[0].Value}}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		wantRaw, err := bson.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantRaw) {
			t.Errorf("imported %v = %v, want %v", want[0].Value, got, bson.Raw(wantRaw))
		}
	}
	names, err := dst.Client.Database("x_two").ListCollectionNames(ctx, bson.D{})
	if err != nil || len(names) != 1 || names[0] != "empty" {
		t.Errorf("x_two's collections after the import = %v, %v, want [empty]", names, err)
	}
	if _, err := Import(ctx, dst.Client, file); !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("a second Import = %v, want ErrTargetNotEmpty", err)
	}
}

// A truncated export writes nothing.
func TestImportRefusesATruncatedFile(t *testing.T) {
	ctx := context.Background()
	src, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close(ctx)
	coll := src.Client.Database("x_one").Collection("c")
	for i := range 3 {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := Export(ctx, src.Client, []string{"x_one"}, &buf, "test"); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	file := filepath.Join(t.TempDir(), "cut.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines[:len(lines)-3], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	dst, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close(ctx)
	if _, err := Import(ctx, dst.Client, file); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("Import of a truncated file = %v, want an error saying so", err)
	}
	err = dst.Client.Database("x_one").Collection("c").FindOne(ctx, bson.D{}).Err()
	if !errors.Is(err, mongo.ErrNoDocuments) {
		t.Errorf("after a refused import the target holds a document (%v), want none", err)
	}
}
