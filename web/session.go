package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
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
	token string
	user  string
	roles []principal.Role
	csrf  string
	flash string
}

// claims are the parts of a token the pages show.
type claims struct {
	jwt.Claims
	Roles any `json:"roles"`
}

// sessionOf reads the session of a request, nil when signed out or expired.
func (a *App) sessionOf(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	tok, err := jwt.ParseSigned(c.Value, []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.EdDSA})
	if err != nil {
		return nil
	}
	var cl claims
	// Not verified here on purpose: every service call verifies it.
	if err := tok.UnsafeClaimsWithoutVerification(&cl); err != nil {
		return nil
	}
	if cl.Expiry != nil && cl.Expiry.Time().Before(time.Now()) {
		return nil
	}
	s := &session{token: c.Value, user: cl.Subject, roles: rolesOf(cl.Roles)}
	if !strings.HasPrefix(s.user, "users/") {
		s.user = "users/" + s.user
	}
	if c, err := r.Cookie(csrfCookie); err == nil {
		s.csrf = c.Value
	}
	s.flash = r.URL.Query().Get("flash")
	return s
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

// startSession sets the session and a fresh CSRF token.
func (a *App) startSession(w http.ResponseWriter, token string, ttl time.Duration) {
	a.setCookie(w, sessionCookie, token, ttl)
	a.setCookie(w, csrfCookie, randomToken(), ttl)
}

func (a *App) endSession(w http.ResponseWriter) {
	a.setCookie(w, sessionCookie, "", -1)
	a.setCookie(w, csrfCookie, "", -1)
}

func (a *App) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, Secure: a.opts.SecureCookies,
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
func checkCSRF(r *http.Request, s *session) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	got := r.PostFormValue("csrf")
	return s != nil && s.csrf != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

func sameOrigin(origin string, r *http.Request) bool {
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
	return o == r.Host
}
