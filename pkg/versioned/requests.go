package versioned

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// MaxRequestIDLength bounds a request id; request ids are keys.
const MaxRequestIDLength = 128

// requestClaim makes a request idempotent (AIP-155). Its _id,
// "request#{actor}#{id}" in the change collection, is the guard: the attempt
// that inserts it runs the request, every other attempt of the same request
// waits until the claim names a result and returns that. Request IDs are
// each caller's own, so nobody can spoil another's retries by guessing them.
//
// A claim goes through three states: open (Version 0: an attempt is
// running), settled (Version names the change record that holds the
// result), or gone (the attempt failed before recording a change and
// released it, so a retry runs the request afresh, or the resource was
// purged with its claims).
type requestClaim struct {
	ID       string    `bson:"_id"`
	Resource string    `bson:"resource"`
	Version  int64     `bson:"version"`
	Actor    string    `bson:"actor"`
	Time     time.Time `bson:"time"`
	// recorded is true once this attempt recorded its change: from then on
	// the claim is that change's, and is never released.
	recorded bool
}

func requestKey(actor, id string) string { return "request#" + actor + "#" + id }

// claim claims a request for this attempt, or returns the result of the
// attempt that claimed it first, waiting for it while it runs.
func (s *Store[T]) claim(ctx context.Context, name, actor string, want Expect) (*Doc[T], *requestClaim, error) {
	mine := &requestClaim{ID: requestKey(actor, want.RequestID), Resource: name, Actor: actor, Time: time.Now().UTC().Truncate(time.Millisecond)}
	for {
		_, err := s.changes.InsertOne(ctx, mine)
		if err == nil {
			return nil, mine, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, nil, fmt.Errorf("claim request: %w", err)
		}
		first, err := s.firstResult(ctx, name, want, mine.ID)
		if first != nil || err != nil {
			return first, nil, err
		}
		select { // still running, or just released: look again
		case <-ctx.Done():
			return nil, nil, apierr.Conflict("an earlier attempt of this request is still running; retry with the same request_id")
		case <-time.After(s.claimPoll):
		}
	}
}

// firstResult reads a claim that another attempt holds. It returns the
// result once the claim is settled, and nil while the attempt runs. A claim
// that stayed open longer than finishTimeout lost its attempt (the process
// died before recording a change: a recorded one is settled by the
// roll-forward of its resource): it is released, and the next attempt runs
// the request.
func (s *Store[T]) firstResult(ctx context.Context, name string, want Expect, key string) (*Doc[T], error) {
	var held requestClaim
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&held)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil // released in between
	}
	if err != nil {
		return nil, fmt.Errorf("read request claim: %w", err)
	}
	if held.Resource != name && !want.AnyName {
		return nil, apierr.Invalid("request_id", "was already used for a request on another resource; send a new one (a UUID)")
	}
	if held.Version == 0 {
		// Roll the claimed resource forward: that settles the claim if its
		// change was recorded and its writer died before finishing.
		if _, err := s.load(ctx, held.Resource); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return nil, err
		}
		if err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&held); errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("read request claim: %w", err)
		}
	}
	if held.Version == 0 {
		if time.Since(held.Time) > finishTimeout {
			// Only this claim: one a newer attempt made has another time.
			_, err := s.changes.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "time", Value: held.Time}})
			if err != nil {
				return nil, fmt.Errorf("release a lost request claim: %w", err)
			}
		}
		return nil, nil
	}
	c, err := s.change(ctx, changeID(held.Resource, held.Version))
	if err != nil {
		return nil, err
	}
	if c == nil || c.After.Name == "" {
		// Purged (erased) since, or forgotten: the result is gone, and
		// running the request again would make something new.
		return nil, apierr.NotFound(held.Resource)
	}
	return &c.After, nil
}

// settle records which change holds a claimed request's result. It is an
// update, never an insert: a claim purged with its resource stays purged.
func (s *Store[T]) settle(ctx context.Context, c *Change[T]) error {
	return s.settleAt(ctx, requestKey(c.Actor, c.RequestID), c.Version)
}

func (s *Store[T]) settleAt(ctx context.Context, key string, version int64) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: version}}}}
	if _, err := s.changes.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, update); err != nil {
		return fmt.Errorf("settle request: %w", err)
	}
	return nil
}

// release gives up a claim whose attempt failed before recording a change,
// so that a retry runs the request again (only successes are replayed).
func (s *Store[T]) release(ctx context.Context, c *requestClaim) {
	_, _ = s.changes.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: c.ID}})
}
