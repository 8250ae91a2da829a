package versioned

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// inFlight marks a change between the moment it is decided and the moment
// its document is written. Readers finish such a change when they read the
// resource, but List reads the documents as they are: without a sweep, a
// change whose writer crashed would stay invisible to lists until someone
// read that resource. The markers live in a small collection of their own,
// so that the sweep reads only the changes in flight, never the history.
type inFlight struct {
	// ID is "{change id}@{random}": each attempt has its own marker, so the
	// loser of a race removes its own and never the winner's.
	ID       string    `bson:"_id"`
	Resource string    `bson:"resource"`
	Time     time.Time `bson:"time"`
}

// mark records that a change is about to be decided.
func (s *Store[T]) mark(ctx context.Context, c *Change[T]) (string, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := c.ID + "@" + hex.EncodeToString(b)
	if _, err := s.inflight.InsertOne(ctx, inFlight{ID: id, Resource: c.Resource, Time: c.Time}); err != nil {
		return "", fmt.Errorf("mark change in flight: %w", err)
	}
	return id, nil
}

// unmark removes a marker. A marker that stays (the delete failed, or the
// process died) only costs the next sweep one read of the resource.
func (s *Store[T]) unmark(ctx context.Context, id string) {
	_, _ = s.inflight.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
}

// Sweep finishes every change that was decided but not applied, so that
// lists agree with reads: run it at start-up. It is safe beside running
// writers (other replicas): a marked change that is recorded is finished at
// once (finishing is idempotent), and a marker whose change is not recorded
// is cleared only once it is older than finishTimeout, as its writer may
// be about to record it: marking and recording are two writes in a row, so
// a writer that has not recorded its change after that long has, in all
// likelihood, died (a stall longer than that could leave the change to be
// finished by its next read instead). It returns how many markers it
// cleared.
func (s *Store[T]) Sweep(ctx context.Context) (int, error) {
	cur, err := s.inflight.Find(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("list changes in flight: %w", err)
	}
	var marks []inFlight
	if err := cur.All(ctx, &marks); err != nil {
		return 0, fmt.Errorf("list changes in flight: %w", err)
	}
	meta := options.FindOne().SetProjection(bson.D{{Key: "after", Value: 0}})
	cleared := 0
	for _, m := range marks {
		// The suffix follows the last "@": names may hold one (users/a@b.c).
		changeID := m.ID[:max(strings.LastIndex(m.ID, "@"), 0)]
		recorded, err := s.change(ctx, changeID, meta)
		if err != nil {
			return cleared, err
		}
		if recorded == nil && time.Since(m.Time) < finishTimeout {
			continue
		}
		if recorded != nil {
			if err := s.finish(ctx, recorded); err != nil {
				return cleared, err
			}
		}
		s.unmark(ctx, m.ID)
		cleared++
	}
	return cleared, nil
}

// finish applies a recorded change. Loading the resource does, unless the
// record sits above a gap — a purge removed the document and the older
// records before this one landed (its writer then died) — which only the
// record's own version finds: applying it there runs the store's fence,
// which purges it.
func (s *Store[T]) finish(ctx context.Context, recorded *Change[T]) error {
	doc, err := s.load(ctx, recorded.Resource)
	if err != nil && !errors.Is(err, apierr.ErrNotFound) {
		return err
	}
	if doc != nil && doc.Version > recorded.Version {
		return nil
	}
	full, err := s.change(ctx, recorded.ID)
	if err != nil || full == nil || full.After.Name == "" {
		return err
	}
	if doc != nil && doc.Version == recorded.Version {
		// Applied, and its writer stopped after that: what follows the
		// apply may be missing (Emit is keyed by the change and tidying
		// is an unset: again is safe).
		if err := s.tidy(ctx, full); err != nil {
			return err
		}
		if s.opts.Emit == nil {
			return nil
		}
		return s.opts.Emit(ctx, full)
	}
	err = s.complete(ctx, full, doc)
	if errors.Is(err, apierr.ErrNotFound) || errors.Is(err, apierr.ErrFailedPrecondition) {
		return nil // the fence's answer: the record is purged
	}
	return err
}
