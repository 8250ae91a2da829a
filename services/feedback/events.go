package feedback

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
	"github.com/yardstick-dev/yardstick/pkg/webhooks"
)

// The events the feedback service sends to webhooks. Each is emitted
// before the change behind it is acknowledged (or when a crashed writer's
// change is rolled forward), keyed by that change, so an acknowledged
// change always has its event and an event emitted twice is sent once
// (pkg/webhooks). Payloads name resources and people; they never carry
// evidence, scores, recommendations or notes: receivers read those with
// their own credentials, under the same rules as everyone.

// emit puts an event about a subject (a candidate's name, or "") in the
// outbox; key is what makes it unique.
func (s *Store) emit(ctx context.Context, eventType, key, subject string, at time.Time, data any, scrub bool) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.hooks.Emit(ctx, webhooks.Event{
		ID: webhooks.MessageID(eventType + "/" + key), Type: eventType, Time: at, Subject: subject, Data: b, Scrub: scrub,
	})
}

// scorecardEvent follows a scorecard's submit or amendment (the scorecard
// store's Emit): scorecard.submitted or .amended, and loop.completed when
// the submit was the panel's last.
func (s *Store) scorecardEvent(ctx context.Context, c *versioned.Change[scorecard]) error {
	eventType := map[string]string{kindSubmit: eventScorecardSubmitted, kindAmend: eventScorecardAmended}[c.Kind]
	if eventType == "" {
		return nil
	}
	cand, id := splitInterview(c.Resource)
	data := map[string]any{
		"scorecard": c.Resource, "interview": interviewName(cand, id), "candidate": cand,
		"interviewer": c.After.Data.Interviewer, "actor": c.Actor, "version": c.Version, "time": c.Time,
	}
	if err := s.emit(ctx, eventType, c.ID, cand, c.Time, data, false); err != nil {
		return err
	}
	if c.Kind != kindSubmit {
		return nil
	}
	return s.loopEvent(ctx, cand, c.Time)
}

// decisionEvent follows each version of a hiring decision. Like every
// payload here it names, and does not tell: the receiver reads the outcome
// and the rationale through the API, under the decision's rules.
func (s *Store) decisionEvent(ctx context.Context, c *versioned.Change[decision]) error {
	cand := strings.TrimSuffix(c.Resource, decisionSuffix)
	data := map[string]any{
		"decision": c.Resource, "candidate": cand, "amended": len(c.After.Data.Amendments) > 0,
		"actor": c.Actor, "version": c.Version, "time": c.Time,
	}
	return s.emit(ctx, eventDecisionMade, c.ID, cand, c.Time, data, false)
}

// loopEvent emits loop.completed when every interview of a candidate's
// panel has its scorecard submitted. It runs after each submit's own
// write, so of two last submits at once the later one sees both; both may
// emit it, and it is keyed by the panel, so it is sent once (again if an
// interview is added and submitted later).
func (s *Store) loopEvent(ctx context.Context, cand string, at time.Time) error {
	if want, err := s.hooks.Wanted(ctx, eventLoopCompleted); err != nil || !want {
		return err
	}
	doc, err := s.candidates.Stored(ctx, cand)
	if err != nil || !doc.Live() || len(doc.Data.Interviews) == 0 {
		return err
	}
	ivs := doc.Data.Interviews
	submitted := make([]bool, len(ivs))
	err = readEach(ctx, len(ivs), func(ctx context.Context, i int) error {
		sc, err := s.scorecards.Stored(ctx, scorecardName(cand, ivs[i].ID))
		submitted[i] = err == nil && sc.Live() && sc.Data.Submitted
		return err
	})
	if err != nil || slices.Contains(submitted, false) {
		return err
	}
	ids := make([]string, len(ivs))
	for i, iv := range ivs {
		ids[i] = iv.ID
	}
	slices.Sort(ids)
	data := map[string]any{"candidate": cand, "role": doc.Data.Role, "interviews": strconv.Itoa(len(ivs)), "time": at}
	if doc.Data.Source != "" {
		data["source"], data["external_id"] = doc.Data.Source, doc.Data.ExternalID
	}
	return s.emit(ctx, eventLoopCompleted, cand+"|"+strings.Join(ids, ","), cand, at, data, false)
}

// erasedEvent announces an erasure, once its purge is done, after dropping
// every earlier event about the candidate. It names the candidate (and its
// ID in the applicant tracking system it came from, so that the erasure can
// follow there); the delivery drops that once it is done (Scrub).
func (s *Store) erasedEvent(ctx context.Context, cand string, tomb *versioned.Doc[candidate]) error {
	if err := s.hooks.Forget(ctx, cand); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	data := map[string]any{"candidate": cand, "time": now}
	if tomb != nil && tomb.Data.Source != "" {
		data["source"], data["external_id"] = tomb.Data.Source, tomb.Data.ExternalID
	}
	return s.emit(ctx, eventCandidateErased, cand, "", now, data, true)
}

// calibrationEvent announces a role's kept calibration report.
func (s *Store) calibrationEvent(ctx context.Context, role, actor string, scorecards int, at time.Time) error {
	data := map[string]any{"calibration": "roles/" + role + "/calibration", "role": role, "scorecards": scorecards, "actor": actor, "time": at}
	return s.emit(ctx, eventCalibrationComputed, role+"@"+at.Format(time.RFC3339Nano), "", at, data, false)
}

// DeliverWebhooks relays the outbox and delivers it until ctx ends: run it
// once per process beside the server.
func (s *Store) DeliverWebhooks(ctx context.Context, log *slog.Logger) { s.hooks.Run(ctx, log) }
