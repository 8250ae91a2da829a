package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
)

// A request with a method that its path has no route for gets 405 from the
// runtime, and RFC 9110 wants an Allow header listing the methods the path
// does have. The runtime keeps its routes to itself, so the gateway asks it:
// the same path, once per method, as a probe that stops as soon as a route
// matches (stopProbes) and writes nothing when none does (routingErrors).
// Only the rare 405 pays for this, and the answer is exactly the runtime's
// own matching, verbs and all.

// probeMethods are the methods an API route may have.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

type probeKey struct{}

// probe records whether the runtime matched a probe request to a route.
type probe struct{ matched bool }

// stopProbes is the outermost runtime middleware: a probe request stops
// here once matched, before anything records, checks or forwards it.
func stopProbes(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		if p, ok := r.Context().Value(probeKey{}).(*probe); ok {
			p.matched = true
			return
		}
		next(w, r, pathParams)
	}
}

// routingErrors handles the runtime's routing errors (404, 405, 400) as the
// runtime does, adding the Allow header to a 405, and stays silent for a
// probe that matched nothing.
func routingErrors(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	if _, ok := ctx.Value(probeKey{}).(*probe); ok {
		return
	}
	if httpStatus == http.StatusMethodNotAllowed {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
		}
	}
	runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, httpStatus)
}

// allowedMethods lists the methods mux has a route for at r's path.
func allowedMethods(mux *runtime.ServeMux, r *http.Request) []string {
	var allowed []string
	for _, method := range probeMethods {
		p := &probe{}
		// Headers and body stay behind: a probe must not trigger the
		// runtime's method override or form fallback, nor read anything.
		req := r.Clone(context.WithValue(r.Context(), probeKey{}, p))
		req.Method, req.Header, req.Body, req.ContentLength = method, http.Header{}, http.NoBody, 0
		mux.ServeHTTP(discardResponse{}, req)
		if p.matched {
			allowed = append(allowed, method)
		}
	}
	return allowed
}

// discardResponse is where probes write, should anything in the runtime
// write for them (it answers a malformed path with an error of its own).
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}
