package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"
)

// sendersAtOnce bounds the POSTs in flight: a slow receiver holds one.
const sendersAtOnce = 8

// pruneEvery is how often finished deliveries older than Options.Keep go.
const pruneEvery = time.Hour

// Run relays and delivers until ctx ends. Run one per process: replicas
// share the work safely (claims), each with its own Run.
func (d *Dispatcher) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(d.opts.Poll)
	defer t.Stop()
	var pruned time.Time
	for {
		if err := d.relay(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "webhooks: relaying events; will retry", "error", err)
		}
		if err := d.sendDue(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "webhooks: delivering; will retry", "error", err)
		}
		if time.Since(pruned) > pruneEvery {
			if err := d.prune(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "webhooks: pruning the delivery log", "error", err)
			}
			pruned = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// sendDue makes the next attempt of every queued delivery that is due.
func (d *Dispatcher) sendDue(ctx context.Context) error {
	cur, err := d.queue.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("read the queue: %w", err)
	}
	var due []queued
	if err := cur.All(ctx, &due); err != nil {
		return fmt.Errorf("read the queue: %w", err)
	}
	d.opts.Metrics.queueDepth.Set(float64(len(due)))
	now := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(sendersAtOnce)
	for _, q := range due {
		if q.Due.After(now) {
			continue
		}
		g.Go(func() error { return d.attempt(gctx, q.ID) })
	}
	return g.Wait()
}

// attempt posts a delivery once and records what happened.
func (d *Dispatcher) attempt(ctx context.Context, id string) error {
	var del Delivery
	err := d.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&del)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && del.State != StatePending) {
		return d.dequeue(ctx, id) // forgotten, or done by another replica
	}
	if err != nil {
		return fmt.Errorf("read a delivery: %w", err)
	}
	n := len(del.Attempts) + 1
	if _, err := d.claims.InsertOne(ctx, bson.D{{Key: "_id", Value: claimID(id, n)}}); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil // another replica makes this attempt
		}
		return fmt.Errorf("claim an attempt: %w", err)
	}
	eps, err := d.endpoints(ctx)
	if err != nil {
		return err
	}
	var ep *Endpoint
	for i := range eps {
		if eps[i].ID == del.Endpoint {
			ep = &eps[i]
		}
	}
	var a Attempt
	switch {
	case ep == nil:
		// Deleted with its log (see Forget); a delivery that slipped past
		// goes with it.
		if _, err := d.deliveries.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("drop a delivery: %w", err)
		}
		return d.finish(ctx, id, n)
	case ep.Disabled:
		a = Attempt{Time: time.Now().UTC(), Error: "the endpoint is disabled"}
	default:
		a = d.post(ctx, ep, &del)
	}
	del.Attempts = append(del.Attempts, a)
	next := a.Time.Add(d.backoff(n)).Truncate(time.Millisecond)
	done := false
	switch {
	case a.Status >= 200 && a.Status < 300:
		del.State, del.Delivered, done = StateDelivered, a.Time, true
	case ep.Disabled || next.After(del.GiveUpAt):
		del.State, done = StateFailed, true
	default:
		del.NextTry = next
	}
	if done && del.Scrub {
		del.Body = nil
	}
	// One writer: this attempt's claim holder.
	if _, err := d.deliveries.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, del); err != nil {
		return fmt.Errorf("record an attempt: %w", err)
	}
	d.opts.Metrics.deliveries.WithLabelValues(outcome(del.State)).Inc()
	if !done {
		return d.enqueue(ctx, id, del.NextTry)
	}
	return d.finish(ctx, id, n)
}

// outcome is what an attempt that left a delivery in state counts as.
func outcome(state string) string {
	switch state {
	case StateDelivered:
		return outcomeDelivered
	case StateFailed:
		return outcomeFailed
	}
	return outcomeRetried
}

// finish takes a done delivery off the queue, with its claims.
func (d *Dispatcher) finish(ctx context.Context, id string, attempts int) error {
	if err := d.dequeue(ctx, id); err != nil {
		return err
	}
	for n := 1; n <= attempts; n++ {
		if _, err := d.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: claimID(id, n)}}); err != nil {
			return fmt.Errorf("drop a claim: %w", err)
		}
	}
	return nil
}

func (d *Dispatcher) dequeue(ctx context.Context, id string) error {
	if _, err := d.queue.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("dequeue a delivery: %w", err)
	}
	return nil
}

func claimID(delivery string, attempt int) string {
	return delivery + "#" + strconv.Itoa(attempt)
}

// maxErrorBytes bounds the error an attempt keeps (a receiver's body, a
// network error).
const maxErrorBytes = 300

// post sends a delivery, signed with each of the endpoint's secrets.
func (d *Dispatcher) post(ctx context.Context, ep *Endpoint, del *Delivery) Attempt {
	start := time.Now()
	a := Attempt{Time: start.UTC().Truncate(time.Millisecond)}
	sigs, err := sign(ep.Secrets, del.EventID, start, del.Body)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(del.Body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Yardstick-Webhooks/1")
	req.Header.Set("webhook-id", del.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(start.Unix(), 10))
	req.Header.Set("webhook-signature", sigs)
	resp, err := d.opts.Client.Do(req)
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = clip(err.Error())
		return a
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
		a.Error = clip(strings.TrimSpace(string(b)))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return a
}

// sign is the webhook-signature header: "v1,<signature>" for each secret,
// separated by spaces, as the specification allows during a rotation.
func sign(secrets []string, id string, at time.Time, body []byte) (string, error) {
	var sigs []string
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return "", fmt.Errorf("a webhook secret: %w", err)
		}
		sig, err := wh.Sign(id, at, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 0 {
		return "", errors.New("the endpoint has no secret")
	}
	return strings.Join(sigs, " "), nil
}

func clip(s string) string {
	if len(s) <= maxErrorBytes {
		return s
	}
	return s[:maxErrorBytes] + "…"
}

// backoff is the wait after the nth failed attempt: FirstRetry doubled
// n-1 times, at most MaxRetry, ±20 %.
func (d *Dispatcher) backoff(n int) time.Duration {
	wait := d.opts.FirstRetry
	for i := 1; i < n && wait < d.opts.MaxRetry; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.MaxRetry)
	return time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
}
