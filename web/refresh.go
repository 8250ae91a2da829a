package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// Staying signed in. An ID token lives as long as its provider says, often
// an hour: less than a working day, and less than the afternoon an
// interviewer may take over a scorecard. When the provider issues a refresh
// token (it announces offline_access, and lets the client use the refresh
// grant), the app keeps it, sealed, in a cookie of its own, and trades it
// for a fresh ID token shortly before the session's expires. The provider
// stays in charge: a refused refresh ends the session.
const (
	refreshCookie = "ys_refresh"
	// refreshTTL is how long a kept refresh token is offered back, at most;
	// each renewal starts it again. The provider may end it sooner.
	refreshTTL = 7 * 24 * time.Hour
	// refreshAhead renews a session this long before its token expires, so
	// that a page's calls never carry a token about to lapse.
	refreshAhead = 2 * time.Minute
)

// refresher renews sessions: it seals refresh tokens with a key of its own
// and lets concurrent requests of one browser share one renewal, as a
// provider that rotates refresh tokens may revoke one used twice.
type refresher struct {
	seal    cipher.AEAD
	renewal singleflight.Group
}

func newRefresher() (*refresher, error) {
	// A key of this process: after a restart, a kept refresh token cannot
	// be opened, and the person signs in again (at once, if their session
	// with the provider is still open).
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
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
	return &refresher{seal: aead}, nil
}

func (f *refresher) sealToken(token string) string {
	nonce := make([]byte, f.seal.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(f.seal.Seal(nonce, nonce, []byte(token), []byte(refreshCookie)))
}

func (f *refresher) openToken(sealed string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < f.seal.NonceSize() {
		return "", false
	}
	plain, err := f.seal.Open(nil, b[:f.seal.NonceSize()], b[f.seal.NonceSize():], []byte(refreshCookie))
	return string(plain), err == nil
}

// keepRefreshToken stores a refresh token for later renewals.
func (a *App) keepRefreshToken(w http.ResponseWriter, token string) {
	a.setCookie(w, refreshCookie, a.oidc.refresh.sealToken(token), refreshTTL)
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

// renewed is what one renewal got: the ID token, when it expires, and the
// refresh token to keep.
type renewed struct {
	idToken string
	expiry  time.Time
	refresh string
}

// renewSession trades the kept refresh token for a fresh ID token and sets
// the session cookies; nil when there is no refresh token or the provider
// refuses it (the refresh cookie is then dropped).
func (a *App) renewSession(w http.ResponseWriter, r *http.Request) *session {
	c, err := a.cookie(r, refreshCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	refreshToken, ok := a.oidc.refresh.openToken(c.Value)
	if !ok {
		a.setCookie(w, refreshCookie, "", -1)
		return nil
	}
	got, err, _ := a.oidc.refresh.renewal.Do(refreshToken, func() (any, error) {
		// Not the request's context: a renewal shared by several requests
		// must not fail because the first of them went away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		tok, err := a.oidc.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
		if err != nil {
			return nil, err
		}
		raw, _ := tok.Extra("id_token").(string)
		idToken, err := a.oidc.verifier.Verify(ctx, raw)
		if err != nil {
			return nil, err
		}
		return renewed{idToken: raw, expiry: idToken.Expiry, refresh: tok.RefreshToken}, nil
	})
	if err != nil {
		a.log.Info("session renewal refused: signing in again", "error", err)
		a.setCookie(w, refreshCookie, "", -1)
		return nil
	}
	n := got.(renewed)
	s := sessionOfToken(n.idToken)
	if s == nil {
		return nil
	}
	a.setCookie(w, sessionCookie, n.idToken, time.Until(n.expiry))
	// The CSRF token stays, so that forms open in other tabs still post.
	if c, err := a.cookie(r, csrfCookie); err == nil && c.Value != "" {
		s.csrf = c.Value
	} else {
		s.csrf = randomToken()
	}
	a.setCookie(w, csrfCookie, s.csrf, refreshTTL)
	a.keepRefreshToken(w, n.refresh)
	return s
}
