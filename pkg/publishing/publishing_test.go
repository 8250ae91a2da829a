package publishing_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

type doc struct {
	Text string `bson:"text"`
}

func newStore(t *testing.T) *publishing.Store[doc] {
	t.Helper()
	s := publishing.New[doc](mongotest.Database(t), "docs", "doc_changes", "doc_revisions")
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func anything(doc) error { return nil }

func setText(text string) func(doc) (doc, []string, error) {
	return func(cur doc) (doc, []string, error) {
		if cur.Text == text {
			return cur, nil, nil
		}
		return doc{Text: text}, []string{"text"}, nil
	}
}

func TestPublishDeleteAndRecreate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.Create(ctx, "docs/a", "u", publishing.KindCreate, versioned.Expect{}, doc{Text: "one"}, []string{"text"}); err != nil {
		t.Fatal(err)
	}
	r1, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything)
	if err != nil || r1.Name != "docs/a/revisions/1" || r1.Content.Text != "one" {
		t.Fatalf("Publish() = %+v, %v, want docs/a/revisions/1", r1, err)
	}
	if _, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything); !errors.Is(err, apierr.ErrFailedPrecondition) {
		t.Errorf("Publish(unchanged) = %v, want FailedPrecondition", err)
	}
	refused := errors.New("not ready")
	if _, err := s.Edit(ctx, "docs/a", "u", publishing.KindUpdate, versioned.Expect{}, setText("two")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, func(doc) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("Publish(refused by the service's rule) = %v, want its error", err)
	}
	if _, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "docs/a", "u", versioned.Expect{}); err != nil {
		t.Fatal(err)
	}
	// Revisions outlive the draft; latest belongs to a live resource.
	if r, err := s.Revision(ctx, "docs/a/revisions/1"); err != nil || r.Content.Text != "one" {
		t.Errorf("Revision(1) after delete = %+v, %v, want one", r, err)
	}
	if _, err := s.Revision(ctx, "docs/a/revisions/latest"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Revision(latest) after delete = %v, want NotFound", err)
	}
	// Re-created, it keeps counting: revision 3 is new, 1 and 2 keep their meaning.
	if _, err := s.Create(ctx, "docs/a", "u", publishing.KindCreate, versioned.Expect{}, doc{Text: "three"}, []string{"text"}); err != nil {
		t.Fatal(err)
	}
	r3, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything)
	if err != nil || r3.Name != "docs/a/revisions/3" {
		t.Fatalf("Publish() after re-create = %+v, %v, want revision 3", r3, err)
	}
	latest, err := s.Revision(ctx, "docs/a/revisions/latest")
	if err != nil || latest.Name != r3.Name || latest.Content.Text != "three" {
		t.Errorf("Revision(latest) = %+v, %v, want revision 3", latest, err)
	}
	if _, err := s.Create(ctx, "docs/a", "u", publishing.KindCreate, versioned.Expect{}, doc{}, nil); !errors.Is(err, apierr.ErrAlreadyExists) {
		t.Errorf("Create(live) = %v, want AlreadyExists", err)
	}
}

// Revisions published before revisions were read from change records are
// documents of their own: they are still served, and publishing goes on
// from their count.
func TestRevisionsPublishedAsDocumentsStayReadable(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := publishing.New[doc](db, "docs", "doc_changes", "doc_revisions")
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "docs/a", "u", publishing.KindCreate, versioned.Expect{}, doc{Text: "one"}, []string{"text"}); err != nil {
		t.Fatal(err)
	}
	// Revision 1 as an earlier version of the package stored it: a document,
	// and a draft that counts it without a publish version.
	old := bson.D{{Key: "_id", Value: "docs/a/revisions/1"}, {Key: "parent", Value: "docs/a"}, {Key: "number", Value: 1},
		{Key: "content", Value: bson.D{{Key: "text", Value: "one"}}}, {Key: "publisher", Value: "u"}}
	if _, err := db.Collection("doc_revisions").InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	counted := bson.D{{Key: "$set", Value: bson.D{{Key: "data.revisions", Value: 1}, {Key: "data.latest_revision", Value: "1"}}}}
	if _, err := db.Collection("docs").UpdateOne(ctx, bson.D{{Key: "_id", Value: "docs/a"}}, counted); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Edit(ctx, "docs/a", "u", publishing.KindUpdate, versioned.Expect{}, setText("two")); err != nil {
		t.Fatal(err)
	}
	r2, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything)
	if err != nil || r2.Name != "docs/a/revisions/2" || r2.Content.Text != "two" {
		t.Fatalf("Publish() = %+v, %v, want revision 2 with two", r2, err)
	}
	for name, want := range map[string]string{"docs/a/revisions/1": "one", "docs/a/revisions/2": "two", "docs/a/revisions/latest": "two"} {
		if r, err := s.Revision(ctx, name); err != nil || r.Content.Text != want {
			t.Errorf("Revision(%s) = %+v, %v, want %q", name, r, err, want)
		}
	}
	if _, err := s.Revision(ctx, "docs/a/revisions/3"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("Revision(3) = %v, want NotFound", err)
	}
}

