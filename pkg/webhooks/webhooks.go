// Package webhooks sends a service's events to the HTTP endpoints admins
// register, signed as the Standard Webhooks specification says
// (https://www.standardwebhooks.com: headers webhook-id, webhook-timestamp
// and webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>").
//
// The path of an event, and what holds at each step:
//
//  1. Emit puts the event in the outbox (collection webhook_events), keyed
//     by an ID the change that caused it determines ("scorecard.submitted/
//     candidates/c/interviews/i/scorecard#3"): the service emits it before
//     it acknowledges the change (or when it rolls a crashed writer's change
//     forward), so an acknowledged change always has its event, and emitting
//     it twice stores it once.
//  2. The relay fans each outbox event out into one delivery per endpoint
//     that wants its type (webhook_deliveries, keyed "{endpoint}/{event}"),
//     queues each new delivery (webhook_queue), and only then drops the
//     event: a crash in between redoes the fan-out, and a delivery that
//     exists already is never queued again once it is done.
//  3. The sender posts each queued delivery when it is due. An attempt is
//     claimed first (webhook_claims, "{delivery}#{attempt}"), so two replicas
//     never send the same attempt; a failure is retried with exponential
//     back-off until GiveUpAfter (24 h) from the delivery's creation, and
//     then the delivery is marked failed. All of this runs in the
//     background: a receiver that is slow or down never slows a write.
//
// Every hot step is a point operation by _id, or a scan of a collection
// that holds only what is in flight (the outbox, the queue); the delivery
// log is scanned only when an admin lists it (an index serves it on
// MongoDB).
package webhooks

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Event is something that happened, as receivers get it: the body of a
// delivery is {"type", "timestamp", "data"}.
type Event struct {
	ID   string    `bson:"_id"`
	Type string    `bson:"type"`
	Time time.Time `bson:"time"`
	// Subject is the resource the event is about, whose erasure takes the
	// event with it (Forget): a candidate's name.
	Subject string `bson:"subject,omitempty"`
	// Data is the event's JSON payload: names and IDs, never content.
	Data json.RawMessage `bson:"data"`
	// Scrub drops the delivery's body once it is delivered or given up:
	// for an erasure's event, which names what must not stay.
	Scrub bool `bson:"scrub,omitempty"`
}

// Endpoint is where events go: a registered webhook.
type Endpoint struct {
	ID    string
	URL   string
	Types []string
	// Secrets sign each delivery, newest first ("whsec_…"): during a
	// rotation's overlap every delivery is signed with each of them.
	Secrets  []string
	Disabled bool
}

func (e *Endpoint) wants(eventType string) bool {
	if e.Disabled {
		return false
	}
	for _, t := range e.Types {
		if t == eventType {
			return true
		}
	}
	return false
}

// Delivery states.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// Delivery is one event on its way to one endpoint, with every attempt.
type Delivery struct {
	ID        string          `bson:"_id"` // {endpoint}/{event ID}
	Endpoint  string          `bson:"endpoint"`
	EventID   string          `bson:"event_id"`
	Type      string          `bson:"type"`
	Subject   string          `bson:"subject,omitempty"`
	Body      json.RawMessage `bson:"body"`
	Created   time.Time       `bson:"created"`
	State     string          `bson:"state"`
	Attempts  []Attempt       `bson:"attempts"`
	NextTry   time.Time       `bson:"next_try"`
	GiveUpAt  time.Time       `bson:"give_up_at"`
	Delivered time.Time       `bson:"delivered,omitempty"`
	Scrub     bool            `bson:"scrub,omitempty"`
}

// Attempt is one POST of a delivery.
type Attempt struct {
	Time     time.Time     `bson:"time"`
	Status   int           `bson:"status"` // the HTTP status; 0 when there was no response
	Error    string        `bson:"error,omitempty"`
	Duration time.Duration `bson:"duration"`
}

// Options tune a Dispatcher; zero values take the defaults.
type Options struct {
	// FirstRetry is the back-off after the first failure (5 s); each next
	// one doubles, up to MaxRetry (1 h), with ±20 % jitter.
	FirstRetry, MaxRetry time.Duration
	// GiveUpAfter is how long a delivery is retried from its creation (24 h).
	GiveUpAfter time.Duration
	// Poll is how often the outbox and the queue are read when nothing
	// wakes the dispatcher (1 s); Emit wakes it at once.
	Poll time.Duration
	// Timeout bounds one POST (10 s).
	Timeout time.Duration
	// Client sends the POSTs; a client with Timeout when nil.
	Client *http.Client
	// Keep is how long finished deliveries stay in the log (30 days).
	Keep time.Duration
	// Metrics count attempts and the queue; unregistered ones when nil.
	Metrics *Metrics
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.FirstRetry, 5*time.Second)
	def(&o.MaxRetry, time.Hour)
	def(&o.GiveUpAfter, 24*time.Hour)
	def(&o.Poll, time.Second)
	def(&o.Timeout, 10*time.Second)
	def(&o.Keep, 30*24*time.Hour)
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
}

// Dispatcher keeps a service's outbox and delivers it.
type Dispatcher struct {
	events, deliveries, queue, claims *mongo.Collection
	endpoints                         func(context.Context) ([]Endpoint, error)
	opts                              Options
	wake                              chan struct{}

	mu       sync.Mutex
	cached   []Endpoint // for Emit's "does anyone want it?"
	cachedAt time.Time
}

// New returns a dispatcher over db's webhook collections. endpoints lists
// the registered endpoints.
func New(db *mongo.Database, endpoints func(context.Context) ([]Endpoint, error), opts Options) *Dispatcher {
	opts.defaults()
	return &Dispatcher{
		events: db.Collection("webhook_events"), deliveries: db.Collection("webhook_deliveries"),
		queue: db.Collection("webhook_queue"), claims: db.Collection("webhook_claims"),
		endpoints: endpoints, opts: opts, wake: make(chan struct{}, 1),
	}
}

// Indexes are the dispatcher's collections and their indexes: the log is
// listed per endpoint, newest first, and erasure finds by subject.
func (d *Dispatcher) Indexes() map[*mongo.Collection][]mongo.IndexModel {
	return map[*mongo.Collection][]mongo.IndexModel{
		d.events: nil, d.queue: nil, d.claims: nil,
		d.deliveries: {
			{Keys: bson.D{{Key: "endpoint", Value: 1}, {Key: "created", Value: -1}}},
			{Keys: bson.D{{Key: "subject", Value: 1}}},
		},
	}
}

// Changed drops what the dispatcher remembers of the endpoints: call it
// when one is created, changed or deleted.
func (d *Dispatcher) Changed() {
	d.mu.Lock()
	d.cached, d.cachedAt = nil, time.Time{}
	d.mu.Unlock()
}
