// Package versioned stores mutable resources in MongoDB without losing
// updates, on MongoDB and on FerretDB alike.
//
// FerretDB 1.x does not make a conditional update atomic, but inserting a
// document with a given _id is: exactly one of several concurrent writers
// wins, the others get a duplicate-key error. So every change to a resource
// first inserts a change record keyed "{name}#{new version}" (who, when, what,
// and the resulting document), and only then replaces the current document.
// The writer whose insert fails lost the race. A writer that finds a change
// record newer than the current document (a crash between the two writes)
// rolls it forward first. The change records double as the audit history.
package versioned

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Doc is the current document of a resource, keyed by the resource name.
type Doc[T any] struct {
	Name       string    `bson:"_id"`
	Version    int64     `bson:"version"`
	Deleted    bool      `bson:"deleted"`
	CreateTime time.Time `bson:"create_time"`
	UpdateTime time.Time `bson:"update_time"`
	Data       T         `bson:"data"`
}

// ETag returns the document's etag.
func (d *Doc[T]) ETag() string { return ETag(d.Version) }

// Change records one change to a resource.
type Change[T any] struct {
	ID       string    `bson:"_id"` // "{name}#{version}"
	Resource string    `bson:"resource"`
	Version  int64     `bson:"version"`
	Kind     string    `bson:"kind"`
	Actor    string    `bson:"actor"`
	Time     time.Time `bson:"time"`
	Fields   []string  `bson:"fields,omitempty"`
	// Ref is a kind-specific reference, for example the revision a publish made.
	Ref string `bson:"ref,omitempty"`
	// After is the document the change produced; it lets any writer finish a
	// change whose author crashed half-way.
	After Doc[T] `bson:"after"`
}

// Edit is what a change function decides: the new data and how to record it.
type Edit[T any] struct {
	// Unchanged means there is nothing to write: Apply returns the current
	// document as it is.
	Unchanged bool
	Kind      string
	Fields    []string
	Ref       string
	Delete    bool
	Data      T
}

// Options configure a Store.
type Options[T any] struct {
	// AfterRecord runs after a change record is written and before the
	// current document is replaced, and again if a later writer rolls the
	// change forward: it must be idempotent. Used for derived writes such as
	// storing a published revision.
	AfterRecord func(ctx context.Context, c *Change[T]) error
}

// Store keeps one kind of resource: current documents in one collection,
// change records in another.
type Store[T any] struct {
	docs    *mongo.Collection
	changes *mongo.Collection
	opts    Options[T]
}

// New returns a store over the two named collections of db.
func New[T any](db *mongo.Database, docs, changes string, opts Options[T]) *Store[T] {
	return &Store[T]{docs: db.Collection(docs), changes: db.Collection(changes), opts: opts}
}

// ETag formats a version as an etag.
func ETag(version int64) string { return strconv.FormatInt(version, 10) }

// ParseETag reads an etag; ok is false when it is not one this package made.
func ParseETag(etag string) (version int64, ok bool) {
	v, err := strconv.ParseInt(etag, 10, 64)
	return v, err == nil && v > 0
}

// Indexes returns the indexes the store needs; create them at start-up.
func (s *Store[T]) Indexes() map[*mongo.Collection][]mongo.IndexModel {
	return map[*mongo.Collection][]mongo.IndexModel{
		s.docs:    {{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "_id", Value: 1}}}},
		s.changes: {{Keys: bson.D{{Key: "resource", Value: 1}, {Key: "version", Value: -1}}}},
	}
}

// Get returns the current document of a resource; deleted resources are not found.
// A change whose writer stopped half-way is finished first.
func (s *Store[T]) Get(ctx context.Context, name string) (*Doc[T], error) {
	doc, err := s.load(ctx, name)
	if err != nil {
		return nil, err
	}
	if !doc.Live() {
		return nil, apierr.NotFound(name)
	}
	return doc, nil
}

// List returns up to limit live documents with names after the given one, in
// name order. where, when not nil, narrows the documents further (field
// paths start with "data.").
func (s *Store[T]) List(ctx context.Context, after string, limit int, where bson.D) ([]Doc[T], error) {
	filter := append(bson.D{{Key: "deleted", Value: false}}, where...)
	if after != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit))
	cur, err := s.docs.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var docs []Doc[T]
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return docs, nil
}

