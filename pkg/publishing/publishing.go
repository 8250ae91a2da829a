// Package publishing stores resources that are edited as a draft and
// published as immutable revisions (AIP-162): frameworks, rubrics. The draft
// is a versioned document (pkg/versioned: etags, history, request ids); each
// publish makes a revision named "{resource}/revisions/{n}", numbered from 1,
// that never changes and outlives the draft, because other resources (a
// rubric's source, a scorecard's rubric) point at it for years.
//
// A revision is not a document of its own: it is the publish's change
// record, which holds the draft as the publish left it and, like every
// change record, is written once and never changed. The draft lists the
// version of each publish, so revision n is two point lookups (the draft,
// then the record "{resource}#{version}") and a publish is one change with
// nothing derived to write, finish or take back after a crash.
package publishing

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// PublishVersions are the versions of the publishes of the last
	// len(PublishVersions) revisions, oldest first: revision n is the
	// change record of version PublishVersions[n-1-legacy], where legacy
	// (Revisions-len) counts the revisions published before revisions were
	// read from change records (see legacyRevision).
	PublishVersions []int64 `bson:"publish_versions,omitempty"`
	// LastActor, LastKind and LastFields say who made the change that
	// wrote this document, of what kind, and the fields it touched (its
	// time is the document's UpdateTime), so that a list of drafts shows who
	// last touched each without reading a history per draft. Documents
	// written before they were kept have none: LastChange reads the change
	// record for those.
	LastActor  string   `bson:"last_actor,omitempty"`
	LastKind   string   `bson:"last_kind,omitempty"`
	LastFields []string `bson:"last_fields,omitempty"`
}

// stamp records on the draft the change that is writing it.
func (d *Draft[C]) stamp(actor, kind string, fields []string) {
	d.LastActor, d.LastKind, d.LastFields = actor, kind, fields
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

// PublishedFilter narrows a List to the drafts that have a revision; the
// store declares its index.
func PublishedFilter() bson.D {
	return bson.D{{Key: "data.latest_revision", Value: bson.D{{Key: "$exists", Value: true}}}}
}

// Store keeps one kind of publishable resource.
type Store[C any] struct {
	// Drafts are the current documents with their change history.
	Drafts *versioned.Store[Draft[C]]
	// legacy holds the revisions published before revisions were read from
	// change records, one document each; nothing writes it any more.
	legacy *mongo.Collection
}

// New returns a store over three collections of db: drafts, their changes,
// and the revisions published by earlier versions of this package. Call
// Init before serving.
func New[C any](db *mongo.Database, drafts, changes, legacyRevisions string) *Store[C] {
	return &Store[C]{
		Drafts: versioned.New(db, drafts, changes, versioned.Options[Draft[C]]{
			// Lists of the published drafts only (PublishedFilter).
			Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "data.latest_revision", Value: 1}, {Key: "_id", Value: 1}}}},
		}),
		legacy: db.Collection(legacyRevisions),
	}
}

// Init creates the collections and indexes, and finishes the changes a crash
// left half-written, so that lists agree with reads from the start.
func (s *Store[C]) Init(ctx context.Context) error {
	if err := mongodb.EnsureIndexes(ctx, s.Drafts.Indexes()); err != nil {
		return err
	}
	_, err := s.Drafts.Sweep(ctx)
	return err
}

// Revision returns a revision by its full name; the ID Latest names the
// newest revision of a live resource. A resource that is missing or was
// never published has no latest revision, with the same answer for both.
// Numbered revisions outlive a deleted resource.
func (s *Store[C]) Revision(ctx context.Context, name string) (*Revision[C], error) {
	parent, id := SplitName(name)
	doc, err := s.Drafts.Find(ctx, parent)
	if err != nil {
		return nil, err
	}
	if id == Latest {
		if !doc.Live() || !doc.Data.Published() {
			return nil, apierr.NotFound(name)
		}
		id = doc.Data.LatestRevision
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if doc == nil || err != nil {
		return nil, apierr.NotFound(name)
	}
	return s.revisionIn(ctx, doc, n)
}

// revisionIn returns revision n of a draft (live or deleted).
func (s *Store[C]) revisionIn(ctx context.Context, doc *versioned.Doc[Draft[C]], n int64) (*Revision[C], error) {
	name := RevisionName(doc.Name, n)
	if n < 1 || n > doc.Data.Revisions {
		return nil, apierr.NotFound(name)
	}
	legacy := doc.Data.Revisions - int64(len(doc.Data.PublishVersions))
	if n <= legacy {
		return s.legacyRevision(ctx, name)
	}
	c, err := s.Drafts.Record(ctx, doc.Name, doc.Data.PublishVersions[n-legacy-1])
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, apierr.NotFound(name)
	}
	return revisionOf(&c.After, c.Actor), nil
}

