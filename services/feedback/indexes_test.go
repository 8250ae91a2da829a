package feedback_test

import (
	"context"
	"slices"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// Every filter the feedback service runs has its index, so that a real
// MongoDB never scans a collection to answer it: read back what start-up
// declared (on the embedded store too, which keeps the declarations).
func TestStartUpDeclaresAnIndexForEveryFilter(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	if err := feedback.NewStore(db).Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := feedback.NewStore(db).Init(ctx); err != nil { // idempotent
		t.Fatalf("a second start-up: %v", err)
	}
	for coll, want := range map[string][]string{
		"candidates":                   {`deleted:1,_id:1`},                               // (pages read by _id: memberships)
		"scorecards":                   {`deleted:1,_id:1`, `deleted:1,data.submitted:1`}, // the calibration's scan
		"memberships":                  {`deleted:1,_id:1`},                               // (read by _id only)
		"candidate_changes_in_flight":  {`resource:1`},                                    // Purge's markers
		"scorecard_changes_in_flight":  {`resource:1`},                                    //
		"membership_changes_in_flight": {`resource:1`},                                    //
		"reminder_claims":              {`time:1`},                                        // the reminders' prune
	} {
		got := mongotest.IndexKeys(t, db.Collection(coll))
		for _, key := range want {
			if !slices.Contains(got, key) {
				t.Errorf("%s has indexes %v, want %s among them", coll, got, key)
			}
		}
	}
}
