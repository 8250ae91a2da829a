package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// Staying signed in. An ID token lives as long as its provider says, often
// an hour: less than a working day, and less than the afternoon an
// interviewer may take over a scorecard. When the provider issues a refresh
// token (it announces offline_access, and lets the client use the refresh
// grant), the app keeps it, sealed, in a cookie of its own, and trades it
// for a fresh ID token when the session's is about to expire or has. The
// provider stays in charge: a refused refresh ends the session, and
// sign-out revokes the token where the provider offers that.
const (
	refreshCookie = "ys_refresh"
	// sessionMaxAge bounds how long a sign-in is renewed, counted from the
	// sign-in and not from the last renewal: a forgotten browser does not
	// stay signed in for ever. The provider may end it sooner.
	sessionMaxAge = 7 * 24 * time.Hour
	// refreshAhead renews a session this long before its token expires, so
	// that a page's calls never carry a token about to lapse.
	refreshAhead = 2 * time.Minute
	// recentRenewal is how long a renewal's result is handed to requests
	// that still carry the refresh token it traded: providers rotate
	// refresh tokens, and one used twice may revoke them all.
	recentRenewal = time.Minute
)

// kept is what the refresh cookie holds, sealed.
type kept struct {
	Subject string `json:"sub"`   // the ID token's subject: renewals must keep it
	Token   string `json:"rt"`    // the refresh token
	Until   int64  `json:"until"` // Unix seconds: no renewal after (sessionMaxAge)
}

// renewal is what trading a refresh token got.
type renewal struct {
	kept    kept   // the refresh token to keep from now on (rotated or not)
	idToken string // "" when the provider sent none
	expiry  time.Time
	at      time.Time
}

// refresher seals refresh tokens and renews sessions. Concurrent requests
// of one browser share one renewal, and requests that arrive with the
// refresh token a renewal just traded get its result.
type refresher struct {
	seal    cipher.AEAD
	shared  bool // the key is the same in every replica
	renewal singleflight.Group
	mu      sync.Mutex
	recent  map[[32]byte]*renewal // by SHA-256 of the refresh token traded
}

// newRefresher derives the sealing key from the client secret, which every
// replica of the gateway shares; a client without one (a public client)
// gets a key of this process, so its sessions renew only on the replica
// that signed them in, until it restarts.
func newRefresher(clientSecret string) (*refresher, error) {
	var key []byte
	var err error
	if clientSecret != "" {
		key, err = hkdf.Key(sha256.New, []byte(clientSecret), nil, "yardstick web: sealed refresh tokens", 32)
	} else {
		key = make([]byte, 32)
		_, err = rand.Read(key)
	}
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &refresher{seal: aead, shared: clientSecret != "", recent: map[[32]byte]*renewal{}}, nil
}

