package gateway_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/ratelimit"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// restCalls is one REST request per RPC of the ladder service.
var restCalls = map[string]struct{ method, path, body string }{
	"GetFramework":           {"GET", "/v1/frameworks/eng", ""},
	"ListFrameworks":         {"GET", "/v1/frameworks", ""},
	"CreateFramework":        {"POST", "/v1/frameworks?framework_id=new", `{"title":"New"}`},
	"UpdateFramework":        {"PATCH", "/v1/frameworks/eng", `{"title":"T","etag":"1"}`},
	"DeleteFramework":        {"DELETE", "/v1/frameworks/eng?etag=99", ""},
	"PublishFramework":       {"POST", "/v1/frameworks/eng:publish", `{"etag":"99"}`},
	"GetFrameworkRevision":   {"GET", "/v1/frameworks/eng/revisions/latest", ""},
	"ListFrameworkRevisions": {"GET", "/v1/frameworks/eng/revisions", ""},
	"ListFrameworkChanges":   {"GET", "/v1/frameworks/eng/changes", ""},
	"CompareLevels":          {"GET", "/v1/frameworks/eng:compareLevels?track=ic&from_level=l1&to_level=l2", ""},
	"ExportFramework":        {"GET", "/v1/frameworks/eng:export", ""},
	"ImportFramework":        {"POST", "/v1/frameworks:import", `{"framework_id":"imp","content":"title: [broken"}`},
	"GetUser":                {"GET", "/v1/users/nobody", ""},
	"BatchGetUsers":          {"GET", "/v1/users:batchGet?names=users/nobody", ""},
	"ListUsers":              {"GET", "/v1/users", ""},
	// {me} is the caller: everyone may put their own name in the directory.
	"UpdateUser": {"PATCH", "/v1/{me}?allow_missing=true", `{"display_name":"Me"}`},
	// Assessments: everyone's own (the callers here have no level).
	"CreateAssessment": {"POST", "/v1/{me}/assessments?assessment_id=c1", `{}`},
	"GetAssessment":    {"GET", "/v1/users/nobody/assessments/c1", ""},
	"ListAssessments":  {"GET", "/v1/{me}/assessments", ""},
	"UpdateAssessment": {"PATCH", "/v1/{me}/assessments/c1", `{"etag":"1"}`},
	"SubmitAssessment": {"POST", "/v1/{me}/assessments/c1:submit", `{"etag":"1"}`},
	"ReviewAssessment": {"POST", "/v1/{me}/assessments/c1:review", `{"etag":"1"}`},
	"GetGapReport":     {"GET", "/v1/{me}/assessments/c1:gaps", ""},
}

// TestRESTRoleMatrix sends every route as every role and without a token:
// 401 without one, 403 where ladder.Rules says no, anything else where it says yes.
func TestRESTRoleMatrix(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)

	service := ladderv1.File_yardstick_ladder_v1_ladder_service_proto.Services().ByName("LadderService")
	methods := service.Methods()
	if methods.Len() != len(restCalls) {
		t.Fatalf("restCalls covers %d RPCs, the service has %d", len(restCalls), methods.Len())
	}
	for i := range methods.Len() {
		name := string(methods.Get(i).Name())
		call, ok := restCalls[name]
		if !ok {
			t.Errorf("no REST call for %s", name)
			continue
		}
		allowed := ladder.Rules()["/"+string(service.FullName())+"/"+name]
		path := strings.ReplaceAll(call.path, "{me}", "users/nobody")
		if got, _ := c.as("").do(call.method, path, call.body); got != http.StatusUnauthorized {
			t.Errorf("%s %s without a token = %d, want 401", call.method, call.path, got)
		}
		if got, _ := c.as("garbage").do(call.method, path, call.body); got != http.StatusUnauthorized {
			t.Errorf("%s %s with a garbage token = %d, want 401", call.method, call.path, got)
		}
		for _, r := range principal.Roles {
			path := strings.ReplaceAll(call.path, "{me}", "users/"+string(r))
			got, body := c.as(c.ladder.Token("users/"+string(r), r)).do(call.method, path, call.body)
			isAllowed := slices.Contains(allowed, r)
			switch {
			case isAllowed && (got == http.StatusForbidden || got == http.StatusUnauthorized):
				t.Errorf("%s %s as %s = %d %v, want it allowed", call.method, call.path, r, got, body)
			case !isAllowed && got != http.StatusForbidden:
				t.Errorf("%s %s as %s = %d %v, want 403", call.method, call.path, r, got, body)
			}
		}
	}
}

