package gateway

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Query strings end up in logs, proxies and browser history, so a request
// with a credential in its query string is refused outright, valid or not:
// a parameter named like one, or any parameter whose value looks like one.

// tokenParams are the names of parameters that would carry a credential,
// normalized (see normalizeParam): access_token, Access-Token and
// accessToken are one name.
var tokenParams = []string{"accesstoken", "token", "idtoken", "refreshtoken", "authorization", "bearer", "jwt", "apikey"}

// normalizeParam lower-cases a parameter name and drops the separators
// people put between its words.
func normalizeParam(name string) string {
	return strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(name))
}

var (
	// An Authorization header's value pasted into the query (any case:
	// ?x=bearer%20abc), whatever the token looks like.
	authScheme = regexp.MustCompile(`(?i)^\s*(bearer|basic)\s+\S`)
	// A bare JWT: three base64url parts, the first a JSON object ("eyJ" is `{"`).
	jwtLike = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)
)

// credentialLike reports whether a query value looks like a credential.
func credentialLike(v string) bool {
	return authScheme.MatchString(v) || jwtLike.MatchString(strings.TrimSpace(v))
}

// refuseQueryTokens checks every name and every value of the query.
func refuseQueryTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.URL.Query() {
			if slices.Contains(tokenParams, normalizeParam(name)) || slices.ContainsFunc(values, credentialLike) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="yardstick", error="invalid_request"`)
				writeError(w, http.StatusUnauthorized, credentialsInQuery())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
