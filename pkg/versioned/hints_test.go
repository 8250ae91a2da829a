package versioned_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// A read looks for a change recorded but not applied at the same time as
// it reads the document, at the version this process saw last. The guess
// never hides a pending change: not when it is right (a crash left the
// next version recorded), and not when another replica moved the resource
// on since (the guess is wrong, and the read looks again).
func TestVersionGuessesNeverHideAPendingChange(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	mine := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	other := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{}) // another replica
	crash := func(version int64) {
		t.Helper()
		now := time.Now().UTC().Truncate(time.Millisecond)
		text := fmt.Sprintf("v%d", version)
		c := versioned.Change[note]{
			ID: fmt.Sprintf("notes/1#%d", version), Resource: "notes/1", Version: version, Kind: "set", Actor: "b", Time: now,
			After: versioned.Doc[note]{Name: "notes/1", Version: version, CreateTime: now, UpdateTime: now, Data: note{Text: text}},
		}
		if _, err := db.Collection("note_changes").InsertOne(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	want := func(step string, version int64) {
		t.Helper()
		doc, err := mine.Get(ctx, "notes/1")
		if err != nil || doc.Version != version || doc.Data.Text != fmt.Sprintf("v%d", version) {
			t.Fatalf("%s: Get() = %+v, %v, want version %d", step, doc, err, version)
		}
	}

	if _, err := mine.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	want("after its own write", 1)
	crash(2) // the guess (1) is right: version 2 is found beside the document
	want("a crash left version 2 recorded", 2)
	if _, err := other.Apply(ctx, "notes/1", "c", versioned.Expect{}, set("v3")); err != nil {
		t.Fatal(err)
	}
	want("another replica wrote version 3", 3) // the guess (2) is wrong
	if _, err := other.Apply(ctx, "notes/1", "c", versioned.Expect{}, set("v4")); err != nil {
		t.Fatal(err)
	}
	crash(5) // the guess (3) is wrong, and a change is pending after the document
	want("another replica wrote version 4, a crash left 5", 5)
	crash(6) // the guess (5) is right again
	want("a crash left version 6", 6)
}

// A caller's own check runs beside the write's first reads. Its refusal
// fails the write before anything is written, and gives the request back:
// the same request again, allowed this time, runs afresh.
func TestAlongsideRefusesBeforeAnythingIsWritten(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	refused := errors.New("not yours")
	want := versioned.Expect{RequestID: "r1", Alongside: func(context.Context) error { return refused }}
	if doc, err := s.Apply(ctx, "notes/1", "a", want, set("v1")); !errors.Is(err, refused) {
		t.Fatalf("Apply() refused alongside = %+v, %v, want the refusal", doc, err)
	}
	if doc, err := s.Find(ctx, "notes/1"); err != nil || doc != nil {
		t.Fatalf("Find() after a refused write = %+v, %v, want nothing", doc, err)
	}
	var checked string
	want.Alongside = func(context.Context) error { checked = "yes"; return nil }
	doc, err := s.Apply(ctx, "notes/1", "a", want, func(cur *versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{Kind: "set", Data: note{Text: "checked " + checked}}, nil
	})
	if err != nil || doc.Version != 1 || doc.Data.Text != "checked yes" {
		t.Fatalf("Apply() of the same request, allowed = %+v, %v, want version 1 made after the check", doc, err)
	}
}
