package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/web"
)

// The production sign-in: the authorization-code flow with PKCE; the app
// keeps the verified ID token as the session, and refuses a callback it
// did not start.
func TestOIDCSignIn(t *testing.T) {
	p := newProvider(t)
	site, client := signInWithOIDC(t, p)
	resp, err := client.Get(site + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := new(strings.Builder)
	if _, err := io.Copy(body, resp.Body); err != nil {
		t.Fatal(err)
	}
	// The ID token's name went into the directory: pages say who, by name.
	if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), "Olga Lind") || strings.Contains(body.String(), "users/olga") {
		t.Fatalf("home after the OIDC sign-in = %d, want it to name Olga Lind\n%.600s", resp.StatusCode, body)
	}
	// A callback the app did not start (no state cookie) is refused.
	forged, err := http.Get(site + "/signin/callback?code=code-x&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	forged.Body.Close()
	if forged.StatusCode != http.StatusBadRequest {
		t.Errorf("forged callback = %d, want 400", forged.StatusCode)
	}
}

// signInWithOIDC starts the app against provider p and signs in through
// it; it returns the site's URL and the signed-in browser.
func signInWithOIDC(t *testing.T, p *provider) (string, *http.Client) {
	t.Helper()
	var app *web.App
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	t.Cleanup(site.Close)
	// The services trust the provider, as in production: the sign-in
	// writes the person's directory entry with their own token.
	verifier, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: p.srv.URL, Audience: "yardstick-web"})
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.Options{Verifier: verifier})
	app, err = web.New(context.Background(), web.Options{
		Logger: slog.New(slog.DiscardHandler),
		Conns:  map[string]grpc.ClientConnInterface{"ladder": env.Conn, "rubric": env.Conn, "feedback": env.Conn},
		OIDC:   &web.OIDCConfig{Issuer: p.srv.URL, ClientID: "yardstick-web", ClientSecret: "s3cret", RedirectURL: site.URL + "/signin/callback"},
	})
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	resp, err := client.Get(site.URL + "/signin/oidc?next=/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return site.URL, client
}