func TestRevisionsPageByName(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.Create(ctx, "docs/a", "u", publishing.KindCreate, versioned.Expect{}, doc{Text: "0"}, []string{"text"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if i > 0 {
			if _, err := s.Edit(ctx, "docs/a", "u", publishing.KindUpdate, versioned.Expect{}, setText(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Publish(ctx, "docs/a", "u", versioned.Expect{}, anything); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.Drafts.Get(ctx, "docs/a")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	before := int64(0)
	for {
		revs, more, err := s.Revisions(ctx, d, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			got = append(got, r.Number)
		}
		if !more {
			break
		}
		before = revs[len(revs)-1].Number
	}
	if fmt.Sprint(got) != "[5 4 3 2 1]" {
		t.Errorf("revisions paged 2 at a time = %v, want 5 down to 1", got)
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ name, parent, id string }{
		{"docs/a", "docs/a", ""},
		{"docs/a/revisions/3", "docs/a", "3"},
		{"docs/a/revisions/latest", "docs/a", publishing.Latest},
	} {
		if parent, id := publishing.SplitName(tt.name); parent != tt.parent || id != tt.id {
			t.Errorf("SplitName(%q) = %q, %q, want %q, %q", tt.name, parent, id, tt.parent, tt.id)
		}
	}
	if got := publishing.RevisionName("docs/a", 12); got != "docs/a/revisions/12" {
		t.Errorf("RevisionName(docs/a, 12) = %q", got)
	}
}

// Lists of drafts, of the published ones, and a purge's markers each have
// their index, declared at start-up and read back here.
func TestStartUpDeclaresTheListIndexes(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	for range 2 { // every start declares them again
		if err := publishing.New[doc](db, "docs", "doc_changes", "doc_revisions").Init(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for coll, want := range map[string][]string{
		"docs":                  {"deleted:1,_id:1", "deleted:1,data.latest_revision:1,_id:1"},
		"doc_changes_in_flight": {"resource:1"},
	} {
		got := mongotest.IndexKeys(t, db.Collection(coll))
		for _, key := range want {
			if !slices.Contains(got, key) {
				t.Errorf("%s has indexes %v, want %s among them", coll, got, key)
			}
		}
	}
}

// A draft says which change wrote it, as its history's newest record says,
// and so does a draft written before drafts kept it (read from the record).
func TestLastChangeIsTheNewestRecord(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Database(t)
	s := publishing.New[doc](db, "docs", "doc_changes", "doc_revisions")
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error {
			_, err := s.Create(ctx, "docs/a", "users/ann", publishing.KindCreate, versioned.Expect{}, doc{Text: "one"}, []string{"text"})
			return err
		},
		func() error {
			_, err := s.Edit(ctx, "docs/a", "users/bob", "import", versioned.Expect{}, setText("two"))
			return err
		},
		func() error {
			_, err := s.Publish(ctx, "docs/a", "users/cy", versioned.Expect{}, anything)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		d, err := s.Drafts.Get(ctx, "docs/a")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := s.Drafts.Changes(ctx, "docs/a", 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := recs[0]
		got, err := s.LastChange(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Version != want.Version || got.Kind != want.Kind || got.Actor != want.Actor ||
			!got.Time.Equal(want.Time) || !slices.Equal(got.Fields, want.Fields) || got.Ref != want.Ref {
			t.Errorf("step %d: LastChange() = %+v, want the newest record %+v", i, got, want)
		}
	}
	// A draft as written before: no last change on it.
	unset := bson.D{{Key: "$unset", Value: bson.D{{Key: "data.last_actor", Value: ""}, {Key: "data.last_kind", Value: ""}, {Key: "data.last_fields", Value: ""}}}}
	if _, err := db.Collection("docs").UpdateOne(ctx, bson.D{{Key: "_id", Value: "docs/a"}}, unset); err != nil {
		t.Fatal(err)
	}
	d, err := s.Drafts.Get(ctx, "docs/a")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.LastChange(ctx, d)
	if err != nil || got == nil || got.Actor != "users/cy" || got.Kind != publishing.KindPublish || got.Ref != "1" {
		t.Errorf("LastChange(draft without it) = %+v, %v, want the publish by users/cy from its record", got, err)
	}
}
