package gateway_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
)

// A credential anywhere in the query string is refused, whatever the case
// of the scheme or the parameter name, in any value of any parameter; query
// values that are not credentials pass.
func TestRESTQueryCredentialsAnyCase(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	jwt := c.token
	tests := []struct {
		name, query string
		refused     bool
	}{
		{"scheme in lower case", "x=" + url.QueryEscape("bearer abc"), true},
		{"scheme in upper case", "x=" + url.QueryEscape("BEARER "+jwt), true},
		{"scheme in mixed case, plus for space", "etag=BeArEr+abc", true},
		{"scheme after spaces, a tab before the token", "x=" + url.QueryEscape("  Bearer\tabc"), true},
		{"basic credentials", "x=" + url.QueryEscape("basic dXNlcjpwYXNz"), true},
		{"bare JWT", "etag=" + jwt, true},
		{"bare JWT with spaces around", "etag=" + url.QueryEscape(" "+jwt+" "), true},
		{"second value of a parameter", "etag=1&etag=" + url.QueryEscape("bearer abc"), true},
		{"value of an unknown parameter", "page_size=1&whatever=" + jwt, true},
		{"access_token", "access_token=x", true},
		{"ACCESS_TOKEN", "ACCESS_TOKEN=x", true},
		{"Access-Token", "Access-Token=x", true},
		{"accessToken", "accessToken=x", true},
		{"id_token", "ID_Token=x", true},
		{"api_key", "Api_Key=x", true},
		{"authorization", "AUTHORIZATION=x", true},
		{"empty credential parameter", "jwt=", true},
		// Not credentials.
		{"the word alone", "etag=bearer", false},
		{"a scheme-like prefix without a space", "etag=bearer-token", false},
		{"an ordinary parameter", "page_size=1", false},
		{"a parameter with token in its name", "page_token=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			resp, body := c.raw("GET", "/v1/frameworks?"+tt.query, nil, nil)
			reason, _ := errorInfo(body)
			refused := resp.StatusCode == http.StatusUnauthorized && reason == "CREDENTIALS_IN_QUERY"
			if refused != tt.refused {
				t.Errorf("GET /v1/frameworks?%s = %d %v, refused %v, want refused %v", tt.query, resp.StatusCode, body, refused, tt.refused)
			}
		})
	}
}
