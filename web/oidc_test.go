package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/web"
)

// provider is a minimal OpenID Connect provider: discovery, keys, an
// authorization endpoint that approves at once, and a token endpoint that
// checks the PKCE verifier against the challenge and, when the app asked
// for offline_access, issues refresh tokens, rotated at each use.
type provider struct {
	srv       *httptest.Server
	key       *ecdsa.PrivateKey
	mu        sync.Mutex
	challenge map[string]string // code → S256 challenge
	nonce     map[string]string // code → the app's nonce
	offline   map[string]bool   // code → asked for offline_access
	nonces    int
	ttl       time.Duration // of ID tokens; an hour when 0
	refresh   string        // the one refresh token that is valid now
	refreshes []string      // the refresh tokens the app traded, in order
	revoked   bool          // refuse every refresh
}

func (p *provider) idToken(nonce string) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: p.key, KeyID: "k1"}}, nil)
	if err != nil {
		return "", err
	}
	ttl := p.ttl
	if ttl == 0 {
		ttl = time.Hour
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.srv.URL, "aud": "yardstick-web", "sub": "users/olga", "roles": []string{"interviewer"},
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// refreshGrant answers grant_type=refresh_token: a new ID token and a new
// refresh token, for the valid refresh token only.
func (p *provider) refreshGrant(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	got := r.PostForm.Get("refresh_token")
	p.refreshes = append(p.refreshes, got)
	if p.revoked || got == "" || got != p.refresh {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		return
	}
	idToken, err := p.idToken("")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.refresh = fmt.Sprintf("rt-%d", len(p.refreshes)+1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "opaque", "token_type": "Bearer", "id_token": idToken,
		"refresh_token": p.refresh, "expires_in": 3600})
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{key: key, challenge: map[string]string{}, nonce: map[string]string{}, offline: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"jwks_uri": p.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"ES256"},
			"scopes_supported": []string{"openid", "profile", "email", "offline_access"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "PKCE required", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.nonces++
		code := "code-" + string(rune('a'+p.nonces))
		p.challenge[code] = q.Get("code_challenge")
		p.nonce[code] = q.Get("nonce")
		p.offline[code] = slices.Contains(strings.Fields(q.Get("scope")), "offline_access")
		p.mu.Unlock()
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.PostForm.Get("grant_type") == "refresh_token" {
			p.refreshGrant(w, r)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		code := r.PostForm.Get("code")
		want, ok := p.challenge[code]
		delete(p.challenge, code)
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != want {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		idToken, err := p.idToken(p.nonce[code])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		answer := map[string]any{"access_token": "opaque", "token_type": "Bearer", "id_token": idToken, "expires_in": 3600}
		if p.offline[code] {
			p.refresh = "rt-1"
			answer["refresh_token"] = p.refresh
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

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
	if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), "users/olga") {
		t.Fatalf("home after the OIDC sign-in = %d\n%.600s", resp.StatusCode, body)
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
	// The sign-in calls no service: connections to nowhere will do.
	dead, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	app, err = web.New(context.Background(), web.Options{
		Logger: slog.New(slog.DiscardHandler),
		Conns:  map[string]grpc.ClientConnInterface{"ladder": dead, "rubric": dead, "feedback": dead},
		OIDC:   &web.OIDCConfig{Issuer: p.srv.URL, ClientID: "yardstick-web", RedirectURL: site.URL + "/signin/callback"},
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

// A session whose ID token is about to expire is renewed with the kept
// refresh token (rotated at each renewal), without the person noticing;
// once the provider refuses the refresh token, the next page asks them to
// sign in again. An autosave without a session is told so, never
// redirected (fetch would take the sign-in page for a saved draft).
func TestOIDCSessionIsRenewed(t *testing.T) {
	p := newProvider(t)
	p.ttl = time.Minute // within refreshAhead: every page renews
	site, client := signInWithOIDC(t, p)
	home := func() (int, string) {
		t.Helper()
		resp, err := client.Get(site + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Request.URL.Path
	}
	for range 2 {
		if code, path := home(); code != http.StatusOK || path != "/" {
			t.Fatalf("home with a session about to expire = %d at %s, want 200 at /", code, path)
		}
	}
	p.mu.Lock()
	traded := slices.Clone(p.refreshes)
	p.mu.Unlock()
	// The page the sign-in lands on renews too: three renewals.
	if want := []string{"rt-1", "rt-2", "rt-3"}; !slices.Equal(traded, want) {
		t.Fatalf("refresh tokens traded = %v, want %v: each renewal with the token the last one gave", traded, want)
	}

	// The provider ends the session; the session cookie lapses.
	p.mu.Lock()
	p.revoked = true
	p.mu.Unlock()
	u, _ := url.Parse(site)
	client.Jar.SetCookies(u, []*http.Cookie{{Name: "ys_session", Value: "", Path: "/", MaxAge: -1}})
	if code, path := home(); code != http.StatusOK || path != "/signin" {
		t.Errorf("home after the provider refused the renewal = %d at %s, want the sign-in page", code, path)
	}
	for _, c := range client.Jar.Cookies(u) {
		if c.Name == "ys_refresh" {
			t.Errorf("the refused refresh token is still kept")
		}
	}

	req, _ := http.NewRequest(http.MethodPost, site+"/interviews/c1/i1", strings.NewReader("action=save"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Autosave", "1")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Not saved") {
		t.Errorf("autosave without a session = %d %q, want 401 saying nothing was saved", resp.StatusCode, body)
	}
}
