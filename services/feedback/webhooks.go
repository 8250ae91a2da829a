package feedback

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	"github.com/yardstick-dev/yardstick/pkg/webhooks"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Event types: what happened, as webhooks name it (events.go emits them).
const (
	eventScorecardSubmitted  = "scorecard.submitted"
	eventScorecardAmended    = "scorecard.amended"
	eventLoopCompleted       = "loop.completed"
	eventCandidateErased     = "candidate.erased"
	eventCalibrationComputed = "calibration.computed"
	eventDecisionMade        = "decision.made"
)

var eventTypes = []string{eventScorecardSubmitted, eventScorecardAmended, eventLoopCompleted, eventCandidateErased, eventCalibrationComputed,
	eventFrameworkPublished, eventRubricPublished, eventDecisionMade}

const (
	webhooksPrefix  = "webhooks/"
	maxURLLen       = 2000
	defaultOverlap  = 24 * time.Hour
	maxOverlap      = 7 * 24 * time.Hour
	maxWebhookTypes = 20
)

// webhook is a registered endpoint's document.
type webhook struct {
	URL         string   `bson:"url"`
	EventTypes  []string `bson:"event_types"`
	Description string   `bson:"description,omitempty"`
	Disabled    bool     `bson:"disabled"`
	// Secrets sign deliveries, the current one first; a rotated-out one
	// keeps signing until its Expires.
	Secrets []webhookSecret `bson:"secrets"`
}

type webhookSecret struct {
	Value   string    `bson:"value"`
	Expires time.Time `bson:"expires,omitempty"` // zero: the current secret
}

// endpoints lists the registered webhooks for the dispatcher, with the
// secrets that sign now. The collection holds a handful of documents.
func (s *Store) endpoints(ctx context.Context) ([]webhooks.Endpoint, error) {
	var out []webhooks.Endpoint
	now := time.Now()
	err := s.webhooks.Scan(ctx, nil, func(d *versioned.Doc[webhook]) error {
		ep := webhooks.Endpoint{ID: d.Name, URL: d.Data.URL, Types: d.Data.EventTypes, Disabled: d.Data.Disabled}
		for _, sec := range d.Data.Secrets {
			if sec.Expires.IsZero() || sec.Expires.After(now) {
				ep.Secrets = append(ep.Secrets, sec.Value)
			}
		}
		out = append(out, ep)
		return nil
	})
	return out, err
}

// CreateWebhook registers an endpoint and returns its secret, once.
func (s *Server) CreateWebhook(ctx context.Context, req *feedbackv1.CreateWebhookRequest) (*feedbackv1.Webhook, error) {
	in := req.GetWebhook()
	w := webhookFromProto(in)
	if err := validateWebhook(w, "webhook"); err != nil {
		return nil, err
	}
	w.Secrets = []webhookSecret{{Value: webhooks.NewSecret()}}
	id := req.GetWebhookId()
	if id == "" {
		id = "w" + randomHex(6)
	}
	doc, err := s.store.webhooks.Apply(ctx, webhooksPrefix+id, principal.User(ctx), versioned.Expect{Exists: versioned.MustNotExist},
		func(*versioned.Doc[webhook]) (versioned.Edit[webhook], error) {
			return versioned.Edit[webhook]{Kind: kindCreate, Data: w}, nil
		})
	if errors.Is(err, apierr.ErrConflict) {
		err = apierr.AlreadyExists(webhooksPrefix + id)
	}
	if err != nil {
		return nil, err
	}
	s.store.hooks.Changed()
	return webhookToProto(doc, true), nil
}

