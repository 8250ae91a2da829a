package versioned_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// kinded makes an edit of a kind.
func kinded(kind, text string) func(*versioned.Doc[note]) (versioned.Edit[note], error) {
	return func(*versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{Kind: kind, Data: note{Text: text}}, nil
	}
}

// draftsSuperseded is the scorecards' rule: a draft save is superseded by
// the next save and by the submit; a submit and an amendment are kept.
func draftsSuperseded(prev, next string) bool {
	return prev == "save" && (next == "save" || next == "submit")
}

// hasDocument reports whether a change record still holds its document.
func hasDocument(t *testing.T, changes *mongo.Collection, id string) bool {
	t.Helper()
	raw, err := changes.FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		t.Fatalf("change record %s: %v", id, err)
	}
	_, err = raw.LookupErr("after")
	return err == nil
}

// With Supersedes, a record drops its document once a change that
// supersedes it is applied, and keeps who, when and what kind; the others,
// and the newest, keep theirs.
func TestSupersededRecordsDropTheirDocument(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{Supersedes: draftsSuperseded})
	for _, e := range []struct{ kind, text string }{{"save", "d1"}, {"save", "d2"}, {"save", "d3"}, {"submit", "d3"}, {"amend", "a1"}, {"amend", "a2"}} {
		if _, err := s.Apply(ctx, "notes/1", "users/ann", versioned.Expect{}, kinded(e.kind, e.text)); err != nil {
			t.Fatal(err)
		}
	}
	changes := db.Collection("note_changes")
	for v, want := range map[string]bool{"notes/1#1": false, "notes/1#2": false, "notes/1#3": false, "notes/1#4": true, "notes/1#5": true, "notes/1#6": true} {
		if got := hasDocument(t, changes, v); got != want {
			t.Errorf("record %s holds its document: %v, want %v", v, got, want)
		}
	}
	history, err := s.History(ctx, "notes/1", 0, 10)
	if err != nil || len(history) != 6 {
		t.Fatalf("History() = %d records, %v, want 6", len(history), err)
	}
	for _, c := range history {
		if c.Actor != "users/ann" || c.Time.IsZero() || c.Kind == "" {
			t.Errorf("record %s = actor %q, time %v, kind %q: want who, when and what kind kept", c.ID, c.Actor, c.Time, c.Kind)
		}
	}
	if submit := history[2]; submit.Kind != "submit" || submit.After.Data.Text != "d3" {
		t.Errorf("the submit's record = %+v, want its document kept", submit)
	}
	// A save is never superseded by the newest change alone: the newest
	// record keeps its document.
	if _, err := s.Apply(ctx, "notes/2", "users/ann", versioned.Expect{}, kinded("save", "only")); err != nil {
		t.Fatal(err)
	}
	if !hasDocument(t, changes, "notes/2#1") {
		t.Error("the newest record lost its document")
	}
}

// A record that holds a request's result keeps its document, superseded or
// not: a retry of the request returns it.
func TestSupersededRequestKeepsItsResult(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{Supersedes: func(prev, next string) bool { return true }})
	want := versioned.Expect{RequestID: "r-1"}
	first, err := s.Apply(ctx, "notes/1", "a", want, kinded("save", "first"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, kinded("save", "second")); err != nil {
		t.Fatal(err)
	}
	again, err := s.Apply(ctx, "notes/1", "a", want, kinded("save", "retried"))
	if err != nil || again.Version != first.Version || again.Data.Text != "first" {
		t.Errorf("retry = %+v, %v, want the first result (version %d, first)", again, err, first.Version)
	}
}

// Superseded records still guard against lost updates, and a late write
// of a version whose record dropped its document is healed from the newest.
func TestSupersededRecordsStillGuardAndHeal(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{Supersedes: draftsSuperseded})
	for _, text := range []string{"d1", "d2", "d3"} {
		if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, kinded("save", text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Collection("notes").ReplaceOne(ctx, bson.D{{Key: "_id", Value: "notes/1"}},
		versioned.Doc[note]{Name: "notes/1", Version: 1, Data: note{Text: "d1"}}); err != nil {
		t.Fatal(err)
	}
	if doc, err := s.Get(ctx, "notes/1"); err != nil || doc.Version != 3 || doc.Data.Text != "d3" {
		t.Errorf("Get() after a late write = %+v, %v, want version 3 healed", doc, err)
	}
	if _, err := s.Apply(ctx, "notes/1", "b", versioned.Expect{ETag: "2"}, kinded("save", "late")); !errors.Is(err, apierr.ErrConflict) {
		t.Errorf("Apply(stale etag) = %v, want a conflict", err)
	}
	if doc, err := s.Apply(ctx, "notes/1", "b", versioned.Expect{ETag: "3"}, kinded("submit", "d3")); err != nil || doc.Version != 4 {
		t.Errorf("Apply(etag 3) = %+v, %v, want version 4", doc, err)
	}
}

// BenchmarkSupersedes measures what dropping superseded documents adds to a
// change: reading the record before it and dropping its document, two
// point operations by _id. Saves of one resource alternate between a store
// without Supersedes and one with it.
//
//	go test -run '^$' -bench Supersedes -benchtime 200x ./pkg/versioned/
func BenchmarkSupersedes(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Database(b)
	plain := versioned.New[note](db, "plain", "plain_changes", versioned.Options[note]{})
	superseding := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{Supersedes: draftsSuperseded})
	for _, s := range []*versioned.Store[note]{plain, superseding} {
		if err := mongodb.EnsureIndexes(ctx, s.Indexes()); err != nil {
			b.Fatal(err)
		}
	}
	mongotest.IndexIDs(b, db)
	var tp, ts time.Duration
	for i := range b.N {
		text := strings.Repeat(fmt.Sprint("save ", i, " "), 150)
		for _, run := range []struct {
			s *versioned.Store[note]
			d *time.Duration
		}{{plain, &tp}, {superseding, &ts}} {
			t0 := time.Now()
			if _, err := run.s.Apply(ctx, "notes/1", "a", versioned.Expect{}, kinded("save", text)); err != nil {
				b.Fatal(err)
			}
			*run.d += time.Since(t0)
		}
	}
	b.ReportMetric(float64(tp.Microseconds())/float64(b.N), "plain-µs/op")
	b.ReportMetric(float64(ts.Microseconds())/float64(b.N), "supersedes-µs/op")
}
