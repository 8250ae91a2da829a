// Package versioned stores mutable resources in MongoDB without losing
// updates, on MongoDB and on FerretDB alike, and owns the whole write
// contract: expected etag, must exist or must not, and idempotent requests.
// docs/storage.md states the invariants this package keeps and why; read it
// before changing the order of any two writes here.
//
// FerretDB 1.x does not make a conditional update atomic, but inserting a
// document with a given _id is: exactly one of several concurrent writers
// wins, the others get a duplicate-key error. So every change to a resource
// first inserts a change record keyed "{name}#{new version}" (who, when, what,
// and the resulting document), and only then replaces the current document.
// The writer whose insert fails lost the race. A writer or reader that finds
// a change record newer than the current document (a crash between the two
// writes) rolls it forward first. The change records double as the audit
// history, and are never changed once written (Options.Forget and
// Options.Supersedes aside: they drop a superseded record's document).
//
// Every operation on a hot path is a point lookup by _id alone, the only
// filter the embedded store answers from an index: the current document by
// name, the pending change as "{name}#{version+1}", history as "{name}#N",
// "{name}#N-1", … (versions have no gaps), request claims as
// "request#{actor}#{id}". Only List and Scan filter on other fields, and so
// scan.
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

// Live reports whether the document exists and is not deleted.
func (d *Doc[T]) Live() bool { return d != nil && !d.Deleted }

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
	// RequestID is the client's request id (AIP-155), when it sent one.
	RequestID string `bson:"request_id,omitempty"`
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
	// Fence, when set, runs after a change is applied (by its writer or by
	// a roll-forward) and says whether the resource may exist at all: a
	// scorecard may not once its candidate is being erased. On an error the
	// store purges the resource and returns that error. Checking after the
	// write, not before, is what closes the race with an eraser that fences
	// first and purges second: see docs/storage.md, "Erasure".
	Fence func(ctx context.Context, c *Change[T]) error
	// Forget makes change records keep who, when and what kind, but not
	// the document, once the next change is applied: for derived documents
	// (an index) whose content must be erasable with the resources it
	// points at, and whose history nobody reads. The records stay: they are
	// the guard against lost updates; the newest keeps its document, which
	// heals a late write.
	Forget bool
	// Supersedes, when set, says whether a change of kind next makes the
	// document of the change of kind prev just before it needless: its
	// content is in next's document too (a submit holds the draft it
	// submits), or nobody needs it once superseded (a draft's intermediate
	// saves). Once next is applied, prev's record drops its document, as
	// with Forget, and keeps who, when, what kind, the fields and the ref.
	// A record that holds a request's result (AIP-155) keeps its document,
	// so that a retry of the request still gets it, and so does the newest
	// record, which heals a late write. Forget, when set, wins.
	Supersedes func(prev, next string) bool
	// Emit, when set, runs once a change is applied and its Fence passed,
	// by its writer before the write is acknowledged or by whoever rolls a
	// crashed writer's change forward: for events that must follow every
	// applied change (an outbox). It may run more than once for one change,
	// so what it writes must be keyed by the change. On an error the write
	// fails, its in-flight marker stays, and the sweep at the next start
	// runs Emit again.
	Emit func(ctx context.Context, c *Change[T]) error
	// Indexes are the indexes on the current documents that the filters a
	// service passes to List and Scan need, so that a real MongoDB answers
	// them from an index; the store adds its own (see Store.Indexes).
	Indexes []mongo.IndexModel
}

// Store keeps one kind of resource: current documents in one collection,
// change records (and request records) in another.
type Store[T any] struct {
	docs     *mongo.Collection
	changes  *mongo.Collection
	inflight *mongo.Collection // see sweep.go
	opts     Options[T]
	versions versionHints // see findWithPending
	// claimPoll is how often a request waits for a concurrent attempt of
	// the same request to finish (see claim).
	claimPoll time.Duration
}

// New returns a store over the two named collections of db.
func New[T any](db *mongo.Database, docs, changes string, opts Options[T]) *Store[T] {
	return &Store[T]{
		docs: db.Collection(docs), changes: db.Collection(changes), inflight: db.Collection(changes + "_in_flight"),
		opts: opts, versions: newVersionHints(), claimPoll: 20 * time.Millisecond,
	}
}

// ETag formats a version as an etag.
func ETag(version int64) string { return strconv.FormatInt(version, 10) }