// Changes returns up to limit change records of a resource with versions
// below the given one (all when before is 0), newest first, without the
// documents they produced.
func (s *Store[T]) Changes(ctx context.Context, name string, before int64, limit int) ([]Change[T], error) {
	filter := bson.D{{Key: "resource", Value: name}}
	if before > 0 {
		filter = append(filter, bson.E{Key: "version", Value: bson.D{{Key: "$lt", Value: before}}})
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "version", Value: -1}}).
		SetLimit(int64(limit)).
		SetProjection(bson.D{{Key: "after", Value: 0}})
	cur, err := s.changes.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	var changes []Change[T]
	if err := cur.All(ctx, &changes); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return changes, nil
}

// Apply changes a resource. fn sees the current document: nil when the
// resource never existed, a document with Deleted set when it was deleted (so
// that a re-created resource can carry counters over), and returns the edit
// to make, or an error that Apply returns as it is. When another writer
// changed the resource between the read and the write, Apply returns
// apierr.ErrConflict and changes nothing.
func (s *Store[T]) Apply(ctx context.Context, name, actor string, fn func(cur *Doc[T]) (Edit[T], error)) (*Doc[T], error) {
	cur, err := s.load(ctx, name)
	if err != nil {
		return nil, err
	}
	edit, err := fn(cur)
	if err != nil {
		return nil, err
	}
	if edit.Unchanged && cur.Live() {
		return cur, nil
	}
	now := time.Now().UTC().Truncate(time.Millisecond) // BSON dates hold milliseconds
	var version int64
	after := Doc[T]{Name: name, Deleted: edit.Delete, CreateTime: now, UpdateTime: now, Data: edit.Data}
	if cur != nil {
		version = cur.Version
		if cur.Live() {
			after.CreateTime = cur.CreateTime
		}
	}
	after.Version = version + 1
	change := &Change[T]{
		ID: changeID(name, after.Version), Resource: name, Version: after.Version,
		Kind: edit.Kind, Actor: actor, Time: now, Fields: edit.Fields, Ref: edit.Ref, After: after,
	}
	if _, err := s.changes.InsertOne(ctx, change); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil, apierr.Conflict("%s was changed concurrently", name)
		}
		return nil, fmt.Errorf("record change: %w", err)
	}
	// The change is decided: finish it even if the caller has gone away, so
	// that readers see it at once. If this fails, the next reader or writer
	// rolls it forward.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := s.complete(finishCtx, change, version); err != nil {
		return nil, err
	}
	return &after, nil
}

// finishTimeout bounds finishing a recorded change after its caller left.
const finishTimeout = 10 * time.Second

// Live reports whether the document exists and is not deleted.
func (d *Doc[T]) Live() bool { return d != nil && !d.Deleted }

// load returns the current document (nil when there is none), after rolling
// forward any change that was recorded but not applied.
func (s *Store[T]) load(ctx context.Context, name string) (*Doc[T], error) {
	const maxRollForward = 8
	for range maxRollForward {
		doc, err := s.find(ctx, name)
		if err != nil {
			return nil, err
		}
		var version int64
		if doc != nil {
			version = doc.Version
		}
		var pending Change[T]
		err = s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: changeID(name, version+1)}}).Decode(&pending)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return doc, nil
		}
		if err != nil {
			return nil, fmt.Errorf("find pending change: %w", err)
		}
		if err := s.complete(ctx, &pending, version); err != nil {
			return nil, err
		}
	}
	return nil, apierr.Conflict("%s is changing too fast", name)
}

// complete makes the current document what a recorded change says, if it is
// still at the version the change started from.
func (s *Store[T]) complete(ctx context.Context, c *Change[T], from int64) error {
	if s.opts.AfterRecord != nil {
		if err := s.opts.AfterRecord(ctx, c); err != nil {
			return err
		}
	}
	if from == 0 {
		_, err := s.docs.InsertOne(ctx, c.After)
		if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: someone else completed it
			return fmt.Errorf("insert document: %w", err)
		}
		return nil
	}
	filter := bson.D{{Key: "_id", Value: c.Resource}, {Key: "version", Value: from}}
	if _, err := s.docs.ReplaceOne(ctx, filter, c.After); err != nil {
		return fmt.Errorf("replace document: %w", err)
	}
	return nil
}

func (s *Store[T]) find(ctx context.Context, name string) (*Doc[T], error) {
	var doc Doc[T]
	err := s.docs.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", name, err)
	}
	return &doc, nil
}

func changeID(name string, version int64) string { return name + "#" + strconv.FormatInt(version, 10) }
