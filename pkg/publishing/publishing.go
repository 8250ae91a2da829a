// Package publishing stores resources that are edited as a draft and
// published as immutable revisions (AIP-162): frameworks, rubrics. The draft
// is a versioned document (pkg/versioned: etags, history, request ids); each
// publish writes a revision named "{resource}/revisions/{n}", numbered from 1,
// that never changes and outlives the draft, because other resources (a
// rubric's source, a scorecard's rubric) point at it for years.
//
// Every read is a point lookup by _id: the draft by name, a revision by
// name, and the revision list by counting down from the draft's count.
package publishing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// Change kinds every publishable resource records; services may add their own.
const (
	KindCreate  = "create"
	KindUpdate  = "update"
	KindPublish = "publish"
	KindDelete  = "delete"
)

// Latest is the revision ID that names the newest revision when reading.
const Latest = "latest"

const revisionsInfix = "/revisions/"

// Draft is the data of a resource's current document: the content an admin
// edits, and the count of its revisions.
type Draft[C any] struct {
	Content C `bson:"content"`
	// Unpublished is true when the content differs from the latest revision.
	Unpublished bool `bson:"unpublished"`
	// Revisions counts the publishes, so the next revision is Revisions+1.
	// A deleted and re-created resource keeps counting: revision N always
	// means one thing.
	Revisions int64 `bson:"revisions"`
	// LatestRevision is the ID of the newest revision, empty before the
	// first publish.
	LatestRevision string    `bson:"latest_revision,omitempty"`
	PublishTime    time.Time `bson:"publish_time,omitempty"`
}

// Published reports whether the resource has a revision.
func (d *Draft[C]) Published() bool { return d.LatestRevision != "" }

// Revision is a published, immutable copy of a resource's content.
type Revision[C any] struct {
	Name        string    `bson:"_id"` // {resource}/revisions/{n}
	Parent      string    `bson:"parent"`
	Number      int64     `bson:"number"`
	Content     C         `bson:"content"`
	CreateTime  time.Time `bson:"create_time"` // of the resource
	PublishTime time.Time `bson:"publish_time"`
	Publisher   string    `bson:"publisher"`
	// Change is the publish that stored the revision ("{name}#{version}"):
	// a publish that was abandoned after its revision landed leaves a
	// revision the next publish may take over (see storeRevision).
	Change string `bson:"change,omitempty"`
}

// ETag is the revision's etag: it never changes.
func (r *Revision[C]) ETag() string { return strconv.FormatInt(r.Number, 10) }

// RevisionName names revision n of a resource.
func RevisionName(parent string, n int64) string {
	return parent + revisionsInfix + strconv.FormatInt(n, 10)
}

// LatestAlias names the newest revision of a resource, for reading.
func LatestAlias(parent string) string { return parent + revisionsInfix + Latest }

// SplitName splits "{resource}" or "{resource}/revisions/{id}" into the
// resource's name and the revision ID (empty for the resource itself). The
// names it gets were checked by their requests' validation rules.
func SplitName(name string) (parent, revisionID string) {
	parent, revisionID, _ = strings.Cut(name, revisionsInfix)
	return parent, revisionID
}

// ChangeRevision names the revision a change published (a publish records
// the revision's number as its Ref); empty for every other change.
func ChangeRevision[C any](c *versioned.Change[Draft[C]]) string {
	if c.Ref == "" {
		return ""
	}
	return c.Resource + revisionsInfix + c.Ref
}

// LatestRevisionName names a draft's newest revision; empty when it has none.
func LatestRevisionName[C any](parent string, d *Draft[C]) string {
	if !d.Published() {
		return ""
	}
	return parent + revisionsInfix + d.LatestRevision
}

// Store keeps one kind of publishable resource.
type Store[C any] struct {
	// Drafts are the current documents with their change history.
	Drafts    *versioned.Store[Draft[C]]
	revisions *mongo.Collection
}

// New returns a store over three collections of db: drafts, their changes,
// and revisions. Call Init before serving.
func New[C any](db *mongo.Database, drafts, changes, revisions string) *Store[C] {
	s := &Store[C]{revisions: db.Collection(revisions)}
	s.Drafts = versioned.New(db, drafts, changes, versioned.Options[Draft[C]]{
		AfterRecord: s.storeRevision,
		Derives:     func(c *versioned.Change[Draft[C]]) bool { return c.Kind == KindPublish },
		Undo:        s.unstoreRevision,
	})
	return s
}

