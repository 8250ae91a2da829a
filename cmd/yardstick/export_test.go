package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// TestExportImportRoundTrip moves a dev data directory (the seed, and a
// candidate written through the API) into a second embedded store, fresh,
// as a user moves to MongoDB: export --data-dir, import --mongo-uri. Every
// collection of every service holds the same documents, byte for byte, and
// dev then serves the imported data, the services creating their indexes.
// Export refuses a data directory a running dev holds, and import a target
// that holds documents.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	grpcAddr, stopDev := runDev(t, src)
	api := dialAPI(t, src, grpcAddr)
	who := "users/bk-interviewer"
	if _, err := backupCandidate(ctx, api, api.key(who, principal.Interviewer), who, "rubrics/l3-coding/revisions/1", "bk-moved"); err != nil {
		t.Fatal(err)
	}
	api.closeAll()
	file := filepath.Join(t.TempDir(), "export.jsonl")
	err := runCommand(t, "export", "--data-dir", src, "--out", file)
	if err == nil || !strings.Contains(err.Error(), "another process serves") {
		t.Errorf("export --data-dir of a running dev = %v, want a refusal naming the running server", err)
	}
	stopDev()
	if err := runCommand(t, "export", "--data-dir", src, "--out", file); err != nil {
		t.Fatal(err)
	}

	dst := t.TempDir()
	target, err := mongodb.Open(ctx, mongodb.Config{DataDir: filepath.Join(dst, "db")})
	if err != nil {
		t.Fatal(err)
	}
	if err := runCommand(t, "import", "--in", file, "--mongo-uri", target.URI); err != nil {
		t.Fatal(err)
	}
	err = runCommand(t, "import", "--in", file, "--mongo-uri", target.URI)
	if err == nil || !strings.Contains(err.Error(), "hold no documents") {
		t.Errorf("a second import = %v, want a refusal of a target that holds documents", err)
	}
	source, err := mongodb.Open(ctx, mongodb.Config{DataDir: filepath.Join(src, "db")})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range services.All() {
		name := s.DatabaseName(services.DefaultDatabasePrefix)
		want, got := dumpDatabase(t, source.Client.Database(name)), dumpDatabase(t, target.Client.Database(name))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s after export and import (-source +imported):\n%s", name, diff)
		}
		for _, docs := range want {
			total += len(docs)
		}
	}
	if total < 100 {
		t.Errorf("compared %d documents, want the seed's hundreds", total)
	}
	for _, c := range []*mongodb.Conn{source, target} {
		if err := c.Close(ctx); err != nil {
			t.Logf("close: %v", err)
		}
	}

	grpcAddr, stopDev = runDev(t, dst)
	defer stopDev()
	api = dialAPI(t, dst, grpcAddr)
	defer api.closeAll()
	sc, err := api.fb.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: "candidates/bk-moved/interviews/i0/scorecard"}, api.key(who, principal.Interviewer))
	if err != nil || sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
		t.Errorf("GetScorecard of the moved candidate = %v, %v, want it submitted", sc.GetState(), err)
	}
}

// dumpDatabase reads every document of every collection of db, as
// canonical Extended JSON (every type and the field order count), by
// collection and _id.
func dumpDatabase(t *testing.T, db *mongo.Database) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		docs := map[string]string{}
		for cur.Next(ctx) {
			id, err := bson.MarshalExtJSON(bson.D{{Key: "_id", Value: cur.Current.Lookup("_id")}}, true, false)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				t.Fatal(err)
			}
			docs[string(id)] = string(doc)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		out[name] = docs
	}
	return out
}
