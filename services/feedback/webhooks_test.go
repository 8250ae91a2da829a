package feedback_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// received is one POST a receiver got.
type received struct {
	Header http.Header
	Body   []byte
	Type   string
	Data   map[string]any
}

// receiver is a real HTTP server on loopback that keeps what it gets.
type receiver struct {
	mu    sync.Mutex
	got   []received
	delay time.Duration
	srv   *http.Server
	addr  string
	// closed ends the delays of requests still being answered when the
	// test ends: the server's Close does not wait for its handlers, and
	// a handler asleep past the package's last test is a leak.
	closed chan struct{}
}

// listen serves a receiver on addr ("127.0.0.1:0" for any port) until the
// test ends.
func listen(t *testing.T, addr string, delay time.Duration) *receiver {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{delay: delay, addr: lis.Addr().String(), closed: make(chan struct{})}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(lis) }()
	t.Cleanup(func() { close(r.closed); _ = r.srv.Close() })
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	select {
	case <-time.After(r.delay):
	case <-r.closed:
	}
	var ev struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	_ = json.Unmarshal(b, &ev)
	r.mu.Lock()
	r.got = append(r.got, received{Header: req.Header.Clone(), Body: b, Type: ev.Type, Data: ev.Data})
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// wait returns the first event of a type the receiver got after skip
// events, waiting up to 20 s.
func (r *receiver) wait(t *testing.T, eventType string, skip int) received {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for i := skip; i < len(r.got); i++ {
			if r.got[i].Type == eventType {
				got := r.got[i]
				r.mu.Unlock()
				return got
			}
		}
		r.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s event within 20 s", eventType)
	return received{}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// verify checks a delivery's signature as the specification says, with
// its reference library.
func verify(t *testing.T, secret string, got received) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(got.Body, got.Header); err != nil {
		t.Fatalf("the %s delivery does not verify: %v (headers %v)", got.Type, err, got.Header)
	}
}

func allEvents() []string {
	return []string{"scorecard.submitted", "scorecard.amended", "loop.completed", "candidate.erased", "calibration.computed", "decision.made"}
}

