package gateway_test

import (
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
)

// Through the whole stack, every error body carries an ErrorInfo in the
// yardstick.dev domain, whoever refused the request: the gateway itself,
// the service's interceptors or its handler.
func TestRESTErrorsCarryErrorInfo(t *testing.T) {
	c := startGateway(t, gateway.Options{MaxBodyBytes: 1024})
	tests := []struct {
		name, method, path, body string
		anonymous                bool
		wantHTTP                 int
		wantReason               string
	}{
		{"malformed JSON", "POST", "/v1/frameworks?framework_id=x", `{"title":`, false, 400, "INVALID_ARGUMENT"},
		{"validation", "GET", "/v1/frameworks?page_size=-1", "", false, 400, "INVALID_ARGUMENT"},
		{"not found", "GET", "/v1/frameworks/ghost", "", false, 404, "NOT_FOUND"},
		{"no token", "GET", "/v1/frameworks", "", true, 401, "UNAUTHENTICATED"},
		{"token in the query", "GET", "/v1/frameworks?access_token=x", "", false, 401, "CREDENTIALS_IN_QUERY"},
		{"too large", "POST", "/v1/frameworks?framework_id=big", `{"title":"` + strings.Repeat("x", 2048) + `"}`, false, 413, "REQUEST_TOO_LARGE"},
		{"wrong method", "DELETE", "/v1/frameworks", "", false, 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			if tt.anonymous {
				c = c.as("")
			}
			got, body := c.do(tt.method, tt.path, tt.body)
			if got != tt.wantHTTP {
				t.Errorf("%s %s = %d %v, want %d", tt.method, tt.path, got, body, tt.wantHTTP)
			}
			if reason, domain := errorInfo(body); reason != tt.wantReason || domain != "yardstick.dev" {
				t.Errorf("%s %s: ErrorInfo reason %q domain %q, want %q in yardstick.dev (body %v)", tt.method, tt.path, reason, domain, tt.wantReason, body)
			}
		})
	}
}

// errorInfo returns the reason and domain of the ErrorInfo in a JSON error body.
func errorInfo(body map[string]any) (reason, domain string) {
	details, _ := body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" {
			reason, _ = m["reason"].(string)
			domain, _ = m["domain"].(string)
		}
	}
	return reason, domain
}
