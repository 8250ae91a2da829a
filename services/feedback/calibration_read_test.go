package feedback

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

// A report reads its scorecards one by one, or in one scan when it covers
// every role (an interviewer's standing): both ways find the same submitted scorecards, and neither a draft,
// a deleted scorecard nor one it did not ask for.
func TestScorecardsReadByIDOrByScanAgree(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	store := NewStore(db)
	if err := store.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fillPanels(ctx, db, 6); err != nil { // 30 submitted scorecards
		t.Fatal(err)
	}
	draft, deleted := scorecardName("candidates/c000001", "i0"), scorecardName("candidates/c000002", "i1")
	for name, set := range map[string]bson.D{draft: {{Key: "data.submitted", Value: false}}, deleted: {{Key: "deleted", Value: true}}} {
		if _, err := db.Collection("scorecards").UpdateOne(ctx, bson.D{{Key: "_id", Value: name}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string // every scorecard of candidates 0..4: not candidate 5's
	for c := range 5 {
		for i := range 5 {
			names = append(names, scorecardName(fmt.Sprintf("candidates/c%06d", c), fmt.Sprint("i", i)))
		}
	}
	names = append(names, scorecardName("candidates/nobody", "i0"))
	s := New(store, nil, Options{})
	byID, err := s.submittedScorecards(ctx, names, false)
	if err != nil {
		t.Fatal(err)
	}
	byScan, err := s.submittedScorecards(ctx, names, true)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(byID))
	if len(got) != 23 || slices.Contains(got, draft) || slices.Contains(got, deleted) {
		t.Errorf("read by _id: %d scorecards %v, want the 23 submitted ones asked for", len(got), got)
	}
	if scanned := slices.Sorted(maps.Keys(byScan)); !slices.Equal(scanned, got) {
		t.Errorf("read in a scan: %v\nby _id: %v", scanned, got)
	}
	for name, sc := range byID {
		if byScan[name] == nil || byScan[name].Interviewer != sc.Interviewer || len(byScan[name].Ratings) != len(sc.Ratings) {
			t.Errorf("%s differs between the two reads", name)
		}
	}
}