func (f *refresher) sealKept(k kept) string {
	plain, _ := json.Marshal(k)
	nonce := make([]byte, f.seal.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(f.seal.Seal(nonce, nonce, plain, []byte(refreshCookie)))
}

func (f *refresher) openKept(sealed string) (kept, bool) {
	var k kept
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < f.seal.NonceSize() {
		return k, false
	}
	plain, err := f.seal.Open(nil, b[:f.seal.NonceSize()], b[f.seal.NonceSize():], []byte(refreshCookie))
	if err != nil || json.Unmarshal(plain, &k) != nil || k.Token == "" {
		return k, false
	}
	return k, true
}

// recentFor returns a renewal that traded token within recentRenewal.
func (f *refresher) recentFor(token string) *renewal {
	f.mu.Lock()
	defer f.mu.Unlock()
	for h, r := range f.recent { // few: one a renewal, for a minute
		if time.Since(r.at) > recentRenewal {
			delete(f.recent, h)
		}
	}
	return f.recent[sha256.Sum256([]byte(token))]
}

func (f *refresher) remember(token string, r *renewal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recent[sha256.Sum256([]byte(token))] = r
}

// keepRefreshToken sets the refresh cookie; nil removes it.
func (a *App) keepRefreshToken(w http.ResponseWriter, k *kept) {
	if k == nil {
		a.setCookie(w, refreshCookie, "", -1)
		return
	}
	a.setCookie(w, refreshCookie, a.oidc.refresh.sealKept(*k), time.Until(time.Unix(k.Until, 0)))
}

// currentSession is the request's session, renewed first when it has
// expired or is about to and a refresh token is kept; nil when signed out.
func (a *App) currentSession(w http.ResponseWriter, r *http.Request) *session {
	s := a.sessionOf(r)
	if a.oidc == nil || (s != nil && (s.expiry.IsZero() || time.Until(s.expiry) > refreshAhead)) {
		return s
	}
	if renewed := a.renewSession(w, r); renewed != nil {
		if s != nil {
			renewed.flash = s.flash
		}
		return renewed
	}
	return s // still valid for a moment, or nil
}

// renewSession trades the kept refresh token for a fresh ID token and sets
// the session cookies. It returns nil when there is no refresh token, the
// provider refuses it (the cookie is then dropped), or it could not be
// renewed now (the cookie stays for the next try).
func (a *App) renewSession(w http.ResponseWriter, r *http.Request) *session {
	c, err := a.cookie(r, refreshCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	k, ok := a.oidc.refresh.openKept(c.Value)
	if !ok || time.Now().Unix() >= k.Until {
		a.keepRefreshToken(w, nil) // sealed by another key, or past sessionMaxAge
		return nil
	}
	got := a.oidc.refresh.recentFor(k.Token)
	if got == nil {
		v, err, _ := a.oidc.refresh.renewal.Do(k.Token, func() (any, error) { return a.tradeRefreshToken(r.Context(), k) })
		got, _ = v.(*renewal)
		if err != nil {
			var refused *oauth2.RetrieveError
			if (errors.As(err, &refused) && refused.ErrorCode == "invalid_grant") || errors.Is(err, errOtherSubject) {
				a.log.Info("session renewal refused: signing in again", "error", err)
				a.keepRefreshToken(w, nil)
				return nil
			}
			a.log.Warn("session renewal failed; trying again on the next request", "error", err)
			if got != nil { // the token was rotated before the failure: keep the new one
				a.keepRefreshToken(w, &got.kept)
			}
			return nil
		}
	}
	a.keepRefreshToken(w, &got.kept)
	s := a.sessionOfToken(got.idToken)
	if s == nil { // no ID token in the answer: the session goes on as it is
		return nil
	}
	a.setCookie(w, sessionCookie, got.idToken, time.Until(got.expiry))
	return s
}

// errOtherSubject is a renewal that would sign in someone else.
var errOtherSubject = errors.New("the renewed ID token names another subject")

// tradeRefreshToken asks the provider for fresh tokens. It returns the
// renewal even with an error once the provider has answered, so that a
// rotated refresh token is not lost.
func (a *App) tradeRefreshToken(ctx context.Context, k kept) (*renewal, error) {
	// Not the request's cancellation: a renewal shared by several requests
	// must not fail because the first of them went away.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	tok, err := a.oidc.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: k.Token}).Token()
	if err != nil {
		return nil, err
	}
	got := &renewal{kept: kept{Subject: k.Subject, Token: tok.RefreshToken, Until: k.Until}, at: time.Now()}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		a.log.Warn("the provider renewed the session without an ID token: it lasts until its token expires")
		a.oidc.refresh.remember(k.Token, got)
		return got, nil
	}
	idToken, err := a.oidc.verifier.Verify(ctx, raw)
	if err != nil {
		return got, fmt.Errorf("renewed ID token: %w", err)
	}
	// OpenID Connect Core 12.2: the renewed token must be the same person's.
	if idToken.Subject != k.Subject {
		return nil, errOtherSubject
	}
	got.idToken, got.expiry = raw, idToken.Expiry
	a.oidc.refresh.remember(k.Token, got)
	return got, nil
}

// revokeRefreshToken tells the provider, when it has a revocation endpoint
// (RFC 7009), that the kept refresh token is done with: sign-out. A failure
// is logged; the cookies go anyway.
func (a *App) revokeRefreshToken(r *http.Request) {
	if a.oidc == nil || a.oidc.revocationURL == "" {
		return
	}
	c, err := a.cookie(r, refreshCookie)
	if err != nil || c.Value == "" {
		return
	}
	k, ok := a.oidc.refresh.openKept(c.Value)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	form := url.Values{"token": {k.Token}, "token_type_hint": {"refresh_token"}}
	if a.oidc.cfg.ClientSecret == "" {
		form.Set("client_id", a.oidc.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.oidc.revocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		a.log.Warn("revoke refresh token", "error", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.oidc.cfg.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(a.oidc.cfg.ClientID), url.QueryEscape(a.oidc.cfg.ClientSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.log.Warn("revoke refresh token", "error", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		a.log.Warn("revoke refresh token", "status", resp.StatusCode)
	}
}
