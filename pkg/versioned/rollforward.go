package versioned

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// load returns the current document (nil when there is none), after rolling
// forward any change that was recorded but not applied. This is the one
// read that writes, and only what a recorded change already decided: the
// document it produced, its request claim's result, and (with a Fence) the
// purge of a resource that may no longer exist.
func (s *Store[T]) load(ctx context.Context, name string) (*Doc[T], error) {
	const maxRollForward = 8
	for range maxRollForward {
		doc, pending, err := s.findWithPending(ctx, name)
		if err != nil {
			return nil, err
		}
		var version int64
		if doc != nil {
			version = doc.Version
		}
		if pending == nil {
			if doc != nil {
				s.versions.saw(name, doc.Version)
			}
			return doc, nil
		}
		if pending.After.Name == "" {
			// Forgotten (Options.Forget, Options.Supersedes): applied once,
			// then superseded, so the document went back to an older
			// version under a late write. The newest record still holds
			// its document.
			if pending, err = s.newest(ctx, name, version+2); err != nil || pending == nil {
				return doc, err
			}
		}
		if err := s.complete(ctx, pending, doc); err != nil {
			return nil, err
		}
	}
	return nil, apierr.Conflict("%s is changing too fast", name)
}

// findWithPending reads a resource's document as stored and the record of
// the change after it ("{name}#{version+1}"), nil for each when there is
// none. The record's _id depends on the version the document holds, so the
// two reads follow each other, unless this process has seen the resource
// lately: then the record of the version it saw next is read beside the
// document, and used when the document turns out to be at that version —
// the same read, only started earlier. A guess that missed (another
// replica wrote, or the cache forgot) costs the read after, as without it.
func (s *Store[T]) findWithPending(ctx context.Context, name string) (*Doc[T], *Change[T], error) {
	var (
		doc              *Doc[T]
		guessed, pending *Change[T]
	)
	guess, known := s.versions.guess(name)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { doc, err = s.find(gctx, name); return err })
	if known {
		g.Go(func() (err error) { guessed, err = s.change(gctx, changeID(name, guess+1)); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var version int64
	if doc != nil {
		version = doc.Version
	}
	if known && doc != nil && version == guess {
		return doc, guessed, nil
	}
	pending, err := s.change(ctx, changeID(name, version+1))
	if err != nil {
		return nil, nil, err
	}
	return doc, pending, nil
}

// complete makes the current document what a recorded change says. prev is
// the document the change was made from (nil for a first create).
//
// The replace is by _id alone, the one filter the embedded store answers
// from an index, so it is not conditional on the version: a replace that
// lands late (its writer stalled while others moved on) can put back an
// older version. The next load heals that, because the newer change record
// is then "pending" again and is rolled forward; until someone reads the
// resource, List may show the older version.
func (s *Store[T]) complete(ctx context.Context, c *Change[T], prev *Doc[T]) error {
	if err := s.put(ctx, &c.After, prev); err != nil {
		return err
	}
	// Settling the request, forgetting the previous document and the
	// fence's check are independent of each other (each needs only the
	// put before it), so they run at once: a write waits for one of them,
	// not three.
	var fenced error
	g, gctx := errgroup.WithContext(ctx)
	if c.RequestID != "" {
		g.Go(func() error { return s.settle(gctx, c) })
	}
	g.Go(func() error { return s.tidy(gctx, c) })
	if s.opts.Fence != nil {
		g.Go(func() error { fenced = s.opts.Fence(gctx, c); return nil })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if fenced != nil {
		// From this change's version: a purge may have removed the
		// document and the older records before this record landed.
		if err := s.purgeFrom(ctx, c.Resource, c.Version); err != nil {
			return err
		}
		return fenced
	}
	if s.opts.Emit != nil {
		return s.opts.Emit(ctx, c)
	}
	return nil
}

// tidy drops the document of the record before c once c is applied, when
// Options.Forget or Options.Supersedes say so.
func (s *Store[T]) tidy(ctx context.Context, c *Change[T]) error {
	if c.Version <= 1 || !s.opts.Forget && s.opts.Supersedes == nil {
		return nil
	}
	// The previous version's document, never this one's: the newest record
	// must keep its document, so that a late write of an older version can
	// still be healed from it.
	return s.supersede(ctx, c)
}

// newest returns the newest change record of a resource from version on
// that still holds its document, nil when there is none.
func (s *Store[T]) newest(ctx context.Context, name string, from int64) (*Change[T], error) {
	var last *Change[T]
	for v := from; ; v++ {
		c, err := s.change(ctx, changeID(name, v))
		if err != nil {
			return nil, err
		}
		if c == nil {
			return last, nil
		}
		if c.After.Name != "" {
			last = c
		}
	}
}

// put writes a document over prev.
func (s *Store[T]) put(ctx context.Context, doc *Doc[T], prev *Doc[T]) error {
	if prev == nil {
		_, err := s.docs.InsertOne(ctx, doc)
		if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: someone else completed it
			return fmt.Errorf("insert document: %w", err)
		}
		return nil
	}
	if _, err := s.docs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.Name}}, doc); err != nil {
		return fmt.Errorf("replace document: %w", err)
	}
	return nil
}