func TestWebhooksFollowTheLoop(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	r := listen(t, "127.0.0.1:0", 0)
	hook, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{WebhookId: "ats", Webhook: &feedbackv1.Webhook{
		Url: "http://" + r.addr + "/hooks", EventTypes: allEvents(), Description: "Greenhouse sync",
	}})
	if err != nil {
		t.Fatal(err)
	}
	secret := hook.GetSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	if got, err := admin.GetWebhook(ctx, &feedbackv1.GetWebhookRequest{Name: hook.GetName()}); err != nil || got.GetSecret() != "" {
		t.Fatalf("GetWebhook = %v, %v: the secret is shown once", got, err)
	}

	c, ivs := e.candidate(t, "hooked", ivan, ines)
	e.fill(t, ivan, ivs[0], 3, 3, true)
	got := r.wait(t, "scorecard.submitted", 0)
	verify(t, secret, got)
	if got.Data["scorecard"] != ivs[0].GetName()+"/scorecard" || got.Data["candidate"] != c.GetName() || got.Data["interviewer"] != ivan {
		t.Fatalf("scorecard.submitted data: %v", got.Data)
	}
	for _, secretWord := range []string{"rate limiter", "bias", "Strong on design", `"score"`, `"recommendation"`, "ratings"} {
		if strings.Contains(strings.ToLower(string(got.Body)), strings.ToLower(secretWord)) {
			t.Fatalf("the payload carries %q: %s", secretWord, got.Body)
		}
	}

	// The panel's last submit completes the loop.
	e.fill(t, ines, ivs[1], 2, 3, true)
	loop := r.wait(t, "loop.completed", 0)
	verify(t, secret, loop)
	if loop.Data["candidate"] != c.GetName() {
		t.Fatalf("loop.completed data: %v", loop.Data)
	}

	// The log: every delivery with its answer, newest first.
	log, err := admin.ListWebhookDeliveries(ctx, &feedbackv1.ListWebhookDeliveriesRequest{Parent: hook.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.GetDeliveries()) != 3 {
		t.Fatalf("the log holds %d deliveries, want 3: %v", len(log.GetDeliveries()), log)
	}
	for _, d := range log.GetDeliveries() {
		if d.GetState() != feedbackv1.WebhookDelivery_STATE_DELIVERED || d.GetAttempts()[0].GetResponseCode() != http.StatusNoContent {
			t.Fatalf("delivery %v", d)
		}
	}

	// A redelivery posts the same message (same webhook-id) again.
	first := log.GetDeliveries()[len(log.GetDeliveries())-1]
	before := r.count()
	if _, err := admin.RedeliverWebhookDelivery(ctx, &feedbackv1.RedeliverWebhookDeliveryRequest{Name: first.GetName()}); err != nil {
		t.Fatal(err)
	}
	again := r.wait(t, first.GetEventType(), before)
	if !strings.HasSuffix(first.GetName(), "/"+again.Header.Get("webhook-id")) {
		t.Fatalf("redelivered %s as %s", first.GetName(), again.Header.Get("webhook-id"))
	}

	// A rotation: both secrets sign until the overlap ends.
	rotated, err := admin.RotateWebhookSecret(ctx, &feedbackv1.RotateWebhookSecretRequest{Name: hook.GetName()})
	if err != nil || rotated.GetSecret() == secret || rotated.GetPreviousSecretExpireTime() == nil {
		t.Fatalf("RotateWebhookSecret = %v, %v", rotated, err)
	}
	before = r.count()
	if _, err := e.as(ivan).AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: ivs[0].GetName() + "/scorecard", Reason: "Re-read my notes.",
		Ratings: []*feedbackv1.Rating{{Competency: "impact", Score: proto.Int32(4)}}}); err != nil {
		t.Fatal(err)
	}
	amended := r.wait(t, "scorecard.amended", before)
	verify(t, secret, amended)
	verify(t, rotated.GetSecret(), amended)
	if strings.Contains(string(amended.Body), "Re-read") {
		t.Fatalf("the amendment's reason is in the payload: %s", amended.Body)
	}

	// A role's kept calibration report is announced.
	before = r.count()
	if _, err := e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}}); err != nil {
		t.Fatal(err)
	}
	if cal := r.wait(t, "calibration.computed", before); cal.Data["calibration"] != "roles/ic/calibration" {
		t.Fatalf("calibration.computed data: %v", cal.Data)
	}

	// A decision is announced by name: its words stay behind the API.
	before = r.count()
	if _, err := e.recruiter.UpdateDecision(ctx, &feedbackv1.UpdateDecisionRequest{AllowMissing: true, Decision: &feedbackv1.Decision{
		Name: c.GetName() + "/decision", Outcome: feedbackv1.Decision_OUTCOME_HIRE, Level: "l2", Rationale: "Secretly convincing."}}); err != nil {
		t.Fatal(err)
	}
	decided := r.wait(t, "decision.made", before)
	verify(t, rotated.GetSecret(), decided)
	if decided.Data["decision"] != c.GetName()+"/decision" || decided.Data["actor"] != rita || strings.Contains(string(decided.Body), "Secretly") ||
		strings.Contains(string(decided.Body), "HIRE") {
		t.Fatalf("decision.made: %s", decided.Body)
	}

	// An erasure: announced, and nothing about the candidate stays in the
	// log once the announcement is delivered.
	before = r.count()
	if _, err := e.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: c.GetName()}); err != nil {
		t.Fatal(err)
	}
	erased := r.wait(t, "candidate.erased", before)
	verify(t, rotated.GetSecret(), erased)
	if erased.Data["candidate"] != c.GetName() {
		t.Fatalf("candidate.erased data: %v", erased.Data)
	}
	// Left: the calibration's (about no candidate) and the announcement,
	// whose body goes once it is delivered.
	var types []string
	var announced *feedbackv1.WebhookDelivery
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		log, err = admin.ListWebhookDeliveries(ctx, &feedbackv1.ListWebhookDeliveriesRequest{Parent: hook.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		types = nil
		for _, d := range log.GetDeliveries() {
			types = append(types, d.GetEventType())
			if d.GetEventType() == "candidate.erased" {
				announced = d
			}
		}
		if announced != nil && announced.GetBody() == "" || time.Now().After(deadline) {
			break
		}
	}
	if strings.Join(types, " ") != "candidate.erased calibration.computed" || announced.GetBody() != "" {
		t.Fatalf("the log after the erasure: %v; want the calibration's and the announcement, without its body", log)
	}
	assertNoTrace(t, e, c.GetName())
	_, err = admin.RedeliverWebhookDelivery(ctx, &feedbackv1.RedeliverWebhookDeliveryRequest{Name: announced.GetName()})
	wantCode(t, err, codes.FailedPrecondition, "")
}

