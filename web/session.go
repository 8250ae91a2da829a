package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// The session is the user's bearer token in an HttpOnly, SameSite cookie:
// the services check it on every call, exactly as for the API, so the app
// never needs to trust it itself. It reads the token's subject and roles
// (principal.FromClaims, as the services do, from the same roles claim)
// only to show the right navigation. Forms need no token of their own:
// http.CrossOriginProtection refuses posts from other sites (web.go).
const sessionCookie = "ys_session"

type session struct {
	token  string
	user   string
	roles  []principal.Role
	expiry time.Time // zero when the token does not say
	flash  string
}

// sessionOf reads the session of a request, nil when signed out or expired.
// Handlers that may answer with cookies use currentSession, which also
// renews a session that is about to expire.
func (a *App) sessionOf(r *http.Request) *session {
	c, err := a.cookie(r, sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	s := a.sessionOfToken(c.Value)
	if s == nil {
		return nil
	}
	if msg := r.URL.Query().Get("flash"); msg != "" && hmac.Equal([]byte(r.URL.Query().Get("fs")), []byte(a.signFlash(msg))) {
		s.flash = msg
	}
	return s
}

// sessionOfToken reads what the pages show of a token: nil when it cannot
// be read or has expired.
func (a *App) sessionOfToken(token string) *session {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.EdDSA})
	if err != nil {
		return nil
	}
	var registered jwt.Claims
	var all map[string]any
	// Not verified here on purpose: every service call verifies it.
	if err := tok.UnsafeClaimsWithoutVerification(&registered, &all); err != nil {
		return nil
	}
	p := principal.FromClaims(all, a.opts.RolesClaim)
	s := &session{token: token, user: p.User(), roles: p.Roles}
	if registered.Expiry != nil {
		if s.expiry = registered.Expiry.Time(); s.expiry.Before(time.Now()) {
			return nil
		}
	}
	return s
}

// flashURL is path with a signed status message for the page to show.
func (a *App) flashURL(path, msg string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&" // a path with a query of its own keeps it
	}
	return path + sep + "flash=" + url.QueryEscape(msg) + "&fs=" + a.signFlash(msg)
}

func (a *App) signFlash(msg string) string {
	m := hmac.New(sha256.New, a.flashKey)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// startSession sets the session and the refresh token to keep
// (refresh.go); nil keeps none, and removes one an earlier sign-in in this
// browser kept.
func (a *App) startSession(w http.ResponseWriter, token string, ttl time.Duration, refresh *kept) {
	a.setCookie(w, sessionCookie, token, ttl)
	a.keepRefreshToken(w, refresh)
}

func (a *App) endSession(w http.ResponseWriter) {
	a.setCookie(w, sessionCookie, "", -1)
	a.setCookie(w, refreshCookie, "", -1)
}

// cookieName prefixes a cookie "__Host-" when cookies are Secure: the
// browser then takes it only from this host over HTTPS with Path=/, so a
// sibling subdomain cannot plant a session.
func (a *App) cookieName(name string) string {
	if a.opts.SecureCookies {
		return "__Host-" + name
	}
	return name
}

func (a *App) cookie(r *http.Request, name string) (*http.Cookie, error) {
	return r.Cookie(a.cookieName(name))
}

func (a *App) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	c := &http.Cookie{
		Name: a.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: a.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	if ttl < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(ttl.Seconds())
	}
	http.SetCookie(w, c)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
