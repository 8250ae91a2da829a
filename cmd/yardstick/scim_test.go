package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// scimCall is one HTTP call to the running dev server.
func scimCall(t *testing.T, method, u, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// TestSCIMProvisionsTheDirectory walks what an identity provider does over
// SCIM against `dev` and its gateway, as a real client would over HTTP:
// create, look up by userName, rename, deactivate; and checks that the
// deactivated person's very next call is refused while their scorecard
// stays.
func TestSCIMProvisionsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	const scimToken = "scim-test-token-0123456789abcdef0123456789"
	tokenFile := filepath.Join(dir, "scim-token")
	if err := os.WriteFile(tokenFile, []byte(scimToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	httpAddr, grpcAddr := freeAddr(t), freeAddr(t)
	cmd, err := parseDev([]string{"--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr, "--rate-limit-rps", "0", "--scim-token-file", tokenFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.run(ctx, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	waitReady(t, httpAddr)
	base := "http://" + httpAddr
	users := base + "/scim/v2/Users"

	create := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "grace@example.com",
		"name": {"givenName": "Grace", "familyName": "Hopper"}, "externalId": "00u1grace",
		"emails": [{"value": "grace@example.com", "type": "work", "primary": true}], "active": true}`
	if code, _ := scimCall(t, http.MethodPost, users, "not-the-token", create); code != http.StatusUnauthorized {
		t.Fatalf("a create with another token: %d, want 401", code)
	}
	code, u := scimCall(t, http.MethodPost, users, scimToken, create)
	if code != http.StatusCreated || u["id"] != "grace@example.com" || u["displayName"] != "Grace Hopper" || u["externalId"] != "00u1grace" {
		t.Fatalf("create: %d %v", code, u)
	}
	if code, _ := scimCall(t, http.MethodPost, users, scimToken, create); code != http.StatusConflict {
		t.Fatalf("the same create again: %d, want 409", code)
	}
	code, list := scimCall(t, http.MethodGet, users+"?filter="+url.QueryEscape(`userName eq "grace@example.com"`), scimToken, "")
	if code != http.StatusOK || list["totalResults"] != float64(1) {
		t.Fatalf("filter by userName: %d %v", code, list)
	}
	code, list = scimCall(t, http.MethodGet, users+"?filter="+url.QueryEscape(`userName eq "nobody@example.com"`), scimToken, "")
	if code != http.StatusOK || list["totalResults"] != float64(0) {
		t.Fatalf("filter by a userName nobody has: %d %v", code, list)
	}

	// Grace works: her token passes, and she submits a scorecard.
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(sub string, roles ...principal.Role) string {
		tok, err := auth.MintDev(key, sub, roles, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	grace, rita := mint("users/grace@example.com", principal.Interviewer), mint("users/rita", principal.Recruiter)
	api := func(token, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, body := api(rita, "POST", "/v1/candidates?candidate_id=c-scim", `{"display_name": "Marie C.", "role": "ic", "level": "l3"}`); code != http.StatusOK {
		t.Fatalf("candidate: %d %v", code, body)
	}
	if code, body := api(rita, "POST", "/v1/candidates/c-scim/interviews?interview_id=coding", `{"interviewer": "users/grace@example.com", "rubric": "rubrics/l3-coding/revisions/1"}`); code != http.StatusOK {
		t.Fatalf("interview: %d %v", code, body)
	}
	scorecard := "/v1/candidates/c-scim/interviews/coding/scorecard"
	if code, body := api(grace, "PATCH", scorecard, `{"ratings": [
		{"competency": "technical-skill", "score": 3, "evidence": "Chose a heap and said why."},
		{"competency": "quality", "score": 3, "evidence": "Tested the empty case first."},
		{"competency": "communication", "score": 3, "evidence": "Thought aloud."}], "recommendation": "RECOMMENDATION_YES"}`); code != http.StatusOK {
		t.Fatalf("Grace's draft: %d %v", code, body)
	}
	if code, body := api(grace, "POST", scorecard+":submit", `{"etag": "1"}`); code != http.StatusOK {
		t.Fatalf("Grace's submit: %d %v", code, body)
	}

	// A rename, as Okta sends it.
	code, u = scimCall(t, http.MethodPatch, users+"/grace@example.com", scimToken, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "path": "name.givenName", "value": "Amazing Grace"}]}`)
	if code != http.StatusOK || u["displayName"] != "Amazing Grace Hopper" {
		t.Fatalf("rename: %d %v", code, u)
	}
	if code, body := api(rita, "GET", "/v1/users/grace@example.com", ""); code != http.StatusOK || body["displayName"] != "Amazing Grace Hopper" {
		t.Fatalf("the directory after the rename: %d %v", code, body)
	}

	// Deactivated: her next call is refused; her scorecard stays.
	code, u = scimCall(t, http.MethodPatch, users+"/grace@example.com", scimToken, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": false}]}`)
	if code != http.StatusOK || u["active"] != false {
		t.Fatalf("deactivate: %d %v", code, u)
	}
	if code, body := api(grace, "GET", scorecard, ""); code != http.StatusUnauthorized || !strings.Contains(body["message"].(string), "deactivated") {
		t.Fatalf("Grace's next call: %d %v, want 401 saying she is deactivated", code, body)
	}
	if code, body := api(rita, "GET", scorecard, ""); code != http.StatusOK || body["state"] != "STATE_SUBMITTED" {
		t.Fatalf("Grace's scorecard after her deactivation: %d %v", code, body)
	}

	// Reactivated, then a DELETE deactivates (the entry stays).
	if code, u = scimCall(t, http.MethodPatch, users+"/grace@example.com", scimToken, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "value": {"active": true}}]}`); code != http.StatusOK || u["active"] != true {
		t.Fatalf("reactivate: %d %v", code, u)
	}
	if code, _ := api(grace, "GET", scorecard, ""); code != http.StatusOK {
		t.Fatalf("Grace reactivated: %d", code)
	}
	if code, _ := scimCall(t, http.MethodDelete, users+"/grace@example.com", scimToken, ""); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code, u = scimCall(t, http.MethodGet, users+"/grace@example.com", scimToken, ""); code != http.StatusOK || u["active"] != false {
		t.Fatalf("after a delete: %d %v, want the entry, deactivated", code, u)
	}
	// The provisioning token reaches the directory and nothing else.
	if code, _ := api(scimToken, "GET", "/v1/candidates", ""); code != http.StatusForbidden {
		t.Fatalf("the SCIM token on candidates: %d, want 403", code)
	}
	if code, _ := scimCall(t, http.MethodPatch, users+"/grace@example.com", scimToken, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "path": "userName", "value": "someone@example.com"}]}`); code != http.StatusBadRequest {
		t.Fatalf("a new userName: %d, want 400", code)
	}
}
