package versioned_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

func newNotes(t *testing.T, opts versioned.Options[note]) *versioned.Store[note] {
	t.Helper()
	return versioned.New[note](mongotest.Database(t), "notes", "note_changes", opts)
}

func TestApplyChecksWhatTheWriteExpects(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	if _, err := s.Apply(ctx, "notes/live", "a", versioned.Expect{Exists: versioned.MustNotExist}, set("x")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want versioned.Expect
		err  error
	}{
		{"notes/live", versioned.Expect{Exists: versioned.MustNotExist}, apierr.ErrAlreadyExists},
		{"notes/missing", versioned.Expect{Exists: versioned.MustExist}, apierr.ErrNotFound},
		{"notes/missing", versioned.Expect{ETag: "1"}, apierr.ErrNotFound},
		// Etags are opaque: stale, malformed or foreign, all the same conflict.
		{"notes/live", versioned.Expect{ETag: "2"}, apierr.ErrConflict},
		{"notes/live", versioned.Expect{ETag: "W/\"1\""}, apierr.ErrConflict},
		{"notes/live", versioned.Expect{ETag: "\xff"}, apierr.ErrConflict},
		{"notes/live", versioned.Expect{ETag: "1", Exists: versioned.MustExist}, nil},
	} {
		ran := false
		_, err := s.Apply(ctx, tt.name, "a", tt.want, func(*versioned.Doc[note]) (versioned.Edit[note], error) {
			ran = true
			return versioned.Edit[note]{Unchanged: true}, nil
		})
		if !errors.Is(err, tt.err) && !(err == nil && tt.err == nil) {
			t.Errorf("Apply(%s, %+v) = %v, want %v", tt.name, tt.want, err, tt.err)
		}
		if ran != (tt.err == nil) {
			t.Errorf("Apply(%s, %+v) ran the change function: %v, want %v", tt.name, tt.want, ran, tt.err == nil)
		}
	}
	if doc, err := s.Get(ctx, "notes/live"); err != nil || doc.Version != 1 {
		t.Errorf("Get() = %+v, %v, want version 1: refused writes change nothing", doc, err)
	}
}

func TestRequestIDReturnsTheFirstResult(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	want := versioned.Expect{Exists: versioned.MustNotExist, RequestID: "r-1"}
	first, err := s.Apply(ctx, "notes/1", "a", want, set("first"))
	if err != nil {
		t.Fatal(err)
	}
	// Someone else changes the note; the retry still gets the first result.
	if _, err := s.Apply(ctx, "notes/1", "b", versioned.Expect{}, set("second")); err != nil {
		t.Fatal(err)
	}
	again, err := s.Apply(ctx, "notes/1", "a", want, set("retried"))
	if err != nil || again.Version != first.Version || again.Data.Text != "first" {
		t.Fatalf("retry = %+v, %v, want the first result (version %d, first)", again, err, first.Version)
	}
	if changes, err := s.Changes(ctx, "notes/1", 0, 10); err != nil || len(changes) != 2 {
		t.Errorf("Changes() = %d, %v, want 2: the retry wrote nothing", len(changes), err)
	}
	// The same id from another actor is that actor's own request: it never
	// returns the first actor's result.
	if doc, err := s.Apply(ctx, "notes/1", "mallory", versioned.Expect{RequestID: "r-1"}, set("mallory's")); err != nil || doc.Data.Text != "mallory's" {
		t.Errorf("another actor's request with the same id = %+v, %v, want its own write", doc, err)
	}
}

// A client that retries before its first attempt answered races with
// itself: every attempt gets the one result.
func TestConcurrentRetriesOfOneRequest(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	const attempts = 10
	var ready, wg sync.WaitGroup
	ready.Add(attempts)
	docs := make([]*versioned.Doc[note], attempts)
	errs := make([]error, attempts)
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			ready.Wait() // all attempts start together
			docs[i], errs[i] = s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "same"}, func(*versioned.Doc[note]) (versioned.Edit[note], error) {
				return versioned.Edit[note]{Kind: "set", Data: note{Text: fmt.Sprint("attempt ", i)}}, nil
			})
		}()
	}
	wg.Wait()
	for i := range attempts {
		if errs[i] != nil || docs[i].Version != 1 || docs[i].Data.Text != docs[0].Data.Text {
			t.Errorf("attempt %d = %+v, %v, want version 1 with the winner's text %q", i, docs[i], errs[i], docs[0].Data.Text)
		}
	}
}

