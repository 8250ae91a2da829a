package feedback_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/mailpittest"
	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mailer"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
	"github.com/yardstick-dev/yardstick/web"
)

// The reminders end to end: the services on loopback gRPC, the job started
// by the services table as dev mode starts it, a real SMTP server
// (mailpit), and the web app the links point at.
func TestRemindersOfOverdueScorecards(t *testing.T) {
	ctx := context.Background()
	mail := mailpittest.Start(t)
	sender, err := mailer.New(mailer.Config{Addr: mail.SMTPAddr, From: "Yardstick <yardstick@example.com>", TLS: mailer.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewUnstartedServer(nil) // its address goes into the links
	t.Cleanup(site.Close)
	now := time.Now().UTC().Truncate(time.Second) // one day, even across midnight
	runNow := make(chan chan<- feedback.ReminderReport)
	e := startWith(t, testenv.Options{Settings: services.Settings{Reminders: feedback.Reminders{
		Mail: sender, PublicURL: "http://" + site.Listener.Addr().String(),
		Every: time.Hour, RunNow: runNow, Now: func() time.Time { return now },
	}}})
	round := func() feedback.ReminderReport {
		t.Helper()
		reply := make(chan feedback.ReminderReport, 1)
		runNow <- reply
		rep := <-reply
		if rep.Err != nil {
			t.Fatalf("reminder round: %v", rep.Err)
		}
		return rep
	}

	// The directory: Nora has no email address.
	ladder := e.LadderAs(testenv.AdminSubject, principal.Admin)
	for _, u := range []*ladderv1.User{
		{Name: "users/rita", DisplayName: "Rita Okafor", Email: "rita@example.com"},
		{Name: "users/ivan", DisplayName: "Ivan Petrov", Email: "ivan@example.com"},
		{Name: "users/ines", DisplayName: "Ines Duarte", Email: "ines@example.com"},
		{Name: "users/omar", DisplayName: "Omar Haddad", Email: "omar@example.com"},
		{Name: "users/adam", DisplayName: "Adam Novak", Email: "adam@example.com"},
		{Name: "users/igor", DisplayName: "Igor Volkov", Email: "igor@example.com"},
		{Name: "users/ida", DisplayName: "Ida Berg", Email: "ida@example.com"},
		{Name: "users/nora", DisplayName: "Nora Quist"},
		{Name: "users/otto", DisplayName: "Otto Lind", Email: "otto@example.com"},
	} {
		if _, err := ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u, AllowMissing: true}); err != nil {
			t.Fatal(err)
		}
	}
	serveSite(t, e, site)
	// Ines turns the emails off, as the README's curl does.
	req, err := http.NewRequest(http.MethodPatch, site.URL+"/v1/users/me/reminderSettings", strings.NewReader(`{"email_reminders": false}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.Token("users/ines", principal.Interviewer))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"emailReminders":false`) {
		t.Fatalf("PATCH /v1/users/me/reminderSettings as Ines = %s %s, %v", resp.Status, body, err)
	}
	// Backend's hiring team is Adam: he, not the candidates' creator, follows them.
	if _, err := e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "backend", Role: &feedbackv1.Role{
		Title: "Backend engineer", HiringTeam: []string{"users/adam"},
		InterviewPlan: []*feedbackv1.PlannedInterview{{Title: "Coding", Rubric: "rubrics/coding"}},
	}}); err != nil {
		t.Fatal(err)
	}
	ago := func(h int) *timestamppb.Timestamp { return timestamppb.New(now.Add(-time.Duration(h) * time.Hour)) }
	type plan struct {
		who string
		at  *timestamppb.Timestamp
	}
	schedule := func(id, name, role string, plans ...plan) []*feedbackv1.Interview {
		t.Helper()
		c, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id,
			Candidate: &feedbackv1.Candidate{DisplayName: name, Role: role, Level: "l2"}})
		if err != nil {
			t.Fatal(err)
		}
		var ivs []*feedbackv1.Interview
		for _, p := range plans {
			iv, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(),
				Interview: &feedbackv1.Interview{Interviewer: p.who, Rubric: "rubrics/coding/revisions/1", ScheduledTime: p.at}})
			if err != nil {
				t.Fatal(err)
			}
			ivs = append(ivs, iv)
		}
		return ivs
	}
	// Ada (no role defined: Rita, who created her, follows her): Ivan and
	// Ines are late, Omar submitted.
	ada := schedule("ada", "Ada Lovelace", "ic", plan{"users/ivan", ago(25)}, plan{"users/ines", ago(26)}, plan{"users/omar", ago(25)})
	e.fill(t, "users/omar", ada[2], 3, 3, true)
	// Grace: Ida's interview has no time, Igor's was 23 hours ago: neither is due.
	schedule("grace", "Grace Hopper", "ic", plan{"users/ida", nil}, plan{"users/igor", ago(23)})
	// Hedy (Backend): Ivan, Nora and Otto are late; Otto has left since.
	schedule("hedy", "Hedy Lamarr", "backend", plan{"users/ivan", ago(30)}, plan{"users/nora", ago(48)}, plan{"users/otto", ago(27)})
	if _, err := ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/otto", Deactivated: true},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"deactivated"}}}); err != nil {
		t.Fatal(err)
	}

	rep := round()
	if rep.Overdue != 5 {
		t.Errorf("first round found %d overdue scorecards, want 5 (Ada's 2, Hedy's 3)", rep.Overdue)
	}
	if rep.Sent != 3 || rep.OptedOut != 1 || rep.NoEmail != 1 || rep.Deactivated != 1 || rep.AlreadySent != 0 || rep.Failed != 0 {
		t.Errorf("first round = %+v, want 3 sent (Ivan, Rita, Adam), Ines opted out, Nora without email, Otto deactivated", rep)
	}
	got := map[string]mailpittest.Message{}
	for _, m := range mail.Messages() {
		if len(m.To) != 1 {
			t.Fatalf("message %q to %v, want one recipient", m.Subject, m.To)
		}
		got[m.To[0].Address] = mail.Message(m.ID)
	}
	if len(got) != 3 {
		t.Fatalf("mailpit holds messages to %v, want Ivan, Rita and Adam", slices.Sorted(maps.Keys(got)))
	}
	checkMail(t, got["ivan@example.com"], "2 scorecards to submit",
		[]string{"Hello Ivan Petrov,", "Hedy Lamarr, interviewed", "Ada Lovelace, interviewed", "/interviews/ada/" + id(ada[0])},
		[]string{"Omar", "Grace"})
	checkMail(t, got["rita@example.com"], "2 overdue scorecards to follow up",
		[]string{"Ada Lovelace: Ines Duarte's scorecard", "Ada Lovelace: Ivan Petrov's scorecard", "/candidates/ada"},
		[]string{"Omar", "Hedy", "Grace"})
	checkMail(t, got["adam@example.com"], "3 overdue scorecards to follow up",
		[]string{"Hedy Lamarr: Nora Quist's scorecard", "Hedy Lamarr: Ivan Petrov's scorecard", "Hedy Lamarr: Otto Lind's scorecard"},
		[]string{"Ada Lovelace"})

	// Ivan's link opens his scorecard form, once he is signed in.
	link := regexp.MustCompile(`http://\S+/interviews/ada/\S+`).FindString(got["ivan@example.com"].Text)
	page := openAs(t, site, "users/ivan", link)
	if !strings.Contains(page, "Ada Lovelace") || !strings.Contains(page, "Craft") {
		t.Errorf("GET %s as Ivan: the page does not show Ada's scorecard form:\n%.800s", link, page)
	}

	// The same day again: nothing new, however the panel stands.
	rep = round()
	if rep.Sent != 0 || rep.AlreadySent != 3 || rep.OptedOut != 1 {
		t.Errorf("second round = %+v, want nothing sent, 3 already sent today", rep)
	}
	if n := len(mail.Messages()); n != 3 {
		t.Errorf("after the second round mailpit holds %d messages, want the first 3", n)
	}
}