// revisionOf is the revision that the publish which produced doc created.
func revisionOf[C any](doc *versioned.Doc[Draft[C]], publisher string) *Revision[C] {
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

// legacyRevision reads a revision stored as a document of its own.
func (s *Store[C]) legacyRevision(ctx context.Context, name string) (*Revision[C], error) {
	var r Revision[C]
	err := s.legacy.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&r)
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
// without a revision (a publish an earlier version of this package
// abandoned) is skipped. more reports whether older revisions remain.
func (s *Store[C]) Revisions(ctx context.Context, doc *versioned.Doc[Draft[C]], before int64, limit int) (revs []*Revision[C], more bool, err error) {
	top := doc.Data.Revisions
	if before > 0 && before-1 < top {
		top = before - 1
	}
	for n := top; n >= 1; n-- {
		if len(revs) == limit {
			return revs, true, nil
		}
		r, err := s.revisionIn(ctx, doc, n)
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
		if cur != nil { // deleted: keep counting revisions, and serving them
			d.Revisions, d.LatestRevision, d.PublishTime = cur.Data.Revisions, cur.Data.LatestRevision, cur.Data.PublishTime
			d.PublishVersions = cur.Data.PublishVersions
		}
		d.stamp(actor, kind, fields)
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
		d.stamp(actor, kind, fields)
		return versioned.Edit[Draft[C]]{Kind: kind, Fields: fields, Data: d}, nil
	})
}

// Delete deletes a draft under want; its revisions stay readable.
func (s *Store[C]) Delete(ctx context.Context, name, actor string, want versioned.Expect) error {
	want.Exists = versioned.MustExist
	_, err := s.Drafts.Apply(ctx, name, actor, want, func(cur *versioned.Doc[Draft[C]]) (versioned.Edit[Draft[C]], error) {
		d := cur.Data
		d.stamp(actor, KindDelete, nil)
		return versioned.Edit[Draft[C]]{Kind: KindDelete, Delete: true, Data: d}, nil
	})
	return err
}

// Publish freezes a live draft as its next revision, after publishable
// says the content may be published. The publish's change record is the
// revision; a retry with the same request id returns the same revision.
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
		d.PublishVersions = append(slices.Clone(d.PublishVersions), cur.Version+1) // this change's version
		d.stamp(actor, KindPublish, nil)
		return versioned.Edit[Draft[C]]{Kind: KindPublish, Ref: d.LatestRevision, Data: d}, nil
	})
	if err != nil {
		return nil, err
	}
	return revisionOf(doc, actor), nil
}

// LatestOf returns the newest revision of a live draft, or NotFound (under
// the draft's name) when it has none.
func (s *Store[C]) LatestOf(ctx context.Context, doc *versioned.Doc[Draft[C]]) (*Revision[C], error) {
	if !doc.Data.Published() {
		return nil, apierr.NotFound(doc.Name)
	}
	r, err := s.revisionIn(ctx, doc, doc.Data.Revisions)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound(doc.Name)
	}
	return r, err
}

// LastChange returns the change that wrote a draft's current document, as
// its change record has it (without the document it produced): from the
// draft itself (StampedChange), or from the record for a draft written
// before drafts kept it (one point lookup). nil when there is no record.
func (s *Store[C]) LastChange(ctx context.Context, doc *versioned.Doc[Draft[C]]) (*versioned.Change[Draft[C]], error) {
	if c := StampedChange(doc); c != nil {
		return c, nil
	}
	c, err := s.Drafts.Record(ctx, doc.Name, doc.Version)
	if c != nil {
		c.After = versioned.Doc[Draft[C]]{}
	}
	return c, err
}

// StampedChange is the change that wrote a draft's current document, as
// the draft keeps it; nil for a draft written before drafts kept it.
func StampedChange[C any](doc *versioned.Doc[Draft[C]]) *versioned.Change[Draft[C]] {
	d := &doc.Data
	if d.LastKind == "" {
		return nil
	}
	c := &versioned.Change[Draft[C]]{
		ID: doc.Name + "#" + strconv.FormatInt(doc.Version, 10), Resource: doc.Name, Version: doc.Version,
		Kind: d.LastKind, Actor: d.LastActor, Time: doc.UpdateTime, Fields: d.LastFields,
	}
	if d.LastKind == KindPublish {
		c.Ref = d.LatestRevision // a publish's Ref is the revision it made
	}
	return c
}
