package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/yardstick-dev/yardstick/gateway"
)

// raw sends a request with c's token (when set) and extra headers, and
// returns the response, its body read and closed, and the body decoded when
// it is a JSON status: c.t fails when an error body is anything else.
func (c client) raw(method, path string, body io.Reader, header http.Header) (*http.Response, map[string]any) {
	c.t.Helper()
	resp, raw := c.send(method, path, body, header)
	if resp.StatusCode < 400 {
		return resp, nil
	}
	return resp, decodeStatusBody(c.t, method+" "+path, resp, raw)
}

// send sends a request as raw does, and returns the response and its body.
func (c client) send(method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
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
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, raw
}

// decodeStatusBody checks that an error response is a JSON google.rpc.Status
// with a code, a message and an ErrorInfo, and returns it as a map.
func decodeStatusBody(t *testing.T, what string, resp *http.Response, raw []byte) map[string]any {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: %d with Content-Type %q, want application/json (body %q)", what, resp.StatusCode, ct, raw)
		return nil
	}
	if resp.Request.Method == http.MethodHead {
		return nil
	}
	var st spb.Status
	if err := protojson.Unmarshal(raw, &st); err != nil {
		t.Errorf("%s: body %q is not a JSON status: %v", what, raw, err)
		return nil
	}
	if st.GetCode() == 0 || st.GetMessage() == "" {
		t.Errorf("%s: status %v lacks a code or a message", what, &st)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if reason, domain := errorInfo(out); reason == "" || domain != "yardstick.dev" {
		t.Errorf("%s: body %s has no ErrorInfo in yardstick.dev", what, raw)
	}
	return out
}

// Every error the gateway writes itself is a JSON status with an ErrorInfo,
// whatever refused the request: the body cap (declared or chunked), the
// credential checks, the router.
func TestRESTGatewayErrorsAreJSON(t *testing.T) {
	const limit = 1024
	c := startGateway(t, gateway.Options{MaxBodyBytes: limit})
	big := `{"title":"` + strings.Repeat("x", 2*limit) + `"}`
	tests := []struct {
		name, method, path string
		body               func() io.Reader
		token              string // "" calls as an admin; "none" without a token
		wantHTTP           int
		wantReason         string
	}{
		{"oversized, declared length", "POST", "/v1/frameworks?framework_id=big",
			func() io.Reader { return strings.NewReader(big) }, "", 413, "REQUEST_TOO_LARGE"},
		// A reader http.NewRequest cannot size is sent chunked.
		{"oversized, chunked", "POST", "/v1/frameworks?framework_id=big",
			func() io.Reader { return io.MultiReader(strings.NewReader(big)) }, "", 413, "REQUEST_TOO_LARGE"},
		{"oversized, chunked, on update", "PATCH", "/v1/frameworks/big",
			func() io.Reader { return io.MultiReader(strings.NewReader(big)) }, "", 413, "REQUEST_TOO_LARGE"},
		{"token in the query", "GET", "/v1/frameworks?access_token=x", nil, "", 401, "CREDENTIALS_IN_QUERY"},
		{"no token", "GET", "/v1/frameworks", nil, "none", 401, "UNAUTHENTICATED"},
		{"garbage token", "GET", "/v1/frameworks", nil, "garbage", 401, "UNAUTHENTICATED"},
		{"unmatched API route", "GET", "/v1/nothing/here", nil, "", 404, "NOT_FOUND"},
		{"unmatched API version", "GET", "/v2/frameworks", nil, "", 404, "NOT_FOUND"},
		{"unmatched route", "GET", "/nothing", nil, "none", 404, "NOT_FOUND"},
		{"wrong method", "DELETE", "/v1/frameworks", nil, "", 405, "METHOD_NOT_ALLOWED"},
		{"wrong method, operational route", "POST", "/healthz", nil, "none", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			switch tt.token {
			case "none":
				c = c.as("")
			case "":
			default:
				c = c.as(tt.token)
			}
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			resp, out := c.raw(tt.method, tt.path, body, nil)
			if resp.StatusCode != tt.wantHTTP {
				t.Errorf("%s %s = %d %v, want %d", tt.method, tt.path, resp.StatusCode, out, tt.wantHTTP)
			}
			if reason, _ := errorInfo(out); reason != tt.wantReason {
				t.Errorf("%s %s: ErrorInfo reason %q, want %q", tt.method, tt.path, reason, tt.wantReason)
			}
			if tt.wantHTTP == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("%s %s: WWW-Authenticate %q, want a Bearer challenge", tt.method, tt.path, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
