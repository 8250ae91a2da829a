package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// FuzzFrameworkBodies sends arbitrary JSON bodies to create
// (POST /v1/frameworks) and update (PATCH /v1/frameworks/{id}) through the
// real gateway, ladder service and embedded database, started once per
// fuzzing process. Whatever the body, the answer is never a 5xx (a panic in
// the service becomes one), the connection is never dropped (a panic in the
// gateway does that), and an error comes back as a JSON status.
func FuzzFrameworkBodies(f *testing.F) {
	l := testenv.StartLadder(f)
	srv := serveGateway(f, l, gateway.Options{})
	token := l.Token(testenv.AdminSubject, principal.Admin)
	send := fuzzSender(f, srv.URL, token)
	// The framework the PATCHes aim at. Creates use another ID, so once one
	// fuzzed body is valid the others collide with it (409) instead of
	// filling the database.
	if code, _, raw := send(f, "POST", "/v1/frameworks?framework_id=patched", tiny); code != http.StatusOK {
		f.Fatalf("create the framework to patch = %d %s", code, raw)
	}

	for _, body := range []string{
		tiny,
		`{}`,
		``,
		`null`,
		`[]`,
		`"title"`,
		`{"title":"Eng","etag":"1"}`,
		`{"title":"Eng","etag":"999999999999999999999"}`,
		`{"title":"Eng","etag":"-1"}`,
		`{"title":"Eng","etag":"W/\"1\""}`,
		`{"name":"frameworks/other","title":"Moved","etag":"1"}`,
		`{"title":1e400}`,
		`{"title":null,"tracks":null}`,
		`{"title":"\ud800"}`,
		`{"title":"x","titel":"typo"}`,
		`{"title":"x","title":"twice"}`,
		`{"state":"PUBLISHED","etag":"1"}`,
		`{"state":99,"etag":"1"}`,
		`{"revisionId":"7","createTime":"not a time","etag":"1"}`,
		`{"updateTime":"0001-01-01T00:00:00Z","etag":"1"}`,
		`{"competencies":[{"id":"a","title":"A"},{"id":"a","title":"A again"}],"etag":"1"}`,
		`{"tracks":[{"id":"t","title":"T","levels":[{"id":"l","title":"L","expectations":[{"competency":"missing","description":"d"}]}]}],"etag":"1"}`,
		`{"tracks":[{"levels":[{"expectations":[{"examples":[1,2,3]}]}]}]}`,
		`{"competencies":{"id":"not a list"}}`,
		`{"title":"` + strings.Repeat("x", 70000) + `"}`,
		strings.Repeat(`{"a":`, 20000) + strings.Repeat(`}`, 20000),
		strings.Repeat(`[`, 20000),
		`{"title":"x"} trailing`,
		"\xef\xbb\xbf{\"title\":\"bom\"}",
	} {
		f.Add(false, body)
		f.Add(true, body)
	}

	f.Fuzz(func(t *testing.T, patch bool, body string) {
		method, path := "POST", "/v1/frameworks?framework_id=created"
		if patch {
			method, path = "PATCH", "/v1/frameworks/patched"
		}
		code, contentType, raw := send(t, method, path, body)
		checkFuzzAnswer(t, method, path, body, code, contentType, raw)
	})
}

// fuzzSender returns a function that sends a request with a JSON body and a
// bearer token to base, failing the test when the connection breaks (a
// panic in the gateway does that).
func fuzzSender(f *testing.F, base, token string) func(t testing.TB, method, path, body string) (int, string, []byte) {
	hc := &http.Client{Transport: &http.Transport{}}
	f.Cleanup(hc.CloseIdleConnections)
	return func(t testing.TB, method, path, body string) (int, string, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s with body %.300q: %v (did the gateway panic?)", method, path, body, err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s with body %.300q: reading the answer: %v", method, path, body, err)
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), raw
	}
}

// checkFuzzAnswer fails on a 5xx, and on an error that is not a JSON status
// with a code and a message.
func checkFuzzAnswer(t *testing.T, method, path, body string, code int, contentType string, raw []byte) {
	t.Helper()
	if code >= 500 {
		t.Fatalf("%s %s with body %.300q = %d %.500s, want no 5xx", method, path, body, code, raw)
	}
	if code < 400 {
		return
	}
	if !strings.HasPrefix(contentType, "application/json") || !json.Valid(raw) {
		t.Fatalf("%s %s with body %.300q = %d with %q body %.500q, want a JSON status", method, path, body, code, contentType, raw)
	}
	var st struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &st); err != nil || st.Code == 0 || st.Message == "" {
		t.Fatalf("%s %s with body %.300q = %d %.500s, want a status with a code and a message (%v)", method, path, body, code, raw, err)
	}
}
