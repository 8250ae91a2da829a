package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// startGateway serves the gateway over real HTTP in front of a ladder
// service on real gRPC, and returns a client that calls as an admin.
func startGateway(t *testing.T, opts gateway.Options) client {
	t.Helper()
	l := testenv.StartLadder(t)
	srv := serveGateway(t, l, opts)
	return client{t: t, base: srv.URL, token: l.Token(testenv.AdminSubject, principal.Admin), ladder: l}
}

// serveGateway serves the gateway in front of l until the test ends.
func serveGateway(t testing.TB, l *testenv.Ladder, opts gateway.Options) *httptest.Server {
	t.Helper()
	opts.Backends = l.Backends()
	if opts.Logger == nil {
		opts.Logger = discard()
	}
	gw, err := gateway.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return srv
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

type client struct {
	t      *testing.T
	base   string
	token  string // sent as a bearer token when set
	ladder *testenv.Ladder
}

// as returns a client that calls with another identity ("" for none).
func (c client) as(token string) client { c.token = token; return c }

// do sends a request and returns the status and the decoded JSON body.
func (c client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, out
}

// expect sends a request and fails unless the status is want.
func (c client) expect(want int, method, path, body string) map[string]any {
	c.t.Helper()
	got, out := c.do(method, path, body)
	if got != want {
		c.t.Fatalf("%s %s = %d %v, want %d", method, path, got, out, want)
	}
	return out
}

const tiny = `{"title":"Engineering","competencies":[{"id":"craft","title":"Craft"},{"id":"impact","title":"Impact"}],
"tracks":[{"id":"ic","title":"IC","levels":[
 {"id":"l1","title":"Engineer","expectations":[{"competency":"craft","description":"Writes code."}]},
 {"id":"l2","title":"Senior","expectations":[{"competency":"craft","description":"Designs components."},{"competency":"impact","description":"Leads projects."}]}]}]}`

// settle calls check until it reports nothing wrong or five seconds pass,
// and returns its last report. A request's span ends, and the request is
// counted, when its handler returns, which can be just after the client
// has read the whole response.
func settle(check func() string) string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		problem := check()
		if problem == "" || time.Now().After(deadline) {
			return problem
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRESTWalkthrough(t *testing.T) {
	c := startGateway(t, gateway.Options{})

	f := c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	if f["name"] != "frameworks/eng" || f["etag"] != "1" {
		t.Fatalf("create = %v, want frameworks/eng with etag 1", f)
	}
	c.expect(409, "POST", "/v1/frameworks?framework_id=eng", tiny)
	list := c.expect(200, "GET", "/v1/frameworks", "")
	if n := len(list["frameworks"].([]any)); n != 1 {
		t.Errorf("list has %d frameworks, want 1", n)
	}
	c.expect(200, "GET", "/v1/frameworks/eng", "")
	c.expect(404, "GET", "/v1/frameworks/nope", "")

	// PATCH: the mask in the query (or derived from the body), the etag in the body.
	upd := c.expect(200, "PATCH", "/v1/frameworks/eng?update_mask=title", `{"title":"Eng","etag":"1"}`)
	if upd["title"] != "Eng" || upd["etag"] != "2" {
		t.Errorf("patch = %v, want title Eng, etag 2", upd)
	}
	c.expect(409, "PATCH", "/v1/frameworks/eng", `{"title":"Stale","etag":"1"}`)
	upd = c.expect(200, "PATCH", "/v1/frameworks/eng", `{"description":"Derived mask","etag":"2"}`)
	if upd["description"] != "Derived mask" || upd["title"] != "Eng" {
		t.Errorf("patch with derived mask = %v, want the description set and the title kept", upd)
	}

	rev := c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)
	if rev["name"] != "frameworks/eng/revisions/1" || rev["snapshot"].(map[string]any)["title"] != "Eng" {
		t.Errorf("publish = %v, want frameworks/eng/revisions/1 with the draft as its snapshot", rev)
	}
	c.expect(200, "GET", "/v1/frameworks/eng/revisions/1", "")
	latest := c.expect(200, "GET", "/v1/frameworks/eng/revisions/latest", "")
	if latest["name"] != "frameworks/eng/revisions/1" {
		t.Errorf("latest = %v, want frameworks/eng/revisions/1", latest["name"])
	}
	c.expect(200, "GET", "/v1/frameworks/eng/revisions/1:export", "")
	revs := c.expect(200, "GET", "/v1/frameworks/eng/revisions", "")
	if n := len(revs["revisions"].([]any)); n != 1 {
		t.Errorf("revisions has %d revisions, want 1", n)
	}
	changes := c.expect(200, "GET", "/v1/frameworks/eng/changes", "")
	if n := len(changes["changes"].([]any)); n != 4 {
		t.Errorf("changes has %d entries, want 4 (create, 2 updates, publish)", n)
	}

	cmp := c.expect(200, "GET", "/v1/frameworks/eng:compareLevels?track=ic&from_level=l1&to_level=l2", "")
	comps := cmp["competencies"].([]any)
	if len(comps) != 2 || comps[1].(map[string]any)["difference"] != "DIFFERENCE_ADDED" {
		t.Errorf("compareLevels = %v, want impact ADDED", cmp)
	}

	exp := c.expect(200, "GET", "/v1/frameworks/eng:export", "")
	content, _ := exp["content"].(string)
	if !strings.HasPrefix(content, "title: Eng\n") {
		t.Fatalf("export content = %q, want YAML starting with the title", content)
	}
	body, _ := json.Marshal(map[string]string{"framework_id": "copy", "content": content})
	imp := c.expect(200, "POST", "/v1/frameworks:import", string(body))
	if imp["name"] != "frameworks/copy" {
		t.Errorf("import = %v, want frameworks/copy", imp)
	}

	c.expect(409, "DELETE", "/v1/frameworks/copy?etag=7", "")
	c.expect(200, "DELETE", "/v1/frameworks/copy", "")
	c.expect(404, "GET", "/v1/frameworks/copy", "")
}

func TestRESTBadInput(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)

	tests := []struct {
		name, method, path, body string
		want                     int
		field                    string
	}{
		{"malformed JSON", "POST", "/v1/frameworks?framework_id=x", `{"title":`, 400, "body"},
		{"unknown JSON field", "POST", "/v1/frameworks?framework_id=x", `{"titel":"x"}`, 400, "body"},
		{"empty title", "POST", "/v1/frameworks?framework_id=x", `{"title":""}`, 400, "framework.title"},
		{"bad ID", "POST", "/v1/frameworks?framework_id=Bad_ID", tiny, 400, "framework_id"},
		{"unknown competency", "POST", "/v1/frameworks?framework_id=x",
			`{"title":"T","tracks":[{"id":"t","title":"T","levels":[{"id":"l","title":"L","expectations":[{"competency":"ghost","description":"d"}]}]}]}`,
			400, "framework.tracks[0].levels[0].expectations[0].competency"},
		{"duplicate competency", "POST", "/v1/frameworks?framework_id=x",
			`{"title":"T","competencies":[{"id":"a","title":"A"},{"id":"a","title":"B"}]}`, 400, "framework.competencies[1].id"},
		{"negative page size", "GET", "/v1/frameworks?page_size=-1", "", 400, "page_size"},
		{"page size not a number", "GET", "/v1/frameworks?page_size=ten", "", 400, "page_size"},
		{"broken YAML", "POST", "/v1/frameworks:import", `{"framework_id":"y","content":"title: [oops"}`, 400, "content"},
		{"unknown level", "GET", "/v1/frameworks/eng:compareLevels?track=ic&from_level=l1&to_level=l7", "", 400, "to_level"},
		{"unknown track", "GET", "/v1/frameworks/eng:compareLevels?track=mgmt&from_level=l1&to_level=l2", "", 400, "track"},
		{"patch without etag", "PATCH", "/v1/frameworks/eng", `{"title":"T"}`, 400, "framework.etag"},
		// Etags are opaque (AIP-154): one the server never made is just not the current one.
		{"foreign etag", "PATCH", "/v1/frameworks/eng", `{"title":"T","etag":"abc"}`, 409, ""},
		{"bad revision name", "GET", "/v1/frameworks/eng/revisions/0", "", 400, "name"},
		{"unknown framework", "GET", "/v1/frameworks/ghost:export", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			out := c.expect(tt.want, tt.method, tt.path, tt.body)
			if tt.field != "" && !namesField(out, tt.field) {
				t.Errorf("%s %s: error %v does not name field %q", tt.method, tt.path, out, tt.field)
			}
		})
	}
	after := c.expect(200, "GET", "/v1/frameworks/eng", "")
	if after["etag"] != "1" {
		t.Errorf("etag after bad requests = %v, want 1 (nothing changed)", after["etag"])
	}
	if n := len(c.expect(200, "GET", "/v1/frameworks", "")["frameworks"].([]any)); n != 1 {
		t.Errorf("%d frameworks after bad requests, want 1", n)
	}
}

// namesField reports whether a JSON error body has a BadRequest violation on field.
func namesField(body map[string]any, field string) bool {
	details, _ := body["details"].([]any)
	for _, d := range details {
		violations, _ := d.(map[string]any)["fieldViolations"].([]any)
		for _, v := range violations {
			if v.(map[string]any)["field"] == field {
				return true
			}
		}
	}
	return false
}

func TestOperationalRoutes(t *testing.T) {
	c := startGateway(t, gateway.Options{MaxBodyBytes: 1024})
	c.expect(200, "GET", "/healthz", "")
	c.expect(200, "GET", "/readyz", "")
	doc := c.expect(200, "GET", "/openapi.json", "")
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/v1/frameworks", "/v1/frameworks/{framework}", "/v1/frameworks/{framework}/revisions/{revision}", "/v1/frameworks:import"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("openapi.json has no path %q", p)
		}
	}
	big := `{"title":"` + strings.Repeat("x", 2048) + `"}`
	c.expect(413, "POST", "/v1/frameworks?framework_id=big", big)

	// Without a declared length (chunked), the limit applies as the body is read.
	req, _ := http.NewRequest("POST", c.base+"/v1/frameworks?framework_id=big", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body = %d, want 413", resp.StatusCode)
	}
}
