package ladder_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// After a crash between recording a change and applying it, the next
// start-up finishes the change: List shows it without anyone reading the
// framework first.
func TestStartUpFinishesChangesACrashLeft(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	f := create(t, l.Client, "eng")
	db := mongotest.Client(t).Database(l.DatabasePrefix + "ladder")

	// The crash: an update to version 2 was decided (its change record and
	// in-flight marker written), and the process died before the replace.
	var v1 bson.M
	asMaps := options.Collection().SetBSONOptions(&options.BSONOptions{DefaultDocumentM: true})
	if err := db.Collection("framework_changes", asMaps).FindOne(ctx, bson.D{{Key: "_id", Value: "frameworks/eng#1"}}).Decode(&v1); err != nil {
		t.Fatal(err)
	}
	after := v1["after"].(bson.M)
	after["version"] = int64(2)
	after["data"].(bson.M)["content"].(bson.M)["title"] = "Decided before the crash"
	now := time.Now().UTC()
	change := bson.D{{Key: "_id", Value: "frameworks/eng#2"}, {Key: "resource", Value: "frameworks/eng"}, {Key: "version", Value: int64(2)},
		{Key: "kind", Value: "update"}, {Key: "actor", Value: testenv.AdminSubject}, {Key: "time", Value: now}, {Key: "fields", Value: bson.A{"title"}},
		{Key: "after", Value: after}}
	if _, err := db.Collection("framework_changes").InsertOne(ctx, change); err != nil {
		t.Fatal(err)
	}
	marker := bson.D{{Key: "_id", Value: "frameworks/eng#2@crash"}, {Key: "resource", Value: "frameworks/eng"}, {Key: "time", Value: now}}
	if _, err := db.Collection("framework_changes_in_flight").InsertOne(ctx, marker); err != nil {
		t.Fatal(err)
	}
	if got := listedTitle(t, l.Client); got != f.GetTitle() {
		t.Fatalf("listed title before the restart = %q, want the old %q", got, f.GetTitle())
	}

	// The restart: start-up initialises the store again.
	if err := ladder.NewStore(db).Init(ctx); err != nil {
		t.Fatal(err)
	}
	if got := listedTitle(t, l.Client); got != "Decided before the crash" {
		t.Errorf("listed title after the restart = %q, want the decided change", got)
	}
}

func listedTitle(t *testing.T, c ladderv1.LadderServiceClient) string {
	t.Helper()
	list, err := c.ListFrameworks(context.Background(), &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 {
		t.Fatalf("ListFrameworks() = %v, %v, want one framework", list, err)
	}
	return list.GetFrameworks()[0].GetTitle()
}
