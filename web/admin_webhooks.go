package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Webhooks, for admins: where events go, and what became of each delivery
// (the API's /v1/webhooks). A secret is shown once, on the page that made
// it, never put in a URL.

func (a *App) routesAdminWebhooks() {
	a.mux.HandleFunc("GET /admin/webhooks", a.page(a.adminWebhooksPage))
	a.mux.HandleFunc("POST /admin/webhooks", a.form(a.adminWebhookCreate))
	a.mux.HandleFunc("GET /admin/webhooks/{id}", a.page(a.adminWebhookPage))
	a.mux.HandleFunc("POST /admin/webhooks/{id}", a.form(a.adminWebhookAction))
}

// webhookEvents are the event types, with what each means to an admin.
var webhookEvents = []struct{ Type, Meaning string }{
	{"scorecard.submitted", "an interviewer submitted a scorecard"},
	{"scorecard.amended", "a submitted scorecard was amended"},
	{"loop.completed", "every scorecard of a candidate's panel is in"},
	{"candidate.erased", "a candidate was erased (a data-protection request)"},
	{"calibration.computed", "a role's calibration report was computed"},
	{"decision.made", "a hiring decision was made or changed"},
	{"framework.published", "a career framework was published"},
	{"rubric.published", "an interview rubric was published"},
}

type webhookEventChoice struct {
	Type, Meaning string
	Checked       bool
}

type adminWebhooksData struct {
	Webhooks []adminWebhookRow
	Events   []webhookEventChoice
	URL      string
	Errors   adminErrors
}

type adminWebhookRow struct {
	ID, URL, Description, Events string
	Disabled                     bool
}

func eventChoices(checked []string) []webhookEventChoice {
	out := make([]webhookEventChoice, len(webhookEvents))
	for i, e := range webhookEvents {
		out[i] = webhookEventChoice{Type: e.Type, Meaning: e.Meaning, Checked: slices.Contains(checked, e.Type)}
	}
	return out
}

func (a *App) adminWebhooksPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderWebhooks(w, r, s, http.StatusOK, adminWebhooksData{Events: eventChoices(nil)})
}

func (a *App) renderWebhooks(w http.ResponseWriter, r *http.Request, s *session, status int, d adminWebhooksData) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	hooks, err := listAll(func(token string) ([]*feedbackv1.Webhook, string, error) {
		resp, err := a.feedback.ListWebhooks(ctx, &feedbackv1.ListWebhooksRequest{PageSize: 100, PageToken: token})
		return resp.GetWebhooks(), resp.GetNextPageToken(), err
	})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	for _, h := range hooks {
		d.Webhooks = append(d.Webhooks, adminWebhookRow{
			ID: strings.TrimPrefix(h.GetName(), "webhooks/"), URL: h.GetUrl(), Description: h.GetDescription(),
			Events: strings.Join(h.GetEventTypes(), ", "), Disabled: h.GetDisabled(),
		})
	}
	a.render(w, s, status, "admin_webhooks", "Webhooks", d)
}

func (a *App) adminWebhookCreate(w http.ResponseWriter, r *http.Request, s *session) {
	hook := &feedbackv1.Webhook{
		Url: strings.TrimSpace(r.PostFormValue("url")), EventTypes: r.PostForm["event_types"],
		Description: strings.TrimSpace(r.PostFormValue("description")),
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	made, err := a.feedback.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: hook})
	if err != nil {
		d := adminWebhooksData{Events: eventChoices(hook.GetEventTypes()), URL: hook.GetUrl()}
		var status int
		d.Errors, status = adminErrorsOf(err)
		a.renderWebhooks(w, r, s, status, d)
		return
	}
	a.renderWebhook(w, r, s, strings.TrimPrefix(made.GetName(), "webhooks/"), made.GetSecret(), "Webhook created.")
}

// adminWebhookData is one webhook with its delivery log.
type adminWebhookData struct {
	ID, URL, Description, Events, Etag string
	Disabled                           bool
	Secret                             string // only on the page that made it
	PreviousSecretUntil                string
	Notice                             string
	Deliveries                         []adminDelivery
	Next                               string
}

type adminDelivery struct {
	ID, Event, State, Created, Attempts, Last, NextTry string
	Done                                               bool
}

