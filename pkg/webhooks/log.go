package webhooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ErrNotFound is a delivery that is not in the log.
var ErrNotFound = errors.New("no such delivery")

// ErrPending is a redelivery of a delivery still being tried.
var ErrPending = errors.New("the delivery is still being tried")

// ErrScrubbed is a redelivery of a delivery whose body is gone.
var ErrScrubbed = errors.New("the delivery's body was dropped once it was done")

// Deliveries returns an endpoint's deliveries, newest first, after the
// given one (its ID; "" for the first page), at most limit of them.
func (d *Dispatcher) Deliveries(ctx context.Context, endpoint, after string, limit int) ([]Delivery, error) {
	filter := bson.D{{Key: "endpoint", Value: endpoint}}
	if after != "" {
		var last Delivery
		if err := d.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: after}}).Decode(&last); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				return nil, ErrNotFound
			}
			return nil, fmt.Errorf("read a delivery: %w", err)
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "created", Value: bson.D{{Key: "$lt", Value: last.Created}}}},
			bson.D{{Key: "created", Value: last.Created}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: last.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	cur, err := d.deliveries.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	var out []Delivery
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// Delivery returns one delivery of an endpoint.
func (d *Dispatcher) Delivery(ctx context.Context, endpoint, eventID string) (*Delivery, error) {
	var del Delivery
	err := d.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: endpoint + "/" + eventID}}).Decode(&del)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read a delivery: %w", err)
	}
	return &del, nil
}

// Redeliver sends a delivery that is done (delivered or failed) again, with
// a new retry window: for a receiver that lost it, or that was down for
// longer than the window.
func (d *Dispatcher) Redeliver(ctx context.Context, endpoint, eventID string) (*Delivery, error) {
	del, err := d.Delivery(ctx, endpoint, eventID)
	if err != nil {
		return nil, err
	}
	switch {
	case del.State == StatePending:
		return nil, ErrPending
	case del.Body == nil:
		return nil, ErrScrubbed
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	del.State, del.NextTry, del.GiveUpAt, del.Delivered = StatePending, now, now.Add(d.opts.GiveUpAfter), time.Time{}
	if _, err := d.deliveries.ReplaceOne(ctx, bson.D{{Key: "_id", Value: del.ID}}, del); err != nil {
		return nil, fmt.Errorf("redeliver: %w", err)
	}
	if err := d.enqueue(ctx, del.ID, now); err != nil {
		return nil, err
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return del, nil
}

// Forget drops every event and delivery about a subject (an erased
// candidate), pending or done, with their queue entries and claims.
func (d *Dispatcher) Forget(ctx context.Context, subject string) error {
	if _, err := d.events.DeleteMany(ctx, bson.D{{Key: "subject", Value: subject}}); err != nil {
		return fmt.Errorf("forget events: %w", err)
	}
	return d.drop(ctx, bson.D{{Key: "subject", Value: subject}})
}

// ForgetEndpoint drops a deleted endpoint's deliveries.
func (d *Dispatcher) ForgetEndpoint(ctx context.Context, endpoint string) error {
	d.Changed()
	return d.drop(ctx, bson.D{{Key: "endpoint", Value: endpoint}})
}

// drop deletes the deliveries a filter matches, queue and claims first.
func (d *Dispatcher) drop(ctx context.Context, filter bson.D) error {
	opts := options.Find().SetProjection(bson.D{{Key: "attempts", Value: 1}})
	cur, err := d.deliveries.Find(ctx, filter, opts)
	if err != nil {
		return fmt.Errorf("find deliveries: %w", err)
	}
	var dels []Delivery
	if err := cur.All(ctx, &dels); err != nil {
		return fmt.Errorf("find deliveries: %w", err)
	}
	for _, del := range dels {
		if err := d.finish(ctx, del.ID, len(del.Attempts)+1); err != nil {
			return err
		}
	}
	if _, err := d.deliveries.DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("drop deliveries: %w", err)
	}
	return nil
}

// prune drops finished deliveries older than Options.Keep.
func (d *Dispatcher) prune(ctx context.Context) error {
	_, err := d.deliveries.DeleteMany(ctx, bson.D{
		{Key: "state", Value: bson.D{{Key: "$ne", Value: StatePending}}},
		{Key: "created", Value: bson.D{{Key: "$lt", Value: time.Now().Add(-d.opts.Keep)}}},
	})
	if err != nil {
		return fmt.Errorf("prune deliveries: %w", err)
	}
	return nil
}
