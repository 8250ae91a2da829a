package versioned_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

type note struct {
	Text string `bson:"text"`
}

func set(text string) func(*versioned.Doc[note]) (versioned.Edit[note], error) {
	return func(*versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{Kind: "set", Data: note{Text: text}}, nil
	}
}

func TestApplyRecordsEveryChange(t *testing.T) {
	ctx := context.Background()
	s := versioned.New[note](mongotest.Database(t), "notes", "note_changes", versioned.Options[note]{})
	for _, text := range []string{"a", "b", "c"} {
		if _, err := s.Apply(ctx, "notes/1", "users/alice", versioned.Expect{}, set(text)); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := s.Get(ctx, "notes/1")
	if err != nil || doc.Version != 3 || doc.Data.Text != "c" {
		t.Fatalf("Get() = %+v, %v, want version 3 with text c", doc, err)
	}
	changes, err := s.Changes(ctx, "notes/1", 0, 10)
	if err != nil || len(changes) != 3 || changes[0].Version != 3 || changes[0].Actor != "users/alice" {
		t.Fatalf("Changes() = %+v, %v, want 3 changes by users/alice, newest first", changes, err)
	}
	older, err := s.Changes(ctx, "notes/1", 3, 10)
	if err != nil || len(older) != 2 || older[0].Version != 2 {
		t.Fatalf("Changes(before 3) = %+v, %v, want versions 2 and 1", older, err)
	}
}

func TestConcurrentWritersOfOneVersion(t *testing.T) {
	ctx := context.Background()
	s := versioned.New[note](mongotest.Database(t), "notes", "note_changes", versioned.Options[note]{})
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("start")); err != nil {
		t.Fatal(err)
	}
	// Every writer has read version 1 before any of them writes: a barrier
	// inside the change function lines them up.
	const writers = 20
	var read, wg sync.WaitGroup
	read.Add(writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Apply(ctx, "notes/1", "a", versioned.Expect{}, func(cur *versioned.Doc[note]) (versioned.Edit[note], error) {
				read.Done()
				read.Wait()
				return versioned.Edit[note]{Kind: "set", Data: note{Text: "writer"}}, nil
			})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, apierr.ErrConflict):
			t.Errorf("Apply() = %v, want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent writers of one version won, want exactly 1", won, writers)
	}
	doc, err := s.Get(ctx, "notes/1")
	if err != nil || doc.Version != 2 {
		t.Errorf("Get() after the race = %+v, %v, want version 2", doc, err)
	}
}

func TestRollForwardAfterCrash(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := versioned.New[note](db, "notes", "note_changes", versioned.Options[note]{})
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	// A writer recorded version 2 and crashed before replacing the document.
	now := time.Now().UTC().Truncate(time.Millisecond)
	crashed := versioned.Change[note]{
		ID: "notes/1#2", Resource: "notes/1", Version: 2, Kind: "set", Actor: "b", Time: now,
		After: versioned.Doc[note]{Name: "notes/1", Version: 2, CreateTime: now, UpdateTime: now, Data: note{Text: "v2"}},
	}
	if _, err := db.Collection("note_changes").InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	// A reader sees the recorded change: it finishes it.
	if doc, err := s.Get(ctx, "notes/1"); err != nil || doc.Version != 2 || doc.Data.Text != "v2" {
		t.Fatalf("Get() after the crash = %+v, %v, want the recorded version 2", doc, err)
	}
	// A writer builds on it.
	doc, err := s.Apply(ctx, "notes/1", "c", versioned.Expect{}, func(cur *versioned.Doc[note]) (versioned.Edit[note], error) {
		if cur.Data.Text != "v2" {
			t.Errorf("change function saw %q, want the rolled-forward v2", cur.Data.Text)
		}
		return versioned.Edit[note]{Kind: "set", Data: note{Text: cur.Data.Text + "+v3"}}, nil
	})
	if err != nil || doc.Version != 3 || doc.Data.Text != "v2+v3" {
		t.Fatalf("Apply() = %+v, %v, want version 3 with v2+v3", doc, err)
	}
}

func TestDeleteAndRecreate(t *testing.T) {
	ctx := context.Background()
	s := versioned.New[note](mongotest.Database(t), "notes", "note_changes", versioned.Options[note]{})
	if _, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, set("x")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, func(cur *versioned.Doc[note]) (versioned.Edit[note], error) {
		return versioned.Edit[note]{Kind: "delete", Delete: true, Data: cur.Data}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "notes/1"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Get(deleted) = %v, want ErrNotFound", err)
	}
	if docs, err := s.List(ctx, "", 10, nil); err != nil || len(docs) != 0 {
		t.Errorf("List() after delete = %d documents, %v, want 0", len(docs), err)
	}
	var sawDeleted bool
	doc, err := s.Apply(ctx, "notes/1", "a", versioned.Expect{}, func(cur *versioned.Doc[note]) (versioned.Edit[note], error) {
		sawDeleted = cur != nil && cur.Deleted && !cur.Live() && cur.Data.Text == "x"
		return versioned.Edit[note]{Kind: "create", Data: note{Text: "again"}}, nil
	})
	if err != nil || !sawDeleted || doc.Version != 3 {
		t.Errorf("re-create = %+v, %v (saw the deleted document: %v), want version 3", doc, err, sawDeleted)
	}
}