// Indexes returns the indexes the store needs; create them at start-up
// (mongodb.EnsureIndexes; creating one that exists is a no-op). Every
// lookup is by _id; the secondary indexes serve, on a real MongoDB, the
// filters: List's live documents in name order, the service's own
// (Options.Indexes), and Purge's markers of one resource.
func (s *Store[T]) Indexes() map[*mongo.Collection][]mongo.IndexModel {
	docs := append([]mongo.IndexModel{{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "_id", Value: 1}}}}, s.opts.Indexes...)
	return map[*mongo.Collection][]mongo.IndexModel{
		s.docs:     docs,
		s.changes:  nil,
		s.inflight: {{Keys: bson.D{{Key: "resource", Value: 1}}}},
	}
}

// Get returns the current document of a resource; deleted resources are not
// found. A change whose writer stopped half-way is finished first.
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

// Find is Get that also returns deleted documents (a tombstone keeps the
// version count of a resource that was deleted), and nil when the resource
// never existed.
func (s *Store[T]) Find(ctx context.Context, name string) (*Doc[T], error) {
	return s.load(ctx, name)
}

// Stored returns a resource's document as stored — deleted or not, nil
// when there is none — without looking for a change a crash left
// unapplied: one read by _id instead of two. For lists and reports, which
// show documents as List and Scan do; a read that a write or a decision
// depends on uses Get or Find.
func (s *Store[T]) Stored(ctx context.Context, name string) (*Doc[T], error) {
	return s.find(ctx, name)
}

// List returns up to limit live documents with names after the given one, in
// name order. where, when not nil, narrows the documents further (field
// paths start with "data."). On the embedded store this scans the
// collection: keep it to pages a person looks at.
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

// Scan calls fn with every live document that where selects (field paths
// start with "data."), in no particular order, without holding them all:
// for reports that read most of a collection, where one scan of the
// embedded store is cheaper than a point lookup per document. Documents
// are read as stored: a change a crash left unapplied shows once a read or
// the start-up sweep has finished it, as with List.
func (s *Store[T]) Scan(ctx context.Context, where bson.D, fn func(*Doc[T]) error) error {
	cur, err := s.docs.Find(ctx, append(bson.D{{Key: "deleted", Value: false}}, where...))
	if err != nil {
		return fmt.Errorf("scan documents: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc Doc[T]
		if err := cur.Decode(&doc); err != nil {
			return fmt.Errorf("scan documents: %w", err)
		}
		if err := fn(&doc); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("scan documents: %w", err)
	}
	return nil
}

// Changes returns up to limit change records of a resource with versions
// below the given one (all when before is 0), newest first, without the
// documents they produced. Each record is read by its _id.
func (s *Store[T]) Changes(ctx context.Context, name string, before int64, limit int) ([]Change[T], error) {
	return s.history(ctx, name, before, limit, options.FindOne().SetProjection(bson.D{{Key: "after", Value: 0}}))
}

// History is Changes with the document each change produced.
func (s *Store[T]) History(ctx context.Context, name string, before int64, limit int) ([]Change[T], error) {
	return s.history(ctx, name, before, limit)
}

func (s *Store[T]) history(ctx context.Context, name string, before int64, limit int, opts ...options.Lister[options.FindOneOptions]) ([]Change[T], error) {
	doc, err := s.load(ctx, name)
	if err != nil || doc == nil {
		return nil, err
	}
	top := doc.Version
	if before > 0 && before-1 < top {
		top = before - 1
	}
	var out []Change[T]
	for v := top; v >= 1 && len(out) < limit; v-- {
		c, err := s.change(ctx, changeID(name, v), opts...)
		if err != nil {
			return nil, err
		}
		if c != nil { // a record is missing only while a purge runs
			out = append(out, *c)
		}
	}
	return out, nil
}

// Record returns the change that made a version of a resource, with the
// document it produced; nil when there is none.
func (s *Store[T]) Record(ctx context.Context, name string, version int64) (*Change[T], error) {
	return s.change(ctx, changeID(name, version))
}

// change reads one change record by its _id; nil when there is none.
func (s *Store[T]) change(ctx context.Context, id string, opts ...options.Lister[options.FindOneOptions]) (*Change[T], error) {
	var c Change[T]
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts...).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find change %s: %w", id, err)
	}
	return &c, nil
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