func TestWebhookReceiverDownGetsTheEventLater(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	// A port nobody listens on, yet.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	hook, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: &feedbackv1.Webhook{
		Url: "http://" + addr + "/", EventTypes: []string{"scorecard.submitted"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, ivs := e.candidate(t, "patient", ivan)
	e.fill(t, ivan, ivs[0], 3, 3, true)

	// The first attempt fails (nobody answers), and is logged so.
	var failed *feedbackv1.WebhookDelivery
	for deadline := time.Now().Add(10 * time.Second); failed == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		log, err := admin.ListWebhookDeliveries(ctx, &feedbackv1.ListWebhookDeliveriesRequest{Parent: hook.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if ds := log.GetDeliveries(); len(ds) == 1 && len(ds[0].GetAttempts()) > 0 {
			failed = ds[0]
		}
	}
	if failed == nil || failed.GetState() != feedbackv1.WebhookDelivery_STATE_PENDING || failed.GetAttempts()[0].GetResponseCode() != 0 || failed.GetAttempts()[0].GetError() == "" {
		t.Fatalf("the first attempt at a receiver that is down: %v", failed)
	}

	// It comes back: the retry (5 s after, ±20 %) gets through.
	r := listen(t, addr, 0)
	got := r.wait(t, "scorecard.submitted", 0)
	verify(t, hook.GetSecret(), got)
}

func TestSlowReceiverDoesNotSlowSubmits(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	r := listen(t, "127.0.0.1:0", 3*time.Second)
	if _, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: &feedbackv1.Webhook{
		Url: "http://" + r.addr + "/", EventTypes: []string{"scorecard.submitted"},
	}}); err != nil {
		t.Fatal(err)
	}
	_, ivs := e.candidate(t, "slow", ivan, ines, omar)
	started := time.Now()
	for i, who := range []string{ivan, ines, omar} {
		e.fill(t, who, ivs[i], 3, 3, true)
	}
	if took := time.Since(started); took > 2*time.Second {
		t.Fatalf("three submits took %v beside a receiver that answers in 3 s", took)
	}
	r.wait(t, "scorecard.submitted", 0)
}

func TestWebhookInputIsChecked(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	for field, w := range map[string]*feedbackv1.Webhook{
		"webhook.url":            {EventTypes: []string{"scorecard.submitted"}},
		"webhook.event_types":    {Url: "https://example.com/"},
		"webhook.event_types[1]": {Url: "https://example.com/", EventTypes: []string{"scorecard.submitted", "scorecard.deleted"}},
	} {
		_, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: w})
		wantCode(t, err, codes.InvalidArgument, field)
	}
	for _, u := range []string{"ftp://example.com/", "example.com/hooks", "https://user:pw@example.com/"} {
		_, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: &feedbackv1.Webhook{Url: u, EventTypes: []string{"loop.completed"}}})
		wantCode(t, err, codes.InvalidArgument, "webhook.url")
	}
	hook, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: &feedbackv1.Webhook{Url: "https://example.com/", EventTypes: []string{"loop.completed"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.UpdateWebhook(ctx, &feedbackv1.UpdateWebhookRequest{Webhook: &feedbackv1.Webhook{Name: hook.GetName(), Etag: "7", Disabled: true}})
	wantCode(t, err, codes.Aborted, "")
	_, err = admin.RotateWebhookSecret(ctx, &feedbackv1.RotateWebhookSecretRequest{Name: hook.GetName(), Overlap: durationOf(30 * 24 * time.Hour)})
	wantCode(t, err, codes.InvalidArgument, "overlap")
	list, err := admin.ListWebhooks(ctx, &feedbackv1.ListWebhooksRequest{})
	if err != nil || len(list.GetWebhooks()) != 1 || list.GetWebhooks()[0].GetSecret() != "" {
		t.Fatalf("ListWebhooks = %v, %v", list, err)
	}
}

func durationOf(d time.Duration) *durationpb.Duration { return durationpb.New(d) }
