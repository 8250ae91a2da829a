package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The mark is the favicon: every page links it, and /favicon.ico, which
// browsers and other clients ask for without reading a page, leads to it
// rather than to a 404.
func TestFaviconIsTheMark(t *testing.T) {
	s := startSite(t)
	_, body := s.as(t, "").get("/signin")
	if !strings.Contains(body, `<link rel="icon" href="/static/mark.svg" type="image/svg+xml">`) || !strings.Contains(body, `<img class="mark" src="/static/mark.svg" alt=""`) {
		t.Errorf("/signin does not link the mark as its icon and show it in the header\n%.800s", body)
	}
	resp, err := http.Get(s.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/static/mark.svg" || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET /favicon.ico = %d %s at %s, want the mark (image/svg+xml)", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Request.URL.Path)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("the mark is served with Content-Security-Policy %q", csp)
	}
}
