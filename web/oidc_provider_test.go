package web_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
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
	revokedBy []string      // the refresh tokens revoked at sign-out
	// How the token endpoint misbehaves, for the tests of renewal.
	noRefresh    bool          // issue no refresh token at sign-in
	refreshAs    string        // another subject for renewed ID tokens
	noIDToken    bool          // renew without an ID token
	failing      bool          // answer refreshes with 500
	refreshTakes time.Duration // how long a refresh takes
}

func (p *provider) idToken(nonce string) (string, error) {
	return p.idTokenFor("users/olga", nonce)
}

func (p *provider) idTokenFor(subject, nonce string) (string, error) {
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
		"iss": p.srv.URL, "aud": "yardstick-web", "sub": subject, "roles": []string{"interviewer"},
		"name": "Olga Lind", "email": "olga@example.com",
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
	time.Sleep(p.refreshTakes) // set before the test's requests; read-only since
	p.mu.Lock()
	defer p.mu.Unlock()
	got := r.PostForm.Get("refresh_token")
	p.refreshes = append(p.refreshes, got)
	if p.failing {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	if p.revoked || got == "" || got != p.refresh {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		return
	}
	subject := "users/olga"
	if p.refreshAs != "" {
		subject = p.refreshAs
	}
	idToken, err := p.idTokenFor(subject, "")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.refresh = fmt.Sprintf("rt-%d", len(p.refreshes)+1)
	answer := map[string]any{"access_token": "opaque", "token_type": "Bearer", "refresh_token": p.refresh, "expires_in": 3600}
	if !p.noIDToken {
		answer["id_token"] = idToken
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// revoke is the revocation endpoint (RFC 7009), for a client with a secret.
func (p *provider) revoke(w http.ResponseWriter, r *http.Request) {
	if id, secret, ok := r.BasicAuth(); !ok || id != "yardstick-web" || secret != "s3cret" {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revokedBy = append(p.revokedBy, r.PostFormValue("token"))
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
			"scopes_supported": []string{"openid", "profile", "email", "offline_access"}, "revocation_endpoint": p.srv.URL + "/revoke",
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
	mux.HandleFunc("/revoke", p.revoke)
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
		if p.offline[code] && !p.noRefresh {
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
