package gateway_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
)

// Every route of the API, called with each method it does not have, is 405
// with an Allow header listing exactly the methods it has, and a JSON status.
// The expected methods come from the OpenAPI document, matched the way the
// runtime matches: a path parameter is one segment, and may hold a colon, so
// /v1/frameworks/x:publish is also a framework name for GET, PATCH and DELETE.
func TestRESTMethodNotAllowedEveryRoute(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	routes := apiRoutes(c)
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"} // the Allow header's order
	checked := 0
	for _, r := range routes {
		path := r.path("")
		var allowed []string
		for _, m := range methods {
			if slices.ContainsFunc(routes, func(o apiRoute) bool { return o.method == m && templateMatches(o.template, path) }) {
				allowed = append(allowed, m)
			}
		}
		for _, m := range methods {
			if slices.Contains(allowed, m) {
				continue
			}
			checked++
			resp, body := c.raw(m, path, nil, nil)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != strings.Join(allowed, ", ") {
				t.Errorf("%s %s = %d, Allow %q; want 405, Allow %q", m, path, resp.StatusCode, resp.Header.Get("Allow"), strings.Join(allowed, ", "))
			}
			if reason, _ := errorInfo(body); reason != "METHOD_NOT_ALLOWED" {
				t.Errorf("%s %s: body %v, want an ErrorInfo METHOD_NOT_ALLOWED", m, path, body)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no route was called with a method it lacks; the test proved nothing")
	}
	t.Logf("%d wrong-method calls over %d routes", checked, len(routes))

	// The operational routes answer GET (and HEAD) only, in the same shape.
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json"} {
		resp, body := c.raw("POST", path, nil, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s = %d, Allow %q; want 405, Allow \"GET, HEAD\"", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
		if reason, _ := errorInfo(body); reason != "METHOD_NOT_ALLOWED" {
			t.Errorf("POST %s: body %v, want an ErrorInfo METHOD_NOT_ALLOWED", path, body)
		}
	}
}

// templateMatches reports whether an OpenAPI path template matches path.
func templateMatches(template, path string) bool {
	re := "^" + quotedParam.ReplaceAllString(regexp.QuoteMeta(template), `[^/]+`) + "$"
	return regexp.MustCompile(re).MatchString(path)
}

// quotedParam is a path parameter once regexp.QuoteMeta went over it: \{framework\}.
var quotedParam = regexp.MustCompile(`\\\{[^}]*\\\}`)