func id(iv *feedbackv1.Interview) string {
	return iv.GetName()[strings.LastIndex(iv.GetName(), "/")+1:]
}

// checkMail checks a digest's subject and text, and that its HTML part
// links where the text does.
func checkMail(t *testing.T, m mailpittest.Message, subject string, has, lacks []string) {
	t.Helper()
	if m.Subject != subject {
		t.Errorf("to %v: subject %q, want %q", m.To, m.Subject, subject)
	}
	for _, want := range has {
		if !strings.Contains(m.Text, want) {
			t.Errorf("to %v: the text lacks %q:\n%s", m.To, want, m.Text)
		}
	}
	for _, not := range lacks {
		if strings.Contains(m.Text, not) || strings.Contains(m.HTML, not) {
			t.Errorf("to %v: the message names %q:\n%s", m.To, not, m.Text)
		}
	}
	for _, link := range regexp.MustCompile(`http://\S+`).FindAllString(m.Text, -1) {
		if !strings.Contains(link, "/v1/") && !strings.Contains(m.HTML, `href="`+link+`"`) {
			t.Errorf("to %v: the HTML part lacks the link %s:\n%s", m.To, link, m.HTML)
		}
	}
}

// serveSite serves the gateway with the web app on site.
func serveSite(t *testing.T, e *env, site *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	app, err := web.New(ctx, web.Options{
		Logger:    slog.New(slog.DiscardHandler),
		Conns:     map[string]grpc.ClientConnInterface{"ladder": e.Conn, "rubric": e.Conn, "feedback": e.Conn},
		DevPeople: web.DemoPeople(),
		DevSignIn: func(subject string, roles []principal.Role) (string, error) {
			return auth.MintDev(e.Key, subject, roles, time.Hour)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(ctx, gateway.Options{Logger: slog.New(slog.DiscardHandler), Backends: e.Backends(), App: app})
	if err != nil {
		t.Fatal(err)
	}
	site.Config.Handler = gw
	site.Start()
}

// openAs signs in to the web app on site through its dev picker as
// subject, and returns the page at link.
func openAs(t *testing.T, site *httptest.Server, subject, link string) string {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	resp, err := browser.PostForm(site.URL+"/signin", url.Values{"subject": {subject}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s as %s = %s", link, subject, resp.Status)
	}
	return string(body)
}

// flaky fails its first send, then sends through the real server.
type flaky struct {
	mailer.Sender
	failed atomic.Bool
}

func (f *flaky) Send(ctx context.Context, m mailer.Message) error {
	if f.failed.CompareAndSwap(false, true) {
		return errors.New("connection refused")
	}
	return f.Sender.Send(ctx, m)
}

// A digest whose send fails gives its claim back: the next round sends it.
func TestAFailedReminderIsSentByALaterRound(t *testing.T) {
	ctx := context.Background()
	mail := mailpittest.Start(t)
	sender, err := mailer.New(mailer.Config{Addr: mail.SMTPAddr, From: "yardstick@example.com", TLS: mailer.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	runNow := make(chan chan<- feedback.ReminderReport)
	e := startWith(t, testenv.Options{Settings: services.Settings{Reminders: feedback.Reminders{
		Mail: &flaky{Sender: *sender}, PublicURL: "https://yardstick.example.com", Every: time.Hour, RunNow: runNow,
	}}})
	if _, err := e.LadderAs(testenv.AdminSubject, principal.Admin).UpdateUser(ctx, &ladderv1.UpdateUserRequest{
		User: &ladderv1.User{Name: ivan, DisplayName: "Ivan Petrov", Email: "ivan@example.com"}, AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	c, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{Candidate: &feedbackv1.Candidate{DisplayName: "Ada L.", Role: "ic", Level: "l2"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), Interview: &feedbackv1.Interview{
		Interviewer: ivan, Rubric: "rubrics/coding/revisions/1", ScheduledTime: timestamppb.New(time.Now().Add(-25 * time.Hour))}}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []feedback.ReminderReport{{Overdue: 1, Failed: 1, NoEmail: 1}, {Overdue: 1, Sent: 1, NoEmail: 1}, {Overdue: 1, AlreadySent: 1, NoEmail: 1}} {
		reply := make(chan feedback.ReminderReport, 1)
		runNow <- reply
		if got := <-reply; got != want {
			t.Errorf("round %d = %+v, want %+v (Rita, the creator, has no address)", i+1, got, want)
		}
	}
	if got := mail.Messages(); len(got) != 1 || got[0].To[0].Address != "ivan@example.com" {
		t.Errorf("mailpit holds %+v, want Ivan's digest once", got)
	}
}

// Without an SMTP server the job still counts the overdue scorecards, for
// the yardstick_scorecards_overdue gauge and its alert.
func TestOverdueScorecardsAreCountedWithoutEmail(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	runNow := make(chan chan<- feedback.ReminderReport)
	reg := prometheus.NewRegistry()
	e := startWith(t, testenv.Options{Settings: services.Settings{Metrics: reg, Reminders: feedback.Reminders{
		Every: time.Hour, RunNow: runNow, Now: func() time.Time { return now },
	}}})
	c, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: "ada",
		Candidate: &feedbackv1.Candidate{DisplayName: "Ada Lovelace", Role: "ic", Level: "l2"}})
	if err != nil {
		t.Fatal(err)
	}
	// Ivan's first is overdue, his second not yet; Omar submitted his.
	var omars *feedbackv1.Interview
	for _, p := range []struct {
		who   string
		hours int
	}{{"users/ivan", 25}, {"users/ivan", 23}, {"users/omar", 30}} {
		iv, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(),
			Interview: &feedbackv1.Interview{Interviewer: p.who, Rubric: "rubrics/coding/revisions/1",
				ScheduledTime: timestamppb.New(now.Add(-time.Duration(p.hours) * time.Hour))}})
		if err != nil {
			t.Fatal(err)
		}
		omars = iv
	}
	e.fill(t, "users/omar", omars, 3, 3, true)
	reply := make(chan feedback.ReminderReport, 1)
	runNow <- reply
	rep := <-reply
	if rep.Err != nil || rep.Overdue != 1 || rep.Sent != 0 {
		t.Fatalf("round = %+v, want 1 overdue scorecard and nothing sent", rep)
	}
	if got := metric(t, reg, "yardstick_scorecards_overdue").GetGauge().GetValue(); got != 1 {
		t.Errorf("yardstick_scorecards_overdue = %v, want 1", got)
	}
	delay := metric(t, reg, "yardstick_scorecard_submit_delay_seconds").GetHistogram()
	if delay.GetSampleCount() != 1 || math.Abs(delay.GetSampleSum()-30*3600) > 600 {
		t.Errorf("yardstick_scorecard_submit_delay_seconds: %d samples summing to %.0f s, want Omar's one of about 30 h",
			delay.GetSampleCount(), delay.GetSampleSum())
	}
}

// metric reads an unlabelled metric from reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) *dto.Metric {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0]
		}
	}
	t.Fatalf("%s is not registered", name)
	return nil
}
