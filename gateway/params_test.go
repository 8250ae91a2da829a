package gateway_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// Every path parameter and every query parameter of every route, in turn
// made of bytes that are not UTF-8 once decoded (or do not decode), is 400
// with a BadRequest naming it, and nothing logs an error: before, these were
// 500s, from the gRPC client failing to marshal the request message.
func TestRESTUndecodableParamsEveryRoute(t *testing.T) {
	var logs testenv.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	l := testenv.StartLadderWith(t, testenv.Options{Logger: log})
	srv := serveGateway(t, l, gateway.Options{Logger: log})
	c := client{t: t, base: srv.URL, token: l.Token(testenv.AdminSubject, principal.Admin), ladder: l}

	// Values that decode to something that is not UTF-8: a lone byte in
	// either case, a truncated sequence, an overlong encoding of NUL, a
	// surrogate half; and an escape that does not decode (query only: in
	// a path Go's HTTP server refuses it before the gateway sees it).
	notUTF8 := []string{"%ff", "%FF", "ok%c3", "%c0%80", "%ed%a0%80"}
	routes := apiRoutes(c)
	requests := 0
	for _, r := range routes {
		field := pathField(t, r.operationID)
		if field == "" && strings.Contains(r.template, "{") {
			t.Errorf("%s %s: no proto method %s binds its path", r.method, r.template, r.operationID)
			continue
		}
		var cases []struct{ path, field string }
		for _, bad := range notUTF8 {
			if field != "" {
				cases = append(cases, struct{ path, field string }{r.path(bad), field})
			}
			for _, q := range r.query {
				cases = append(cases, struct{ path, field string }{r.path("") + "?" + q + "=" + bad, q})
			}
		}
		for _, q := range r.query {
			cases = append(cases, struct{ path, field string }{r.path("") + "?" + q + "=%zz", q})
		}
		for _, tc := range cases {
			requests++
			got, body := c.do(r.method, tc.path, r.body())
			if got != http.StatusBadRequest || !namesField(body, tc.field) {
				t.Errorf("%s %s = %d %v, want 400 naming %q", r.method, tc.path, got, body, tc.field)
			}
			if reason, _ := errorInfo(body); reason != "INVALID_ARGUMENT" {
				t.Errorf("%s %s: ErrorInfo reason %q, want INVALID_ARGUMENT", r.method, tc.path, reason)
			}
		}
	}
	t.Logf("%d requests over %d routes", requests, len(routes))
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("bad parameters logged errors:\n%s", logs.String())
	}
}
