package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// devTokenTTL is how long a dev sign-in lasts.
const devTokenTTL = 12 * time.Hour

func (a *App) routesSignIn() {
	a.mux.HandleFunc("GET /signin", a.signInPage)
	a.mux.HandleFunc("POST /signin", a.devSignIn)
	a.mux.HandleFunc("GET /signin/oidc", a.oidcStart)
	a.mux.HandleFunc("GET /signin/callback", a.oidcCallback)
	a.mux.HandleFunc("POST /signout", a.form(func(w http.ResponseWriter, r *http.Request, _ *session) {
		a.revokeRefreshToken(r)
		a.endSession(w)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	}))
}

type signInData struct {
	People []Person
	OIDC   bool
	Next   string
	Issuer string
}

func (a *App) signInPage(w http.ResponseWriter, r *http.Request) {
	d := signInData{People: a.opts.DevPeople, OIDC: a.oidc != nil, Next: safeNext(r.URL.Query().Get("next"))}
	if a.opts.DevSignIn == nil {
		d.People = nil
	}
	if a.oidc != nil {
		d.Issuer = a.oidc.cfg.Issuer
	}
	a.render(w, a.currentSession(w, r), http.StatusOK, "signin", "Sign in", d)
}

// devSignIn signs in as one of the dev people: dev mode only. Like every
// form, it is refused when posted from another site (ServeHTTP).
func (a *App) devSignIn(w http.ResponseWriter, r *http.Request) {
	if a.opts.DevSignIn == nil {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	subject := r.PostFormValue("subject")
	i := slices.IndexFunc(a.opts.DevPeople, func(p Person) bool { return p.Subject == subject })
	if i < 0 {
		a.fail(w, nil, apiError{status: http.StatusBadRequest, message: "pick one of the people listed"})
		return
	}
	p := a.opts.DevPeople[i]
	token, err := a.opts.DevSignIn(p.Subject, p.Roles)
	if err != nil {
		a.log.Error("dev sign-in", "error", err)
		a.fail(w, nil, apiError{status: http.StatusInternalServerError, message: "could not sign in"})
		return
	}
	a.startSession(w, token, devTokenTTL, nil)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// safeNext keeps a redirect target on this site: a path of this site and
// nothing a browser could read as another host (browsers drop tabs and
// newlines, so "/\t/evil" would become "//evil").
func safeNext(next string) string {
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

// DemoPeople are the people dev mode seeds (internal/services), offered by
// the dev sign-in picker.
func DemoPeople() []Person {
	return []Person{
		{Subject: "users/rita", Name: "Rita Okafor", Roles: []principal.Role{principal.Recruiter}, About: "recruiter: runs the demo hiring loop"},
		{Subject: "users/ivan", Name: "Ivan Petrov", Roles: []principal.Role{principal.Interviewer}, About: "interviewer (generous)"},
		{Subject: "users/ines", Name: "Ines Duarte", Roles: []principal.Role{principal.Interviewer}, About: "interviewer (harsh)"},
		{Subject: "users/omar", Name: "Omar Haddad", Roles: []principal.Role{principal.Interviewer}, About: "interviewer, with a draft to finish"},
		{Subject: "users/erin", Name: "Erin Walsh", Roles: []principal.Role{principal.Employee}, About: "engineer reading the ladder"},
		{Subject: "users/adam", Name: "Adam Novak", Roles: []principal.Role{principal.Admin}, About: "admin: ladders and rubrics"},
		{Subject: "users/cora", Name: "Cora Mendes", Roles: []principal.Role{principal.Compliance}, About: "compliance: adverse-impact monitoring"},
	}
}