func TestChangesReadsHistoryByVersion(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	for i := range 7 {
		if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var got []int64
	for before := int64(0); ; {
		page, err := s.Changes(ctx, "notes/1", before, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			got = append(got, c.Version)
		}
		if len(page) < 3 {
			break
		}
		before = page[len(page)-1].Version
	}
	if fmt.Sprint(got) != "[7 6 5 4 3 2 1]" {
		t.Errorf("versions paged 3 at a time = %v, want 7 down to 1", got)
	}
	if none, err := s.Changes(ctx, "notes/never", 0, 3); err != nil || len(none) != 0 {
		t.Errorf("Changes(never existed) = %v, %v, want none", none, err)
	}
}

// A replace that lands late (its writer stalled while others moved on) puts
// back an older version; the next read finds the newer change record
// pending and rolls it forward again.
func TestLateReplaceIsHealedByTheNextRead(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	for _, text := range []string{"v1", "v2", "v3"} {
		if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set(text)); err != nil {
			t.Fatal(err)
		}
	}
	// Version 2's replace arrives now, over version 3.
	var v2 versioned.Change[note]
	if err := db.Collection("note_changes").FindOne(ctx, bson.D{{Key: "_id", Value: "notes/1#2"}}).Decode(&v2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("notes").ReplaceOne(ctx, bson.D{{Key: "_id", Value: "notes/1"}}, v2.After); err != nil {
		t.Fatal(err)
	}
	// Meanwhile List, which reads the documents as they are, shows version 2.
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 1 || docs[0].Version != 2 {
		t.Fatalf("List() after the late replace = %+v, %v, want the older version 2 until a read heals it", docs, err)
	}
	if doc, err := s.Get(ctx, "notes/1"); err != nil || doc.Version != 3 || doc.Data.Text != "v3" {
		t.Fatalf("Get() after the late replace = %+v, %v, want version 3 back", doc, err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 1 || docs[0].Version != 3 {
		t.Errorf("List() after the read = %+v, %v, want version 3", docs, err)
	}
	// And a writer goes on from version 3, not from the stale copy.
	if doc, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{ETag: "3"}, set("v4")); err != nil || doc.Version != 4 {
		t.Errorf("Apply(etag 3) = %+v, %v, want version 4", doc, err)
	}
}

func TestPurgeRemovesEverything(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	for i := range 3 {
		if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: fmt.Sprint("r", i)}, set(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Apply(ctx, "notes/2", "a", versioned.Expect{}, set("other")); err != nil {
		t.Fatal(err)
	}
	doc, err := s.Purge(ctx, "notes/1")
	if err != nil || doc.Version != 3 {
		t.Fatalf("Purge() = %+v, %v, want the purged version 3", doc, err)
	}
	for coll, want := range map[string]int64{"notes": 1, "note_changes": 1} {
		if n, err := db.Collection(coll).CountDocuments(ctx, bson.D{}); err != nil || n != want {
			t.Errorf("%s holds %d documents, %v, want %d (notes/2's document and change)", coll, n, err, want)
		}
	}
	// The name starts afresh, and the old request ids are free.
	doc, err = s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "r0"}, set("new"))
	if err != nil || doc.Version != 1 || doc.Data.Text != "new" {
		t.Errorf("Apply() after purge = %+v, %v, want a new version 1", doc, err)
	}
	if _, err := s.Purge(ctx, "notes/none"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Purge(never existed) = %v, want NotFound", err)
	}
}

func isInvalid(err error, field string) bool {
	var invalid *apierr.InvalidArgumentError
	return errors.As(err, &invalid) && len(invalid.Violations) > 0 && invalid.Violations[0].Field == field
}

// A writer that crashed after recording a create or a delete, before
// touching the document: the next reader finishes either.
func TestRollForwardOfACreateAndADelete(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	now := time.Now().UTC().Truncate(time.Millisecond)
	record := func(version int64, deleted bool, text string) {
		t.Helper()
		c := versioned.Change[note]{
			ID: fmt.Sprint("notes/1#", version), Resource: "notes/1", Version: version, Kind: "k", Actor: "a", Time: now,
			After: versioned.Doc[note]{Name: "notes/1", Version: version, Deleted: deleted, CreateTime: now, UpdateTime: now, Data: note{Text: text}},
		}
		if _, err := db.Collection("note_changes").InsertOne(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	record(1, false, "created")
	if doc, err := s.Get(ctx, "notes/1"); err != nil || doc.Version != 1 || doc.Data.Text != "created" {
		t.Fatalf("Get() after a crashed create = %+v, %v, want version 1", doc, err)
	}
	record(2, true, "created")
	if _, err := s.Get(ctx, "notes/1"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("Get() after a crashed delete = %v, want NotFound", err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 0 {
		t.Errorf("List() after the delete was rolled forward = %+v, %v, want nothing", docs, err)
	}
}

// A writer that crashed between deciding a change and applying it leaves
// a marker; the start-up sweep finishes the change, so lists agree with
// reads without anyone reading that resource first.
func TestSweepFinishesChangesLeftInFlight(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	if err := mongodb.EnsureIndexes(ctx, s.Indexes()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	inFlight := db.Collection("note_changes_in_flight")
	if n, err := markersLeft(ctx, inFlight); err != nil || n != 0 {
		t.Fatalf("markers after a completed write = %d, %v, want 0", n, err)
	}
	// The crash: the change to version 2 is recorded and marked, not applied.
	now := time.Now().UTC().Truncate(time.Millisecond)
	crashed := versioned.Change[note]{
		ID: "notes/1#2", Resource: "notes/1", Version: 2, Kind: "set", Actor: "b", Time: now,
		After: versioned.Doc[note]{Name: "notes/1", Version: 2, CreateTime: now, UpdateTime: now, Data: note{Text: "v2"}},
	}
	if _, err := db.Collection("note_changes").InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	if _, err := inFlight.InsertOne(ctx, bson.D{{Key: "_id", Value: "notes/1#2@x"}, {Key: "resource", Value: "notes/1"}, {Key: "time", Value: now}}); err != nil {
		t.Fatal(err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 1 || docs[0].Version != 1 {
		t.Fatalf("List() before the sweep = %+v, %v, want version 1", docs, err)
	}
	// Beside it, two markers of changes that are not recorded: a live
	// writer about to record version 3 (young: left to it), and a writer
	// that died before recording anything (old: cleared, nothing to do).
	for _, m := range []bson.D{
		{{Key: "_id", Value: "notes/1#3@live"}, {Key: "resource", Value: "notes/1"}, {Key: "time", Value: now}},
		{{Key: "_id", Value: "notes/1#3@dead"}, {Key: "resource", Value: "notes/1"}, {Key: "time", Value: now.Add(-time.Hour)}},
	} {
		if _, err := inFlight.InsertOne(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Sweep(ctx); err != nil || n != 2 {
		t.Fatalf("Sweep() = %d, %v, want 2 cleared (the recorded change, the dead writer's marker)", n, err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 1 || docs[0].Version != 2 || docs[0].Data.Text != "v2" {
		t.Errorf("List() after the sweep = %+v, %v, want version 2", docs, err)
	}
	var left []bson.M
	if cur, err := inFlight.Find(ctx, bson.D{}); err != nil || cur.All(ctx, &left) != nil || len(left) != 1 || left[0]["_id"] != "notes/1#3@live" {
		t.Errorf("markers after the sweep = %v, %v, want only the live writer's", left, err)
	}
	if _, err := inFlight.DeleteOne(ctx, bson.D{{Key: "_id", Value: "notes/1#3@live"}}); err != nil {
		t.Fatal(err)
	}
	// Losers of a race remove their own markers, never the winner's.
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("race"))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, apierr.ErrConflict) {
			t.Errorf("racing Apply() = %v, want nil or a conflict", err)
		}
	}
	if n, err := markersLeft(ctx, inFlight); err != nil || n != 0 {
		t.Errorf("markers after a race = %d, %v, want 0", n, err)
	}
}

// markersLeft counts the markers of changes in flight once the writes that
// returned have removed theirs: a write is acknowledged before its marker
// is removed, so this waits a little for the count to reach zero.
func markersLeft(ctx context.Context, inFlight *mongo.Collection) (int64, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := inFlight.CountDocuments(ctx, bson.D{})
		if err != nil || n == 0 || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Names may hold an "@" (users/a@b.example/interviews): the sweep still
// finds the change a marker stands for.
func TestSweepFindsChangesOfNamesWithAnAt(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	const name = "users/a@b.example/notes"
	if _, err := s.Apply(ctx, name, "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	if n, err := markersLeft(ctx, db.Collection("note_changes_in_flight")); err != nil || n != 0 {
		t.Fatalf("markers after a completed write = %d, %v, want 0", n, err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	crashed := versioned.Change[note]{
		ID: name + "#2", Resource: name, Version: 2, Kind: "set", Actor: "b", Time: now,
		After: versioned.Doc[note]{Name: name, Version: 2, CreateTime: now, UpdateTime: now, Data: note{Text: "v2"}},
	}
	if _, err := db.Collection("note_changes").InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	marker := bson.D{{Key: "_id", Value: name + "#2@x"}, {Key: "resource", Value: name}, {Key: "time", Value: now}}
	if _, err := db.Collection("note_changes_in_flight").InsertOne(ctx, marker); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep() = %d, %v, want 1 cleared", n, err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 1 || docs[0].Version != 2 {
		t.Errorf("List() after the sweep = %+v, %v, want version 2", docs, err)
	}
}

// With Forget, a superseded change's record keeps who and when but not the
// document, and still guards against lost updates; the newest keeps its
// document, which heals a late write of an older version.
func TestForgetKeepsTheGuardNotTheDocument(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{Forget: true})
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("v2")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("v3")); err != nil {
		t.Fatal(err)
	}
	raw, err := db.Collection("note_changes").FindOne(ctx, bson.D{{Key: "_id", Value: "notes/1#1"}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("after"); err == nil || strings.Contains(raw.String(), "secret") {
		t.Errorf("change record = %s, want no document in it", raw)
	}
	// A late write puts version 1 back: the next read heals it from the
	// newest record, past the forgotten version 2.
	if _, err := db.Collection("notes").ReplaceOne(ctx, bson.D{{Key: "_id", Value: "notes/1"}},
		versioned.Doc[note]{Name: "notes/1", Version: 1, Data: note{Text: "secret"}}); err != nil {
		t.Fatal(err)
	}
	if doc, err := s.Get(ctx, "notes/1"); err != nil || doc.Version != 3 || doc.Data.Text != "v3" {
		t.Errorf("Get() after a late write = %+v, %v, want version 3 healed", doc, err)
	}
	// A writer that read version 2 loses.
	if _, err := s.Apply(ctx, "notes/1", "b", versioned.Expect{ETag: "2"}, set("late")); !errors.Is(err, apierr.ErrConflict) {
		t.Errorf("Apply(stale) = %v, want a conflict", err)
	}
}

// A request ID names one write: replayed on another resource it is refused,
// unless the write lets the server choose the name (AnyName).
func TestRequestIDOfAnotherResource(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	if _, err := s.Apply(ctx, "notes/a", "u", versioned.Expect{RequestID: "r"}, set("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "notes/b", "u", versioned.Expect{RequestID: "r"}, set("b")); !isInvalid(err, "request_id") {
		t.Errorf("Apply(notes/b, the request id of notes/a) = %v, want INVALID_ARGUMENT on request_id", err)
	}
	if _, err := s.Get(ctx, "notes/b"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Get(notes/b) = %v, want nothing written", err)
	}
	doc, err := s.Apply(ctx, "notes/a-2", "u", versioned.Expect{RequestID: "r", AnyName: true}, set("a"))
	if err != nil || doc.Name != "notes/a" {
		t.Errorf("Apply(AnyName) = %+v, %v, want the first result, notes/a", doc, err)
	}
}

// Finding 1 of the store review: concurrent attempts of one create whose
// name the server picks (each attempt picks its own) made one resource
// each. The request claim makes them one.
func TestConcurrentCreatesOfOneRequestMakeOneResource(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	const attempts = 5
	var wg sync.WaitGroup
	names := make([]string, attempts)
	errs := make([]error, attempts)
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := versioned.Expect{Exists: versioned.MustNotExist, RequestID: "create-once", AnyName: true}
			doc, err := s.Apply(ctx, fmt.Sprint("notes/n", i), "a", want, set("made"))
			errs[i] = err
			if err == nil {
				names[i] = doc.Name
			}
		}()
	}
	wg.Wait()
	for i := range attempts {
		if errs[i] != nil || names[i] != names[0] {
			t.Errorf("attempt %d = %q, %v, want the first attempt's %q", i, names[i], errs[i], names[0])
		}
	}
	if n, err := db.Collection("notes").CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("notes holds %d documents, %v, want 1", n, err)
	}
}

// Only successes are replayed: an attempt that fails gives its claim back,
// and the retry runs the request.
func TestFailedAttemptReleasesItsRequest(t *testing.T) {
	ctx := context.Background()
	s := newNotes(t, versioned.Options[note]{})
	refuse := func(*versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{}, apierr.FailedPrecondition("not yet")
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "r"}, refuse); !errors.Is(err, apierr.ErrFailedPrecondition) {
		t.Fatalf("Apply(refused) = %v", err)
	}
	doc, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "r"}, set("second"))
	if err != nil || doc.Data.Text != "second" {
		t.Fatalf("retry = %+v, %v, want the request run", doc, err)
	}
	// A request that changed nothing replays as the version it saw.
	same := func(*versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{Unchanged: true}, nil
	}
	if doc, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "noop"}, same); err != nil || doc.Version != 1 {
		t.Fatalf("Apply(unchanged) = %+v, %v", doc, err)
	}
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("third")); err != nil {
		t.Fatal(err)
	}
	if doc, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "noop"}, same); err != nil || doc.Version != 1 {
		t.Errorf("replay of the unchanged request = %+v, %v, want version 1 again", doc, err)
	}
}

// A fenced resource cannot outlive its fence: whoever applies a change to
// it — its writer, or a reader rolling forward what a crashed writer
// recorded — purges it instead and answers the fence's error.
func TestFenceRemovesWhatLandsBehindIt(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	var fenced sync.Map
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{
		Fence: func(_ context.Context, c *versioned.Change[note]) error {
			if _, ok := fenced.Load(c.Resource); ok {
				return apierr.NotFound(c.Resource)
			}
			return nil
		},
	})
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{RequestID: "r1"}, set("v1")); err != nil {
		t.Fatal(err)
	}
	fenced.Store("notes/1", true)
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("late")); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Apply() behind the fence = %v, want NotFound", err)
	}
	// A writer that recorded its change before the fence and died: the
	// roll-forward purges instead of applying.
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := s.Apply(ctx, "notes/2", "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	crashed := versioned.Change[note]{
		ID: "notes/2#2", Resource: "notes/2", Version: 2, Kind: "set", Actor: "a", Time: now,
		After: versioned.Doc[note]{Name: "notes/2", Version: 2, CreateTime: now, UpdateTime: now, Data: note{Text: "secret"}},
	}
	if _, err := db.Collection("note_changes").InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	fenced.Store("notes/2", true)
	if _, err := s.Get(ctx, "notes/2"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Get() of a fenced resource = %v, want NotFound", err)
	}
	// A writer whose record lands after the purge (no document, no older
	// record: a gap below it), and which dies: the sweep finds its marker,
	// and applying the record there runs the fence.
	if _, err := s.Apply(ctx, "notes/3", "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	fenced.Store("notes/3", true)
	if _, err := s.Purge(ctx, "notes/3"); err != nil {
		t.Fatal(err)
	}
	late := crashed
	late.ID, late.Resource, late.After.Name = "notes/3#2", "notes/3", "notes/3"
	if _, err := db.Collection("note_changes").InsertOne(ctx, late); err != nil {
		t.Fatal(err)
	}
	marker := bson.D{{Key: "_id", Value: "notes/3#2@dead"}, {Key: "resource", Value: "notes/3"}, {Key: "time", Value: now}}
	if _, err := db.Collection("note_changes_in_flight").InsertOne(ctx, marker); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	for _, coll := range []string{"notes", "note_changes", "note_changes_in_flight"} {
		if n, err := db.Collection(coll).CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
			t.Errorf("%s holds %d documents, %v, want none", coll, n, err)
		}
	}
}