// GetWebhook returns a webhook without its secret.
func (s *Server) GetWebhook(ctx context.Context, req *feedbackv1.GetWebhookRequest) (*feedbackv1.Webhook, error) {
	doc, err := s.store.webhooks.Get(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return webhookToProto(doc, false), nil
}

// ListWebhooks lists the webhooks by name.
func (s *Server) ListWebhooks(ctx context.Context, req *feedbackv1.ListWebhooksRequest) (*feedbackv1.ListWebhooksResponse, error) {
	const query = "webhooks"
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	docs, err := s.store.webhooks.List(ctx, after, size+1, nil)
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListWebhooksResponse{}
	for i := range docs[:min(size, len(docs))] {
		resp.Webhooks = append(resp.Webhooks, webhookToProto(&docs[i], false))
	}
	if len(docs) > size {
		resp.NextPageToken = paging.Token(docs[size-1].Name, query)
	}
	return resp, nil
}

var webhookMask = fieldcheck.UpdateMask{
	Updatable: []string{"url", "event_types", "description", "disabled"},
	Ignored: map[string]bool{"name": true, "etag": true, "secret": true, "previous_secret_expire_time": true,
		"create_time": true, "update_time": true},
}

// UpdateWebhook changes the fields the mask names.
func (s *Server) UpdateWebhook(ctx context.Context, req *feedbackv1.UpdateWebhookRequest) (*feedbackv1.Webhook, error) {
	in := req.GetWebhook()
	if id, ok := strings.CutPrefix(in.GetName(), webhooksPrefix); !ok || !fieldcheck.IDPattern.MatchString(id) {
		return nil, apierr.Invalid("webhook.name", "must name a webhook: webhooks/{webhook}, with a lower-case ID")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("webhook.etag", "required: send the etag of the version you are changing")
	}
	set := map[string]bool{"url": in.GetUrl() != "", "event_types": len(in.GetEventTypes()) > 0,
		"description": in.GetDescription() != "", "disabled": in.GetDisabled()}
	paths, err := webhookMask.Paths(req.GetUpdateMask().GetPaths(), func(f string) bool { return set[f] })
	if err != nil {
		return nil, err
	}
	next := webhookFromProto(in)
	doc, err := s.store.webhooks.Apply(ctx, in.GetName(), principal.User(ctx), versioned.Expect{ETag: in.GetEtag(), Exists: versioned.MustExist},
		func(cur *versioned.Doc[webhook]) (versioned.Edit[webhook], error) {
			w := cur.Data
			for _, p := range paths {
				switch p {
				case "url":
					w.URL = next.URL
				case "event_types":
					w.EventTypes = next.EventTypes
				case "description":
					w.Description = next.Description
				case "disabled":
					w.Disabled = next.Disabled
				}
			}
			if err := validateWebhook(w, "webhook"); err != nil {
				return versioned.Edit[webhook]{}, err
			}
			return versioned.Edit[webhook]{Kind: kindUpdate, Fields: paths, Data: w}, nil
		})
	if err != nil {
		return nil, err
	}
	s.store.hooks.Changed()
	return webhookToProto(doc, false), nil
}

// DeleteWebhook deletes a webhook with its delivery log.
func (s *Server) DeleteWebhook(ctx context.Context, req *feedbackv1.DeleteWebhookRequest) (*emptypb.Empty, error) {
	_, err := s.store.webhooks.Apply(ctx, req.GetName(), principal.User(ctx), versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist},
		func(*versioned.Doc[webhook]) (versioned.Edit[webhook], error) {
			return versioned.Edit[webhook]{Kind: kindDelete, Delete: true}, nil
		})
	if err != nil {
		return nil, err
	}
	if err := s.store.hooks.ForgetEndpoint(ctx, req.GetName()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// RotateWebhookSecret makes a new secret; the current one signs beside it
// until the overlap ends.
func (s *Server) RotateWebhookSecret(ctx context.Context, req *feedbackv1.RotateWebhookSecretRequest) (*feedbackv1.Webhook, error) {
	overlap := defaultOverlap
	if d := req.GetOverlap(); d != nil {
		if !d.IsValid() || d.AsDuration() < 0 || d.AsDuration() > maxOverlap {
			return nil, apierr.Invalid("overlap", "must be between 0s and %s", maxOverlap)
		}
		overlap = d.AsDuration()
	}
	doc, err := s.store.webhooks.Apply(ctx, req.GetName(), principal.User(ctx), versioned.Expect{Exists: versioned.MustExist},
		func(cur *versioned.Doc[webhook]) (versioned.Edit[webhook], error) {
			w := cur.Data
			now := time.Now().UTC().Truncate(time.Millisecond)
			kept := []webhookSecret{{Value: webhooks.NewSecret()}}
			if len(w.Secrets) > 0 && overlap > 0 {
				// Only the current one overlaps: an older one ends now.
				kept = append(kept, webhookSecret{Value: w.Secrets[0].Value, Expires: now.Add(overlap)})
			}
			w.Secrets = kept
			return versioned.Edit[webhook]{Kind: "rotate_secret", Data: w}, nil
		})
	if err != nil {
		return nil, err
	}
	s.store.hooks.Changed()
	return webhookToProto(doc, true), nil
}

// ListWebhookDeliveries lists a webhook's deliveries, newest first.
func (s *Server) ListWebhookDeliveries(ctx context.Context, req *feedbackv1.ListWebhookDeliveriesRequest) (*feedbackv1.ListWebhookDeliveriesResponse, error) {
	if _, err := s.store.webhooks.Get(ctx, req.GetParent()); err != nil {
		return nil, err
	}
	query := req.GetParent() + "/deliveries"
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	dels, err := s.store.hooks.Deliveries(ctx, req.GetParent(), after, size+1)
	if errors.Is(err, webhooks.ErrNotFound) {
		return nil, apierr.Invalid("page_token", "names a delivery that is gone: list from the first page")
	}
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListWebhookDeliveriesResponse{}
	for i := range dels[:min(size, len(dels))] {
		resp.Deliveries = append(resp.Deliveries, deliveryToProto(&dels[i]))
	}
	if len(dels) > size {
		resp.NextPageToken = paging.Token(dels[size-1].ID, query)
	}
	return resp, nil
}

// RedeliverWebhookDelivery sends a delivery that is done again.
func (s *Server) RedeliverWebhookDelivery(ctx context.Context, req *feedbackv1.RedeliverWebhookDeliveryRequest) (*feedbackv1.WebhookDelivery, error) {
	hook, msg, _ := strings.Cut(strings.TrimPrefix(req.GetName(), webhooksPrefix), "/deliveries/")
	del, err := s.store.hooks.Redeliver(ctx, webhooksPrefix+hook, msg)
	switch {
	case errors.Is(err, webhooks.ErrNotFound):
		return nil, apierr.NotFound(req.GetName())
	case errors.Is(err, webhooks.ErrPending):
		return nil, apierr.FailedPrecondition("%s is still being tried: wait until it is delivered or failed", req.GetName())
	case errors.Is(err, webhooks.ErrScrubbed):
		return nil, apierr.FailedPrecondition("%s announced an erasure and its body is gone: it cannot be sent again", req.GetName())
	case err != nil:
		return nil, err
	}
	return deliveryToProto(del), nil
}

// validateWebhook checks a webhook's editable fields.
func validateWebhook(w webhook, prefix string) error {
	var v apierr.Violations
	switch u, err := url.Parse(w.URL); {
	case w.URL == "":
		v.Add(prefix+".url", "required: the https:// URL to post events to")
	case len(w.URL) > maxURLLen:
		v.Add(prefix+".url", "at most %d characters", maxURLLen)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		v.Add(prefix+".url", "must be an absolute http:// or https:// URL, without credentials")
	}
	if len(w.EventTypes) == 0 {
		v.Add(prefix+".event_types", "required: one or more of %s", strings.Join(eventTypes, ", "))
	}
	if len(w.EventTypes) > maxWebhookTypes {
		v.Add(prefix+".event_types", "at most %d", maxWebhookTypes)
	}
	for i, t := range w.EventTypes {
		if !slices.Contains(eventTypes, t) {
			v.Add(fmt.Sprintf("%s.event_types[%d]", prefix, i), "unknown event type %q: one of %s", apierr.Clip(t, 64), strings.Join(eventTypes, ", "))
		}
	}
	fieldcheck.Text(&v, prefix+".description", w.Description, maxNameLen, false)
	return v.Err()
}

func webhookFromProto(p *feedbackv1.Webhook) webhook {
	var types []string // in the order given (errors name them so), each once
	for _, t := range p.GetEventTypes() {
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return webhook{URL: p.GetUrl(), EventTypes: types, Description: p.GetDescription(), Disabled: p.GetDisabled()}
}

// webhookToProto shows a webhook; withSecret only to the call that made
// the secret.
func webhookToProto(d *versioned.Doc[webhook], withSecret bool) *feedbackv1.Webhook {
	p := &feedbackv1.Webhook{
		Name: d.Name, Url: d.Data.URL, EventTypes: d.Data.EventTypes, Description: d.Data.Description, Disabled: d.Data.Disabled,
		Etag: d.ETag(), CreateTime: timestamppb.New(d.CreateTime), UpdateTime: timestamppb.New(d.UpdateTime),
	}
	for _, sec := range d.Data.Secrets {
		switch {
		case sec.Expires.IsZero() && withSecret:
			p.Secret = sec.Value
		case !sec.Expires.IsZero() && sec.Expires.After(time.Now()):
			p.PreviousSecretExpireTime = timestamppb.New(sec.Expires)
		}
	}
	return p
}

var deliveryStates = map[string]feedbackv1.WebhookDelivery_State{
	webhooks.StatePending: feedbackv1.WebhookDelivery_STATE_PENDING, webhooks.StateDelivered: feedbackv1.WebhookDelivery_STATE_DELIVERED,
	webhooks.StateFailed: feedbackv1.WebhookDelivery_STATE_FAILED,
}

func deliveryToProto(d *webhooks.Delivery) *feedbackv1.WebhookDelivery {
	p := &feedbackv1.WebhookDelivery{
		Name: d.Endpoint + "/deliveries/" + d.EventID, EventType: d.Type, State: deliveryStates[d.State],
		CreateTime: timestamppb.New(d.Created), Body: string(d.Body),
	}
	if d.State == webhooks.StatePending {
		p.NextAttemptTime, p.GiveUpTime = timestamppb.New(d.NextTry), timestamppb.New(d.GiveUpAt)
	}
	for _, a := range d.Attempts {
		p.Attempts = append(p.Attempts, &feedbackv1.WebhookDelivery_Attempt{
			Time: timestamppb.New(a.Time), ResponseCode: int32(a.Status), Error: a.Error, Duration: durationpb.New(a.Duration),
		})
	}
	return p
}
