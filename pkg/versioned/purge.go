package versioned

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Purge erases a resource: its current document, every change record and
// every request claim, each removed by _id. It returns the document as it
// was (deleted or not), so that the caller can erase what it derived from
// it. A write racing with a purge may survive it, unless the store has a
// Fence that the purge's caller raised first (docs/storage.md, "Erasure").
// A purge that stopped half-way can be run again.
func (s *Store[T]) Purge(ctx context.Context, name string) (*Doc[T], error) {
	doc, err := s.load(ctx, name)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, apierr.NotFound(name)
	}
	if err := s.purgeFrom(ctx, name, doc.Version); err != nil {
		return nil, err
	}
	return doc, nil
}

// purgeFrom removes a resource's change records from version top (and any
// a writer added above it) down to 1, with their request claims, then its
// document and its markers. It does not need the document: a fenced writer
// whose record landed after a purge (so that no document or older record is
// left) knows its own version.
func (s *Store[T]) purgeFrom(ctx context.Context, name string, top int64) error {
	meta := options.FindOne().SetProjection(bson.D{{Key: "after", Value: 0}})
	// Records a writer added after the load first (callers stop writes
	// before a purge, but one may be in flight), then newest first, and
	// the current document last: an interrupted purge still knows how many
	// versions there are.
	for {
		c, err := s.change(ctx, changeID(name, top+1), meta)
		if err != nil {
			return err
		}
		if c == nil {
			break
		}
		top++
	}
	for v := top; v >= 1; v-- {
		c, err := s.change(ctx, changeID(name, v), meta)
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		if c.RequestID != "" {
			if err := deleteByID(ctx, s.changes, requestKey(c.Actor, c.RequestID)); err != nil {
				return err
			}
		}
		if err := deleteByID(ctx, s.changes, c.ID); err != nil {
			return err
		}
	}
	if err := deleteByID(ctx, s.docs, name); err != nil {
		return err
	}
	// Markers a crash left behind name the resource too. Their collection
	// holds only the changes in flight, so this filter reads a few documents.
	if _, err := s.inflight.DeleteMany(ctx, bson.D{{Key: "resource", Value: name}}); err != nil {
		return fmt.Errorf("purge markers of %s: %w", name, err)
	}
	return nil
}

// supersede drops the document from the record before c, as Options.Forget
// and Options.Supersedes say. Supersedes reads that record's kind first.
func (s *Store[T]) supersede(ctx context.Context, c *Change[T]) error {
	prev := changeID(c.Resource, c.Version-1)
	if s.opts.Forget {
		return s.forget(ctx, prev)
	}
	if s.opts.Supersedes == nil {
		return nil
	}
	p, err := s.change(ctx, prev, options.FindOne().SetProjection(bson.D{{Key: "after", Value: 0}}))
	if err != nil || p == nil { // none: purged meanwhile
		return err
	}
	if p.RequestID != "" || !s.opts.Supersedes(p.Kind, c.Kind) {
		return nil
	}
	return s.forget(ctx, prev)
}

// forget drops the document from an applied change's record.
func (s *Store[T]) forget(ctx context.Context, id string) error {
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "after", Value: ""}}}}
	if _, err := s.changes.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
		return fmt.Errorf("forget %s: %w", id, err)
	}
	return nil
}

func deleteByID(ctx context.Context, coll *mongo.Collection, id string) error {
	if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("purge %s: %w", id, err)
	}
	return nil
}
