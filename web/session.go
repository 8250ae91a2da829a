package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// The session is the user's bearer token in an HttpOnly, SameSite cookie:
// the services check it on every call, exactly as for the API, so the app
// never needs to trust it itself. It reads the token's subject and roles
// only to show the right navigation.
const (
	sessionCookie = "ys_session"
	csrfCookie    = "ys_csrf"
)

type session struct {
	token  string
	user   string
	roles  []principal.Role
	expiry time.Time // zero when the token does not say
	csrf   string
	flash  string
}

// claims are the parts of a token the pages show.
type claims struct {
	jwt.Claims
	Roles any `json:"roles"`
}

// sessionOf reads the session of a request, nil when signed out or expired.
// Handlers that may answer with cookies use currentSession, which also
// renews a session that is about to expire.
func (a *App) sessionOf(r *http.Request) *session {
	c, err := a.cookie(r, sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	s := sessionOfToken(c.Value)
	if s == nil {
		return nil
	}
	if c, err := a.cookie(r, csrfCookie); err == nil {
		s.csrf = c.Value
	}
	if msg := r.URL.Query().Get("flash"); msg != "" && hmac.Equal([]byte(r.URL.Query().Get("fs")), []byte(a.signFlash(msg))) {
		s.flash = msg
	}
	return s
}

// sessionOfToken reads what the pages show of a token: nil when it cannot
// be read or has expired.
func sessionOfToken(token string) *session {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.EdDSA})
	if err != nil {
		return nil
	}
	var cl claims
	// Not verified here on purpose: every service call verifies it.
	if err := tok.UnsafeClaimsWithoutVerification(&cl); err != nil {
		return nil
	}
	s := &session{token: token, user: cl.Subject, roles: rolesOf(cl.Roles)}
	if cl.Expiry != nil {
		if s.expiry = cl.Expiry.Time(); s.expiry.Before(time.Now()) {
			return nil
		}
	}
	if !strings.HasPrefix(s.user, "users/") {
		s.user = "users/" + s.user
	}
	return s
}

// flashURL is path with a signed status message for the page to show.
func (a *App) flashURL(path, msg string) string {
	return path + "?flash=" + url.QueryEscape(msg) + "&fs=" + a.signFlash(msg)
}

func (a *App) signFlash(msg string) string {
	m := hmac.New(sha256.New, a.flashKey)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func rolesOf(v any) []principal.Role {
	var names []string
	switch x := v.(type) {
	case string:
		names = strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, n := range x {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	var roles []principal.Role
	for _, n := range names {
		if r := principal.Role(n); slices.Contains(principal.Roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// startSession sets the session, a fresh CSRF token, and the refresh
// token to keep (refresh.go); nil keeps none, and removes one an earlier
// sign-in in this browser kept.
func (a *App) startSession(w http.ResponseWriter, token string, ttl time.Duration, refresh *kept) {
	a.setCookie(w, sessionCookie, token, ttl)
	csrfTTL := ttl
	if refresh != nil {
		csrfTTL = time.Until(time.Unix(refresh.Until, 0))
	}
	a.setCookie(w, csrfCookie, randomToken(), csrfTTL)
	a.keepRefreshToken(w, refresh)
}

func (a *App) endSession(w http.ResponseWriter) {
	a.setCookie(w, sessionCookie, "", -1)
	a.setCookie(w, csrfCookie, "", -1)
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

// checkCSRF refuses a form post whose token is not the session's, or that
// comes from another origin (double-submit cookie, and Origin when sent).
func (a *App) checkCSRF(r *http.Request, s *session) bool {
	if o := r.Header.Get("Origin"); o != "" && !a.sameOrigin(o, r) {
		return false
	}
	got := r.PostFormValue("csrf")
	return s != nil && s.csrf != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// sameOrigin compares an Origin header with this site: scheme and host.
func (a *App) sameOrigin(origin string, r *http.Request) bool {
	scheme := "http"
	if a.opts.SecureCookies || r.TLS != nil {
		scheme = "https"
	}
	return origin == scheme+"://"+r.Host
}