var deliveryStateWords = map[feedbackv1.WebhookDelivery_State]string{
	feedbackv1.WebhookDelivery_STATE_PENDING: "being tried", feedbackv1.WebhookDelivery_STATE_DELIVERED: "delivered",
	feedbackv1.WebhookDelivery_STATE_FAILED: "failed",
}

func (a *App) adminWebhookPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderWebhook(w, r, s, r.PathValue("id"), "", "")
}

func (a *App) renderWebhook(w http.ResponseWriter, r *http.Request, s *session, id, secret, notice string) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	name := "webhooks/" + id
	h, err := a.feedback.GetWebhook(ctx, &feedbackv1.GetWebhookRequest{Name: name})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	log, err := a.feedback.ListWebhookDeliveries(ctx, &feedbackv1.ListWebhookDeliveriesRequest{Parent: name, PageSize: 50, PageToken: r.URL.Query().Get("page")})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d := adminWebhookData{
		ID: id, URL: h.GetUrl(), Description: h.GetDescription(), Events: strings.Join(h.GetEventTypes(), ", "),
		Etag: h.GetEtag(), Disabled: h.GetDisabled(), Secret: secret, Notice: notice,
		PreviousSecretUntil: adminTime(h.GetPreviousSecretExpireTime()),
	}
	if t := log.GetNextPageToken(); t != "" {
		d.Next = "/admin/webhooks/" + url.PathEscape(id) + "?page=" + url.QueryEscape(t)
	}
	for _, del := range log.GetDeliveries() {
		row := adminDelivery{
			ID: strings.TrimPrefix(del.GetName(), name+"/deliveries/"), Event: del.GetEventType(),
			State: deliveryStateWords[del.GetState()], Created: adminTime(del.GetCreateTime()),
			Done: del.GetState() != feedbackv1.WebhookDelivery_STATE_PENDING && del.GetBody() != "",
		}
		if n := len(del.GetAttempts()); n > 0 {
			last := del.GetAttempts()[n-1]
			row.Attempts = strconv.Itoa(n)
			row.Last = "no answer"
			if c := last.GetResponseCode(); c != 0 {
				row.Last = "HTTP " + strconv.Itoa(int(c))
			}
			if e := last.GetError(); e != "" {
				row.Last += ": " + e
			}
		}
		if del.GetState() == feedbackv1.WebhookDelivery_STATE_PENDING {
			row.NextTry = adminTime(del.GetNextAttemptTime())
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	a.render(w, s, http.StatusOK, "admin_webhook", "Webhook: "+h.GetUrl(), d)
}

// adminWebhookAction runs one button of a webhook's page.
func (a *App) adminWebhookAction(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	name := "webhooks/" + id
	ctx, cancel := a.call(r, s)
	defer cancel()
	var err error
	switch r.PostFormValue("action") {
	case "rotate":
		var h *feedbackv1.Webhook
		if h, err = a.feedback.RotateWebhookSecret(ctx, &feedbackv1.RotateWebhookSecretRequest{Name: name}); err == nil {
			a.renderWebhook(w, r, s, id, h.GetSecret(), "New secret made; the old one signs beside it for 24 hours.")
			return
		}
	case "disable", "enable":
		_, err = a.feedback.UpdateWebhook(ctx, &feedbackv1.UpdateWebhookRequest{
			Webhook:    &feedbackv1.Webhook{Name: name, Etag: r.PostFormValue("etag"), Disabled: r.PostFormValue("action") == "disable"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"disabled"}},
		})
		if err == nil {
			a.adminRedirect(w, r, "/admin/webhooks/"+url.PathEscape(id), "Saved.")
			return
		}
	case "delete":
		if _, err = a.feedback.DeleteWebhook(ctx, &feedbackv1.DeleteWebhookRequest{Name: name, Etag: r.PostFormValue("etag")}); err == nil {
			a.adminRedirect(w, r, "/admin/webhooks", "Webhook deleted, with its delivery log.")
			return
		}
	case "redeliver":
		delivery := name + "/deliveries/" + r.PostFormValue("delivery")
		if _, err = a.feedback.RedeliverWebhookDelivery(ctx, &feedbackv1.RedeliverWebhookDeliveryRequest{Name: delivery}); err == nil {
			a.adminRedirect(w, r, "/admin/webhooks/"+url.PathEscape(id), "Sending it again.")
			return
		}
	default:
		a.fail(w, s, apiError{status: http.StatusBadRequest, message: "unknown action: reload the page and use its buttons"})
		return
	}
	a.failErr(w, s, err)
}
