package gateway_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
)

// get sends a GET with extra headers and returns the response and its body.
func (c client) get(path string, header http.Header) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(body)
}

// A published revision carries a strong ETag; sent back, it gets a 304
// without a body, but only once the token was checked. A numbered revision
// may be kept for a year; latest must be asked again.
func TestRevisionsAnswerNotModified(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)
	const rev1 = "/v1/frameworks/eng/revisions/1"

	resp, body := c.get(rev1, nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || len(etag) < 10 || etag[0] != '"' || body == "" {
		t.Fatalf("GET %s = %d, ETag %q, %d bytes; want 200 with a strong ETag and the revision", rev1, resp.StatusCode, etag, len(body))
	}
	if got := resp.Header.Get("Cache-Control"); got != "private, max-age=31536000, immutable" {
		t.Errorf("GET %s: Cache-Control %q, want private, max-age=31536000, immutable", rev1, got)
	}
	employee := c.as(c.ladder.Token("users/erin", "employee"))
	for _, tt := range []struct {
		name        string
		c           client
		path, match string
		want        int
	}{
		{"the same ETag", c, rev1, etag, http.StatusNotModified},
		{"another reader's ETag", employee, rev1, etag, http.StatusNotModified},
		{"one of several", c, rev1, `"other", ` + etag, http.StatusNotModified},
		{"weak comparison", c, rev1, "W/" + etag, http.StatusNotModified},
		{"any", c, rev1, "*", http.StatusNotModified},
		{"another ETag", c, rev1, `"other"`, http.StatusOK},
		{"without a token", c.as(""), rev1, etag, http.StatusUnauthorized},
		{"with a bad token", c.as("not-a-token"), rev1, etag, http.StatusUnauthorized},
		{"no such revision", c, "/v1/frameworks/eng/revisions/9", "*", http.StatusNotFound},
		{"latest, same revision", c, "/v1/frameworks/eng/revisions/latest", etag, http.StatusNotModified},
	} {
		resp, body := tt.c.get(tt.path, http.Header{"If-None-Match": {tt.match}})
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET %s If-None-Match %s = %d, want %d", tt.name, tt.path, tt.match, resp.StatusCode, tt.want)
		}
		if resp.StatusCode == http.StatusNotModified && (body != "" || resp.Header.Get("ETag") != etag) {
			t.Errorf("%s: 304 with body %q and ETag %q, want no body and %s", tt.name, body, resp.Header.Get("ETag"), etag)
		}
	}
	// latest names the newest revision: it gets that one's ETag, and a
	// client must ask again.
	resp, _ = c.get("/v1/frameworks/eng/revisions/latest", nil)
	if resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("GET latest: ETag %q, Cache-Control %q, want %s, private, no-cache", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), etag)
	}
	c.expect(200, "PATCH", "/v1/frameworks/eng?update_mask=title", `{"title":"Eng 2","etag":"2"}`)
	c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)
	resp, body = c.get("/v1/frameworks/eng/revisions/latest", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag || body == "" {
		t.Errorf("GET latest after a publish with the old ETag = %d, ETag %q; want 200 with revision 2's", resp.StatusCode, resp.Header.Get("ETag"))
	}
	// Drafts change: no ETag, no caching beyond the API's defaults.
	resp, _ = c.get("/v1/frameworks/eng", http.Header{"If-None-Match": {"*"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != "" {
		t.Errorf("GET a draft with If-None-Match * = %d, ETag %q; want 200 without one", resp.StatusCode, resp.Header.Get("ETag"))
	}
}