// Init creates the collections and indexes (revisions are read by name
// only, so they need no index beyond _id), and finishes the changes a crash
// left half-written, so that lists agree with reads from the start.
func (s *Store[C]) Init(ctx context.Context) error {
	indexes := s.Drafts.Indexes()
	indexes[s.revisions] = nil
	if err := mongodb.EnsureIndexes(ctx, indexes); err != nil {
		return err
	}
	_, err := s.Drafts.Sweep(ctx)
	return err
}

// storeRevision writes the revision a publish created. It runs after the
// publish's change record is written, and again if the change is rolled
// forward, so the publish's own revision already there is success. The
// revision of a publish that was abandoned holds the number the next
// publish takes again (the draft went back): that one is replaced. Any
// other revision of that number stays as it is: revisions never change.
func (s *Store[C]) storeRevision(ctx context.Context, c *versioned.Change[Draft[C]]) error {
	r := latestRevisionOf(&c.After, c.Actor)
	r.Change = c.ID
	_, err := s.revisions.InsertOne(ctx, r)
	if err == nil || !mongo.IsDuplicateKeyError(err) {
		return wrapIf(err, "store revision")
	}
	var there Revision[C]
	if err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: r.Name}}).Decode(&there); err != nil {
		return fmt.Errorf("read revision %s: %w", r.Name, err)
	}
	if there.Change == "" || there.Change == c.ID {
		return nil // stored before revisions named their publish, or by this one
	}
	abandoned, err := s.Drafts.Abandoned(ctx, there.Change)
	if err != nil {
		return err
	}
	if !abandoned {
		return fmt.Errorf("revision %s was stored by another publish (%s)", r.Name, there.Change)
	}
	if _, err := s.revisions.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.Name}}, r); err != nil {
		return fmt.Errorf("replace the revision of abandoned %s: %w", there.Change, err)
	}
	return nil
}

// unstoreRevision takes back the revision of a publish that was abandoned
// after its revision landed, unless a later publish has taken its number
// over. The filter names the publish, so it is not a point lookup: this
// runs only on that rare path.
func (s *Store[C]) unstoreRevision(ctx context.Context, c *versioned.Change[Draft[C]]) error {
	name := LatestRevisionName(c.After.Name, &c.After.Data)
	_, err := s.revisions.DeleteOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "change", Value: c.ID}})
	return wrapIf(err, "take back revision "+name)
}

func wrapIf(err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// latestRevisionOf is the revision that the publish which produced doc created.
func latestRevisionOf[C any](doc *versioned.Doc[Draft[C]], publisher string) *Revision[C] {
	return &Revision[C]{
		Name:        LatestRevisionName(doc.Name, &doc.Data),
		Parent:      doc.Name,
		Number:      doc.Data.Revisions,
		Content:     doc.Data.Content,
		CreateTime:  doc.CreateTime,
		PublishTime: doc.Data.PublishTime,
		Publisher:   publisher,
	}
}

// Revision returns a revision by its full name; the ID Latest names the
// newest revision of a live resource. A resource that is missing or was
// never published has no latest revision, with the same answer for both.
func (s *Store[C]) Revision(ctx context.Context, name string) (*Revision[C], error) {
	parent, id := SplitName(name)
	if id == Latest {
		doc, err := s.Drafts.Get(ctx, parent)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !doc.Data.Published()) {
			return nil, apierr.NotFound(name)
		}
		if err != nil {
			return nil, err
		}
		name = LatestRevisionName(parent, &doc.Data)
	}
	var r Revision[C]
	err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apierr.NotFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("find revision: %w", err)
	}
	return &r, nil
}