func TestRESTAuthenticationDetails(t *testing.T) {
	c := startGateway(t, gateway.Options{})

	req, _ := http.NewRequest("GET", c.base+"/v1/frameworks", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="yardstick"` {
		t.Errorf("no token: %d, WWW-Authenticate %q; want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	// A token in the query string is refused even when it is valid, under
	// any parameter name that says token, or any name at all if it looks like one.
	for _, q := range []string{"access_token=" + c.token, "Access_Token=x", "jwt=x", "page_token=" + c.token} {
		c.expect(401, "GET", "/v1/frameworks?"+q, "")
	}

	// Page tokens are not mistaken for credentials.
	c.expect(200, "POST", "/v1/frameworks?framework_id=a", tiny)
	c.expect(200, "POST", "/v1/frameworks?framework_id=b", tiny)
	page := c.expect(200, "GET", "/v1/frameworks?page_size=1", "")
	c.expect(200, "GET", "/v1/frameworks?page_size=1&page_token="+page["nextPageToken"].(string), "")

	// The operational routes need no token.
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json"} {
		c.as("").expect(200, "GET", path, "")
	}

	// Change records name the token's subject.
	c.as(c.ladder.Token("users/ada", principal.Admin)).expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	changes := c.expect(200, "GET", "/v1/frameworks/eng/changes", "")
	if actor := changes["changes"].([]any)[0].(map[string]any)["actor"]; actor != "users/ada" {
		t.Errorf("change actor = %v, want users/ada", actor)
	}
}

func TestRESTRateLimit(t *testing.T) {
	l := testenv.StartLadderWith(t, testenv.Options{Interceptors: []grpc.UnaryServerInterceptor{ratelimit.New(0.5, 2).Unary()}})
	var accessLog syncBuffer
	srv := serveGateway(t, l, gateway.Options{Logger: slog.New(slog.NewTextHandler(&accessLog, nil))})
	alice := client{t: t, base: srv.URL, token: l.Token("users/alice", principal.Employee)}
	bob := alice.as(l.Token("users/bob", principal.Employee))

	alice.expect(200, "GET", "/v1/frameworks", "")
	alice.expect(200, "GET", "/v1/frameworks", "")
	req, err := http.NewRequest("GET", srv.URL+"/v1/frameworks", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+alice.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("third call in a burst of 2 = %d, Retry-After %q; want 429 with Retry-After 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Each caller has a bucket of their own.
	bob.expect(200, "GET", "/v1/frameworks", "")
	// A flood of refusals writes no access line each (they are counted).
	for range 50 {
		alice.expect(429, "GET", "/v1/frameworks", "")
	}
	if got := accessLog.String(); strings.Contains(got, "status=429") || !strings.Contains(got, "status=200") {
		t.Errorf("access log after 51 refusals:\n%s\nwant lines for the 200s and none for the 429s", got)
	}
}

// syncBuffer is a bytes.Buffer that the server's goroutines may write to
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoTokensOrPeople sends valid, invalid and misplaced tokens
// through the gateway with both the gateway's and the service's logs
// captured at debug level, and checks that neither a token nor a subject
// reaches them.
func TestLogsHoldNoTokensOrPeople(t *testing.T) {
	var logs syncBuffer // lines may still be written after a response is read
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := testenv.StartLadderWith(t, testenv.Options{Logger: log})
	srv := serveGateway(t, l, gateway.Options{Logger: log})
	good := l.Token("users/secret-person", principal.Admin)
	expired, _ := auth.MintDev(l.Key, "users/secret-person", nil, -time.Hour)
	c := client{t: t, base: srv.URL, token: good}
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(404, "GET", "/v1/frameworks/nope", "")
	c.as(expired).expect(401, "GET", "/v1/frameworks", "")
	c.as("").expect(401, "GET", "/v1/frameworks?access_token="+good, "")

	if logs.String() == "" {
		t.Fatal("nothing was logged; the test would prove nothing")
	}
	for _, secret := range []string{good, expired, strings.Split(good, ".")[1], "secret-person"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %q:\n%s", secret[:min(len(secret), 20)], logs.String())
		}
	}
}
