package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// page serves a GET that needs a signed-in user; signed-out visitors go to
// the sign-in page and come back.
func (a *App) page(h func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := a.currentSession(w, r)
		if s == nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, s)
	}
}

// form serves a POST from one of the app's forms: signed in. Posts from
// other sites never get here (http.CrossOriginProtection, in ServeHTTP).
func (a *App) form(h func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		s := a.currentSession(w, r)
		if s == nil {
			if r.Header.Get("X-Autosave") == "1" {
				// Not a redirect: fetch would follow it to the sign-in
				// page and take its 200 for a saved draft.
				http.Error(w, signedOutWhileTyping, http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if err := r.ParseForm(); err != nil {
			a.fail(w, s, apiError{status: http.StatusBadRequest, message: "the form could not be read"})
			return
		}
		if name := notUTF8(r.PostForm); name != "" {
			a.refuseNotUTF8(w, r, "the form's field "+name)
			return
		}
		h(w, r, s)
	}
}

// signedOutWhileTyping is what the autosave says when the session has
// ended under a form: the text stays in the page.
const signedOutWhileTyping = "Not saved: your sign-in has expired. Sign in again in another tab; what you typed stays here and saves once you are back."

// apiError is a service error, as a page shows it.
type apiError struct {
	code    codes.Code // the service's, when it came from one
	status  int
	message string
	fields  map[string]string // BadRequest field → description
}

// explain turns a service error into what a page says.
func explain(err error) apiError {
	st := status.Convert(err)
	e := apiError{code: st.Code(), message: st.Message(), fields: map[string]string{}}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				e.fields[v.GetField()] = v.GetDescription()
			}
		}
	}
	switch st.Code() {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		e.status = http.StatusBadRequest
	case codes.AlreadyExists:
		e.status, e.message = http.StatusConflict, st.Message()
		if !strings.Contains(e.message, "choose another ID") {
			e.message += ": choose another ID."
		}
	case codes.NotFound:
		e.status, e.message = http.StatusNotFound, "There is nothing here, or nothing you may see."
	case codes.PermissionDenied:
		e.status, e.message = http.StatusForbidden, "Your roles do not open this page."
	case codes.Unauthenticated:
		e.status, e.message = http.StatusUnauthorized, "Your sign-in has expired: sign in again."
	case codes.Aborted:
		e.status, e.message = http.StatusConflict, "Someone changed this since you opened it. Your input is kept below: compare, then save again."
	case codes.Unavailable, codes.DeadlineExceeded:
		e.status, e.message = http.StatusServiceUnavailable, "A service is not answering right now: try again in a moment."
	case codes.ResourceExhausted:
		e.status, e.message = http.StatusTooManyRequests, "Too many requests: slow down a little."
	default:
		e.status, e.message = http.StatusInternalServerError, "Something went wrong on our side."
	}
	return e
}

// fail renders the error page.
func (a *App) fail(w http.ResponseWriter, s *session, e apiError) {
	a.render(w, s, e.status, "error", e.Heading(), e)
}

// failErr renders a service error.
func (a *App) failErr(w http.ResponseWriter, s *session, err error) {
	var e apiError
	if !errors.As(err, &e) {
		e = explain(err)
	}
	a.fail(w, s, e)
}

func (e apiError) Error() string { return e.message }

// Status and Message are for the error template.
func (e apiError) Status() int     { return e.status }
func (e apiError) Message() string { return e.message }

// Heading says what went wrong in a few words: the error page's title and
// heading.
func (e apiError) Heading() string {
	switch e.status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "Not for you"
	case http.StatusUnauthorized:
		return "Sign in again"
	}
	return "Something is not right"
}
