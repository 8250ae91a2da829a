package webhooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// endpointsTTL is how long Emit trusts its copy of the endpoints. An
// endpoint created on another replica is seen by this one's Emit within it.
const endpointsTTL = 5 * time.Second

// relayBatch bounds the events one round of the relay fans out.
const relayBatch = 100

// MessageID is the message ID (webhook-id) of the event a key names: the
// same key, the same ID, so an event emitted twice is stored once. It is a
// hash, so that IDs do not carry the names in the key.
func MessageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "msg_" + hex.EncodeToString(sum[:12])
}

// Emit puts an event in the outbox, unless no endpoint wants its type;
// ev.ID is MessageID of a key that the change behind it determines.
// Emitting an event again changes nothing.
func (d *Dispatcher) Emit(ctx context.Context, ev Event) error {
	wanted, err := d.Wanted(ctx, ev.Type)
	if err != nil || !wanted {
		return err
	}
	if _, err := d.events.InsertOne(ctx, ev); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("emit %s: %w", ev.Type, err)
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return nil
}

// Wanted reports whether an endpoint wants events of a type, from a copy
// of the endpoints at most endpointsTTL old: for an event that costs reads
// to make.
func (d *Dispatcher) Wanted(ctx context.Context, eventType string) (bool, error) {
	d.mu.Lock()
	eps, fresh := d.cached, time.Since(d.cachedAt) < endpointsTTL
	d.mu.Unlock()
	if !fresh {
		var err error
		if eps, err = d.endpoints(ctx); err != nil {
			return false, err
		}
		d.mu.Lock()
		d.cached, d.cachedAt = eps, time.Now()
		d.mu.Unlock()
	}
	for i := range eps {
		if eps[i].wants(eventType) {
			return true, nil
		}
	}
	return false, nil
}

// body is what a receiver gets: the Standard Webhooks payload structure.
func body(ev *Event) (json.RawMessage, error) {
	return json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{ev.Type, ev.Time, ev.Data})
}

// relay fans the outbox's events out into deliveries, then drops them.
func (d *Dispatcher) relay(ctx context.Context) error {
	cur, err := d.events.Find(ctx, bson.D{}, options.Find().SetLimit(relayBatch))
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	var events []Event
	if err := cur.All(ctx, &events); err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	if len(events) == 0 {
		return nil
	}
	eps, err := d.endpoints(ctx)
	if err != nil {
		return err
	}
	for i := range events {
		ev := &events[i]
		for j := range eps {
			if eps[j].wants(ev.Type) {
				if err := d.fanOut(ctx, ev, &eps[j]); err != nil {
					return err
				}
			}
		}
		if _, err := d.events.DeleteOne(ctx, bson.D{{Key: "_id", Value: ev.ID}}); err != nil {
			return fmt.Errorf("drop a relayed event: %w", err)
		}
	}
	return nil
}

// queued is a delivery waiting for its next attempt.
type queued struct {
	ID  string    `bson:"_id"`
	Due time.Time `bson:"due"`
}

// fanOut makes an event's delivery to one endpoint and queues it. A
// delivery that exists (the relay ran before and stopped) is queued again
// only while it is pending: one that is done is never sent twice.
func (d *Dispatcher) fanOut(ctx context.Context, ev *Event, ep *Endpoint) error {
	b, err := body(ev)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	del := Delivery{
		ID: ep.ID + "/" + ev.ID, Endpoint: ep.ID, EventID: ev.ID, Type: ev.Type, Subject: ev.Subject, Body: b,
		Created: now, State: StatePending, Attempts: []Attempt{}, NextTry: now, GiveUpAt: now.Add(d.opts.GiveUpAfter),
		Scrub: ev.Scrub,
	}
	if _, err := d.deliveries.InsertOne(ctx, del); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("record a delivery: %w", err)
		}
		var have Delivery
		if err := d.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: del.ID}}).Decode(&have); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				return nil // forgotten (erased) meanwhile
			}
			return fmt.Errorf("read a delivery: %w", err)
		}
		if have.State != StatePending {
			return nil
		}
	}
	return d.enqueue(ctx, del.ID, now)
}

func (d *Dispatcher) enqueue(ctx context.Context, id string, due time.Time) error {
	_, err := d.queue.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, queued{ID: id, Due: due}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("queue a delivery: %w", err)
	}
	return nil
}