// Revisions returns up to limit revisions of a draft numbered below before
// (all when before is 0), newest first, each read by its name. A number
// whose revision was never stored (its publish was abandoned) is skipped.
// more reports whether older revisions remain.
func (s *Store[C]) Revisions(ctx context.Context, doc *versioned.Doc[Draft[C]], before int64, limit int) (revs []*Revision[C], more bool, err error) {
	top := doc.Data.Revisions
	if before > 0 && before-1 < top {
		top = before - 1
	}
	for n := top; n >= 1; n-- {
		if len(revs) == limit {
			return revs, true, nil
		}
		r, err := s.Revision(ctx, RevisionName(doc.Name, n))
		if errors.Is(err, apierr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		revs = append(revs, r)
	}
	return revs, false, nil
}

// Create stores a new draft under want (MustNotExist is implied). A name
// whose resource was deleted can be used again: its history and its
// revision numbers continue.
func (s *Store[C]) Create(ctx context.Context, name, actor, kind string, want versioned.Expect, c C, fields []string) (*versioned.Doc[Draft[C]], error) {
	want.Exists = versioned.MustNotExist
	doc, err := s.Drafts.Apply(ctx, name, actor, want, func(cur *versioned.Doc[Draft[C]]) (versioned.Edit[Draft[C]], error) {
		d := Draft[C]{Content: c, Unpublished: true}
		if cur != nil { // deleted: keep counting revisions
			d.Revisions, d.LatestRevision, d.PublishTime = cur.Data.Revisions, cur.Data.LatestRevision, cur.Data.PublishTime
		}
		return versioned.Edit[Draft[C]]{Kind: kind, Fields: fields, Data: d}, nil
	})
	if errors.Is(err, apierr.ErrConflict) { // lost a race with another create of the same name
		return nil, apierr.AlreadyExists(name)
	}
	return doc, err
}

// Edit changes a live draft's content under want (MustExist is implied).
// edit gets the current content and returns the new one with the names of
// the fields that changed; none changed means nothing is written.
func (s *Store[C]) Edit(ctx context.Context, name, actor, kind string, want versioned.Expect, edit func(cur C) (C, []string, error)) (*versioned.Doc[Draft[C]], error) {
	want.Exists = versioned.MustExist
	return s.Drafts.Apply(ctx, name, actor, want, func(cur *versioned.Doc[Draft[C]]) (versioned.Edit[Draft[C]], error) {
		next, fields, err := edit(cur.Data.Content)
		if err != nil {
			return versioned.Edit[Draft[C]]{}, err
		}
		if len(fields) == 0 {
			return versioned.Edit[Draft[C]]{Unchanged: true}, nil
		}
		d := cur.Data
		d.Content, d.Unpublished = next, true
		return versioned.Edit[Draft[C]]{Kind: kind, Fields: fields, Data: d}, nil
	})
}

// Delete deletes a draft under want; its revisions stay readable.
func (s *Store[C]) Delete(ctx context.Context, name, actor string, want versioned.Expect) error {
	want.Exists = versioned.MustExist
	_, err := s.Drafts.Apply(ctx, name, actor, want, func(cur *versioned.Doc[Draft[C]]) (versioned.Edit[Draft[C]], error) {
		return versioned.Edit[Draft[C]]{Kind: KindDelete, Delete: true, Data: cur.Data}, nil
	})
	return err
}

// Publish freezes a live draft as its next revision, after publishable
// says the content may be published. The revision is written by
// storeRevision, after the change record that guards against concurrent
// publishes; a retry with the same request id returns the same revision.
func (s *Store[C]) Publish(ctx context.Context, name, actor string, want versioned.Expect, publishable func(C) error) (*Revision[C], error) {
	want.Exists = versioned.MustExist
	doc, err := s.Drafts.Apply(ctx, name, actor, want, func(cur *versioned.Doc[Draft[C]]) (versioned.Edit[Draft[C]], error) {
		if !cur.Data.Unpublished {
			return versioned.Edit[Draft[C]]{}, apierr.FailedPrecondition("nothing to publish: the draft equals revision %s", cur.Data.LatestRevision)
		}
		if err := publishable(cur.Data.Content); err != nil {
			return versioned.Edit[Draft[C]]{}, err
		}
		d := cur.Data
		d.Revisions++
		d.LatestRevision = strconv.FormatInt(d.Revisions, 10)
		d.PublishTime = time.Now().UTC().Truncate(time.Millisecond)
		d.Unpublished = false
		return versioned.Edit[Draft[C]]{Kind: KindPublish, Ref: d.LatestRevision, Data: d}, nil
	})
	if err != nil {
		return nil, err
	}
	return latestRevisionOf(doc, actor), nil
}

// LatestOf returns the newest revision of a live draft, or NotFound (under
// the draft's name) when it has none.
func (s *Store[C]) LatestOf(ctx context.Context, doc *versioned.Doc[Draft[C]]) (*Revision[C], error) {
	if !doc.Data.Published() {
		return nil, apierr.NotFound(doc.Name)
	}
	r, err := s.Revision(ctx, LatestRevisionName(doc.Name, &doc.Data))
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound(doc.Name)
	}
	return r, err
}
