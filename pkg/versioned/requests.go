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

// requestRecord remembers which change a request made, so that the same
// request again returns the first result (AIP-155). Its _id is the guard:
// "request#{actor}#{id}", in the change collection: request IDs are each
// caller's own, so nobody can spoil another's retries by guessing their IDs.
type requestRecord struct {
	ID       string    `bson:"_id"`
	Resource string    `bson:"resource"`
	Version  int64     `bson:"version"`
	Actor    string    `bson:"actor"`
	Time     time.Time `bson:"time"`
}

func requestKey(actor, id string) string { return "request#" + actor + "#" + id }

// Replay returns the result of the actor's earlier write that carried this
// request id, or nil when there was none.
func (s *Store[T]) Replay(ctx context.Context, requestID, actor string) (*Doc[T], error) {
	if len(requestID) > MaxRequestIDLength {
		return nil, apierr.Invalid("request_id", "must be at most %d characters", MaxRequestIDLength)
	}
	var r requestRecord
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: requestKey(actor, requestID)}}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find request: %w", err)
	}
	c, err := s.change(ctx, changeID(r.Resource, r.Version))
	if err != nil || c == nil { // nil: the resource was purged since
		return nil, err
	}
	return &c.After, nil
}

// rememberRequest writes the request record of a change; it is idempotent.
func (s *Store[T]) rememberRequest(ctx context.Context, c *Change[T]) error {
	r := requestRecord{ID: requestKey(c.Actor, c.RequestID), Resource: c.Resource, Version: c.Version, Actor: c.Actor, Time: c.Time}
	if _, err := s.changes.InsertOne(ctx, r); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("record request: %w", err)
	}
	return nil
}
