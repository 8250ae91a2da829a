package gateway

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
)

// refuseBadParams refuses a request whose path or query parameters cannot
// become the request message's strings: 400 with a BadRequest naming the
// parameter, for a value that is not valid UTF-8 once decoded
// (GET /v1/frameworks/%ff, ?etag=%ff) or a query escape that does not decode
// (?etag=%zz).
//
// Protobuf strings must be valid UTF-8, but the runtime copies path and
// query values into the request message unchecked; the gRPC client then
// fails to marshal the message, and that client-side failure is an INTERNAL
// error (500) that says nothing about the input. A broken escape the runtime
// does catch, but names no parameter. Bodies need no check here: the JSON
// decoder refuses invalid UTF-8 as malformed input.
func refuseBadParams(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		if field, problem := badParam(r.URL.RawQuery, pathParams); problem != "" {
			writeError(w, http.StatusBadRequest, invalidField(field, problem))
			return
		}
		next(w, r, pathParams)
	}
}

// badParam returns the first parameter that is not valid UTF-8 or does not
// decode, and what is wrong with it: path parameters first, in name order
// (so that the answer does not hang on map order), named by the request
// field they fill (name, framework.name); then query parameters in the order
// sent, named as the client wrote them.
func badParam(rawQuery string, pathParams map[string]string) (field, problem string) {
	const notUTF8 = "must be valid UTF-8"
	for _, name := range slices.Sorted(maps.Keys(pathParams)) {
		if !utf8.ValidString(pathParams[name]) {
			return name, notUTF8
		}
	}
	for pair := range strings.SplitSeq(rawQuery, "&") {
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return rawName, "the name is not a valid URL escape"
		}
		if !utf8.ValidString(name) {
			return name, "the name " + notUTF8
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return name, "not a valid URL escape"
		}
		if !utf8.ValidString(value) {
			return name, notUTF8
		}
	}
	return "", ""
}
