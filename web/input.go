package web

import (
	"net/http"
	"net/url"
	"unicode/utf8"
)

// Text that is not UTF-8 cannot go into a protobuf string: a call carrying
// it fails to marshal, which would read as an error on our side. Browsers
// only send UTF-8, so such input comes from other clients, and is refused
// at the door with the place it was found.

// notUTF8InAddress names the part of the request's address (the path, or
// a query parameter) that is not valid UTF-8; "" when all of it is.
func notUTF8InAddress(r *http.Request) string {
	if !utf8.ValidString(r.URL.Path) {
		return "the path"
	}
	// A query that does not parse (a bad %-escape) is left to the pages,
	// which read what they can of it, as before.
	query, _ := url.ParseQuery(r.URL.RawQuery)
	if name := notUTF8(query); name != "" {
		return "the parameter " + name
	}
	return ""
}

// notUTF8 names a key of values whose name or value is not valid UTF-8,
// clipped: the name is the client's, of any size.
func notUTF8(values url.Values) string {
	for name, vs := range values {
		if !utf8.ValidString(name) {
			return "whose name is not UTF-8"
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return clip(name, 64)
			}
		}
	}
	return ""
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// refuseNotUTF8 answers a request that holds text that is not UTF-8: 400,
// a short text for the autosave, the error page for the rest.
func (a *App) refuseNotUTF8(w http.ResponseWriter, r *http.Request, where string) {
	msg := where + " holds text that is not valid UTF-8: send UTF-8 text"
	if r.Header.Get("X-Autosave") == "1" {
		http.Error(w, "Not saved: "+msg, http.StatusBadRequest)
		return
	}
	a.fail(w, a.sessionOf(r), apiError{status: http.StatusBadRequest, message: msg})
}
