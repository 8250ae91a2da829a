package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// newTestApp is an app whose services are never called: enough for the
// pages and answers that need none.
func newTestApp(t *testing.T, opts Options) *App {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///unused", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	opts.Conns = map[string]grpc.ClientConnInterface{"ladder": conn, "rubric": conn, "feedback": conn}
	a, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signedToken is a token with claims, signed by a key of its own: the app
// reads a session's claims without verifying them (the services do).
func signedToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// homeAs opens "/" with a session cookie holding token.
func homeAs(t *testing.T, a *App, token string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d, want 200\n%.500s", w.Code, w.Body.String())
	}
	return w.Body.String()
}

// The pages read roles from the claim the services read (--roles-claim):
// with "groups", a recruiter by their groups sees a recruiter's navigation,
// and what the "roles" claim says counts for nothing.
func TestNavigationFollowsTheRolesClaim(t *testing.T) {
	exp := time.Now().Add(time.Hour).Unix()
	token := signedToken(t, map[string]any{"sub": "gina", "exp": exp, "groups": []string{"recruiter", "staff"}, "roles": []string{"employee"}})
	for _, tt := range []struct {
		rolesClaim    string
		wantRecruiter bool
	}{
		{"groups", true},
		{"", false}, // the default, "roles": an employee by that claim
	} {
		body := homeAs(t, newTestApp(t, Options{RolesClaim: tt.rolesClaim}), token)
		if !strings.Contains(body, `action="/signout"`) {
			t.Errorf("roles claim %q: the page is not a signed-in one\n%.1500s", tt.rolesClaim, body)
		}
		if got := strings.Contains(body, `href="/candidates"`); got != tt.wantRecruiter {
			t.Errorf("roles claim %q: recruiter's navigation shown = %v, want %v", tt.rolesClaim, got, tt.wantRecruiter)
		}
	}
}

// A status message signed by one replica shows on another that has the
// same secret, and on none that has another.
func TestFlashFromAnotherReplica(t *testing.T) {
	secret := []byte("a secret every replica of this deployment shares")
	signer, peer := newTestApp(t, Options{Secret: secret}), newTestApp(t, Options{Secret: secret})
	stranger := newTestApp(t, Options{Secret: []byte("the secret of another deployment entirely")})
	token := signedToken(t, map[string]any{"sub": "users/rita", "exp": time.Now().Add(time.Hour).Unix(), "roles": "recruiter"})
	target := signer.flashURL("/", "Saved 8128.")
	for _, tt := range []struct {
		name string
		app  *App
		want bool
	}{
		{"the replica that signed it", signer, true},
		{"another replica", peer, true},
		{"an app with another secret", stranger, false},
	} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		w := httptest.NewRecorder()
		tt.app.ServeHTTP(w, r)
		if got := strings.Contains(w.Body.String(), "Saved 8128."); got != tt.want {
			t.Errorf("%s: flash shown = %v, want %v (status %d)", tt.name, got, tt.want, w.Code)
		}
	}
	// Without a secret each app has a key of its own.
	if a, b := newTestApp(t, Options{}), newTestApp(t, Options{}); a.signFlash("x") == b.signFlash("x") {
		t.Error("two apps without a secret sign alike")
	}
}

// Unsafe requests from another origin are refused before any handler runs,
// signed in or not; same-origin ones and requests that are not from a
// browser (neither Sec-Fetch-Site nor Origin) pass.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	a := newTestApp(t, Options{})
	token := signedToken(t, map[string]any{"sub": "users/rita", "exp": time.Now().Add(time.Hour).Unix(), "roles": "recruiter"})
	for _, tt := range []struct {
		header map[string]string
		want   int
	}{
		{map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{map[string]string{"Origin": "http://yardstick.example:8080"}, http.StatusForbidden}, // another port
		{map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{map[string]string{"Origin": "http://yardstick.example"}, http.StatusSeeOther},
		{map[string]string{}, http.StatusSeeOther},
	} {
		r := httptest.NewRequest(http.MethodPost, "http://yardstick.example/signout", strings.NewReader(""))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("POST /signout with %v = %d, want %d", tt.header, w.Code, tt.want)
		}
		if signedOut := strings.Contains(w.Header().Get("Set-Cookie"), sessionCookie+"=;"); signedOut != (tt.want == http.StatusSeeOther) {
			t.Errorf("POST /signout with %v signed out = %v", tt.header, signedOut)
		}
	}
	// Safe methods are never refused: a link from another site opens a page.
	r := httptest.NewRequest(http.MethodGet, "http://yardstick.example/signin", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("GET /signin from another site = %d, want 200", w.Code)
	}
}
