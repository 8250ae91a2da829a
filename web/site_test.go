package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/web"
	"google.golang.org/grpc"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// site is the web app served by a real gateway in front of every service,
// over the demo data dev mode seeds.
type site struct {
	URL string
	env *testenv.Env
}

func startSite(t testing.TB) *site {
	t.Helper()
	ctx := context.Background()
	e := testenv.Start(t, testenv.Options{})
	if err := services.SeedAll(ctx, mongotest.Client(t), e.DatabasePrefix, services.All(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
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
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return &site{URL: srv.URL, env: e}
}

// browser is an HTTP client with a cookie jar, like a browser without
// JavaScript.
type browser struct {
	t    testing.TB
	site *site
	c    *http.Client
}

// as signs in through the dev picker as one of the demo people.
func (s *site) as(t testing.TB, subject string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, site: s, c: &http.Client{Jar: jar}}
	if subject == "" {
		return b
	}
	code, body := b.post("/signin", url.Values{"subject": {subject}, "next": {"/"}})
	if code != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Fatalf("sign in as %s = %d\n%.500s", subject, code, body)
	}
	return b
}

// get returns a page's status and body.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.site.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// post submits a form, as a client that is not a browser does: without
// Sec-Fetch-Site or Origin.
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	return b.postWith(path, form, nil)
}

// postWith submits a form with extra headers: the ones a browser adds to
// say where the form came from (Sec-Fetch-Site, Origin).
func (b *browser) postWith(path string, form url.Values, header http.Header) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestSignInAndOut(t *testing.T) {
	s := startSite(t)
	anon := s.as(t, "")
	code, body := anon.get("/")
	if code != http.StatusOK || !strings.Contains(body, "Sign in") || !strings.Contains(body, "users/rita") {
		t.Fatalf("/ signed out = %d, want the sign-in page with the demo people\n%.500s", code, body)
	}
	rita := s.as(t, "users/rita")
	if code, body := rita.get("/"); code != http.StatusOK || !strings.Contains(body, "Candidates") || strings.Contains(body, `href="/admin"`) {
		t.Errorf("/ as rita = %d, want a recruiter's navigation\n%.800s", code, body)
	}
	// Another site cannot sign rita out; she can, and that ends the session.
	if code, body := rita.postWith("/signout", url.Values{}, http.Header{"Sec-Fetch-Site": {"cross-site"}}); code != http.StatusForbidden ||
		!strings.Contains(body, "sent from another site") {
		t.Errorf("sign-out from another site = %d, want 403\n%.500s", code, body)
	}
	if code, body := rita.get("/"); code != http.StatusOK || !strings.Contains(body, "Candidates") {
		t.Errorf("/ after a sign-out from another site = %d, want rita still signed in", code)
	}
	if code, body := rita.postWith("/signout", url.Values{}, http.Header{"Sec-Fetch-Site": {"same-origin"}}); code != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Errorf("sign-out = %d, want the sign-in page", code)
	}
	if code, body := anon.post("/signin", url.Values{"subject": {"users/mallory"}}); code != http.StatusBadRequest {
		t.Errorf("sign in as someone not offered = %d, want 400\n%.300s", code, body)
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	s := startSite(t)
	resp, err := http.Get(s.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy = %q, want %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy = %q allows inline code or another origin", csp)
	}
	form := url.Values{"subject": {"users/ivan"}}
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).PostForm(s.URL+"/signin", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly %v, SameSite %v; want HttpOnly and Lax", c.Name, c.HttpOnly, c.SameSite)
		}
	}
	// The API stays the API: JSON, bearer tokens, a JSON 404 at its root.
	for _, path := range []string{"/v1", "/v1/nothing"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s = %d %s, want a JSON error", path, resp.StatusCode, ct)
		}
	}
	// Form posts from another origin are refused, whether the browser says
	// so with Sec-Fetch-Site or only with Origin; same-origin ones pass.
	for _, tt := range []struct {
		header http.Header
		want   int
	}{
		{http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://sub.example"}}, http.StatusForbidden},
		{http.Header{"Origin": {s.URL}}, http.StatusSeeOther},
		{http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {s.URL}}, http.StatusSeeOther},
	} {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/signin", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tt.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("sign-in posted with %v = %d, want %d", tt.header, resp.StatusCode, tt.want)
		}
	}
}

func TestUnknownPage(t *testing.T) {
	s := startSite(t)
	code, body := s.as(t, "users/erin").get("/no/such/page")
	if code != http.StatusNotFound || !strings.Contains(body, "There is no such page") {
		t.Errorf("unknown page = %d\n%.300s", code, body)
	}
}

// rubricRevision reads a rubric revision through the API, as an admin.
func (s *site) rubricRevision(name string) (*rubricv1.RubricRevision, error) {
	return s.env.RubricAs("users/adam", principal.Admin).GetRubricRevision(context.Background(), &rubricv1.GetRubricRevisionRequest{Name: name})
}

// interviewOf returns the ID of who's interview of a demo candidate.
func (s *site) interviewOf(t testing.TB, candidate, who string) string {
	t.Helper()
	list, err := s.env.FeedbackAs("users/rita", principal.Recruiter).ListInterviews(context.Background(), &feedbackv1.ListInterviewsRequest{Parent: "candidates/" + candidate})
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range list.GetInterviews() {
		if iv.GetInterviewer() == who {
			return iv.GetName()[strings.LastIndex(iv.GetName(), "/")+1:]
		}
	}
	t.Fatalf("%s has no interview of %s", who, candidate)
	return ""
}

// Text that is not UTF-8, in the path, a query parameter or a form field,
// is a 400 naming where it was, on every kind of route (it once failed to
// marshal into the call and read as a 500); the static files are served,
// never listed.
func TestNotUTF8IsRefusedAtTheDoor(t *testing.T) {
	s := startSite(t)
	rita, omar := s.as(t, "users/rita"), s.as(t, "users/omar")
	for _, tt := range []struct {
		path, where string
	}{
		{"/candidates?role=%ff", "the parameter role"},
		{"/candidates/%ff", "the path"},
		{"/compare?names=%ff", "the parameter names"},
		{"/ladder/engineering/compare?track=ic&from=l3&to=%ff", "the parameter to"},
		{"/static/%ff", "the path"},
	} {
		code, body := rita.get(tt.path)
		if code != http.StatusBadRequest || !strings.Contains(body, tt.where+" holds text that is not valid UTF-8") {
			t.Errorf("GET %s = %d, want 400 naming %s\n%.800s", tt.path, code, tt.where, body)
		}
	}
	code, body := rita.post("/calibration", url.Values{"role": {"\xff"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "field role holds text that is not valid UTF-8") {
		t.Errorf("POST /calibration with role \\xff = %d, want 400 naming the field\n%.800s", code, body)
	}
	path := ivLinus(t, omar)
	form := ivFormWith(ivForm(t, ivGet(t, omar, path), "save"), "note_to_panel", "bad \xff byte")
	resp, text := ivPost(t, omar, path, form, http.Header{"X-Autosave": {"1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text, "note_to_panel") {
		t.Errorf("autosave with a note that is not UTF-8 = %d %q, want 400 naming the field", resp.StatusCode, text)
	}
	if code, _ := rita.get("/static/"); code != http.StatusNotFound {
		t.Errorf("GET /static/ = %d, want 404, not a listing", code)
	}
	if code, _ := rita.get("/static/app.css"); code != http.StatusOK {
		t.Errorf("GET /static/app.css = %d, want 200", code)
	}
}
