package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Published revisions (frameworks/{f}/revisions/{n}, rubrics/{r}/revisions/{n})
// never change, so their GETs carry a strong ETag, a client that sends it
// back in If-None-Match gets 304 Not Modified without a body, and a
// numbered revision may be kept by the client for a year. The 304 is
// decided after the service answered the call: the service checks the
// caller's token first, so nobody learns from a 304 what they could not
// read. `latest` moves: it gets the ETag of the revision it names, and
// must be asked again every time (no-cache), which is cheap with a 304.

// numberedRevision is the name of a revision by its number.
var numberedRevision = regexp.MustCompile(`^[a-z]+/[^/]+/revisions/[0-9]+$`)

// revision is what every revision message has.
type revision interface {
	GetName() string
	GetCreateTime() *timestamppb.Timestamp
}

// conditionalGets wraps the response of a GET so that revisionHeaders can
// mark it and a matching If-None-Match turns it into a 304.
func conditionalGets(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		if r.Method != http.MethodGet {
			next(w, r, pathParams)
			return
		}
		next(&conditionalWriter{ResponseWriter: w, ifNoneMatch: r.Header.Get("If-None-Match"), name: pathParams["name"]}, r, pathParams)
	}
}

// revisionHeaders is a forward-response option: it runs on a successful
// answer only, before the body is written.
func revisionHeaders(_ context.Context, w http.ResponseWriter, m proto.Message) error {
	cw, ok := w.(*conditionalWriter)
	rev, isRev := m.(revision)
	if !ok || !isRev || !numberedRevision.MatchString(rev.GetName()) {
		return nil
	}
	w.Header().Set("ETag", revisionETag(rev))
	if cw.name == rev.GetName() {
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else { // an alias: `latest`
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	return nil
}

// revisionETag is a strong validator of a revision: its name and create
// time say which content it is, and so which JSON the gateway writes (a
// framework deleted and created again counts on, and a database started
// afresh publishes at another time).
func revisionETag(rev revision) string {
	sum := sha256.Sum256([]byte(rev.GetName() + "\x00" + rev.GetCreateTime().AsTime().UTC().Format(time.RFC3339Nano)))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// conditionalWriter answers 304 instead of the response when the response
// is a 200 whose ETag the request's If-None-Match names.
type conditionalWriter struct {
	http.ResponseWriter
	ifNoneMatch string
	name        string // the path's resource name, as requested
	decided     bool
	notModified bool
}

func (w *conditionalWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided = true
		etag := w.Header().Get("ETag")
		w.notModified = code == http.StatusOK && etag != "" && etagMatches(w.ifNoneMatch, etag)
	}
	if w.notModified {
		h := w.Header()
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(http.StatusNotModified)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *conditionalWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.notModified {
		return len(b), nil // a 304 has no body
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *conditionalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// etagMatches applies If-None-Match's weak comparison (RFC 9110, 13.1.2):
// "*", or any listed entity tag equal to etag, W/ prefixes aside.
func etagMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
