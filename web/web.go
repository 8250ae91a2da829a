// Package web is the Yardstick web app, served by the gateway at "/": the
// pages interviewers, recruiters, engineers and admins open every day.
//
// It holds no rules of its own. Every page calls the same gRPC APIs as any
// client, with the signed-in user's token, so roles, "blind until
// submitted" and private notes are enforced exactly as for the API.
// Templates are embedded and parsed once at start-up (a broken template
// fails the start, not a request); pages work without JavaScript, which
// only enhances them; charts are SVG written by the server.
package web

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

//go:embed templates static
var files embed.FS

// Person is someone the dev sign-in offers.
type Person struct {
	Subject string
	Name    string
	Roles   []principal.Role
	About   string
}

// Options configure the app.
type Options struct {
	Logger *slog.Logger
	// Conns reach the services, by name ("ladder", "rubric", "feedback"):
	// the same client connections the gateway uses.
	Conns map[string]grpc.ClientConnInterface
	// DevSignIn, when set, mints a token for a person of DevPeople: dev
	// mode's sign-in picker. Nil in production.
	DevSignIn func(subject string, roles []principal.Role) (string, error)
	DevPeople []Person
	// OIDC, when set, signs people in with the authorization-code flow and
	// PKCE against an OpenID Connect provider.
	OIDC *OIDCConfig
	// SecureCookies marks cookies Secure: set it whenever the app is served
	// over HTTPS (always, in production).
	SecureCookies bool
	// RolesClaim is the token claim that lists a person's roles: the same
	// as the services' (--roles-claim), so that the pages offer what the
	// API allows. principal.DefaultRolesClaim when empty.
	RolesClaim string
	// Secret keys what the app signs for itself (the status messages
	// redirects carry). Every replica of the app must have the same one, so
	// that any of them accepts what another signed. When empty, a key of
	// this process: fine for one process (dev mode, tests), not for more.
	Secret []byte
}

// App is the web app.
type App struct {
	opts     Options
	log      *slog.Logger
	pages    map[string]*template.Template
	mux      *http.ServeMux
	ladder   ladderv1.LadderServiceClient
	rubrics  rubricv1.RubricServiceClient
	feedback feedbackv1.FeedbackServiceClient
	people   *people
	// competencyTitles names competencies on pages that have no rubric at
	// hand (comparisons, calibration).
	competencyTitles *competencyTitles
	// rubricRevisions keeps the rubric revisions pages show (revisions.go).
	rubricRevisions *rubricRevisions
	oidc            *oidcFlow
	// flashKey signs the status messages redirects carry, so that a link
	// cannot put words of its own on a page.
	flashKey []byte
	// handler is mux behind http.CrossOriginProtection: a form posted
	// from another site is refused, whoever is signed in.
	handler http.Handler
}

// flashKeyFrom derives the key that signs flash messages from the app's
// secret, or makes one for this process when there is none.
func flashKeyFrom(secret []byte) ([]byte, error) {
	if len(secret) == 0 {
		key := make([]byte, 32)
		_, err := rand.Read(key)
		return key, err
	}
	return hkdf.Key(sha256.New, secret, nil, "yardstick web: flash messages", 32)
}

// New parses the templates and returns the app.
func New(ctx context.Context, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	for _, name := range []string{"ladder", "rubric", "feedback"} {
		if opts.Conns[name] == nil {
			return nil, fmt.Errorf("web app needs a connection to the %s service", name)
		}
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	a := &App{
		opts: opts, log: opts.Logger, pages: pages, mux: http.NewServeMux(),
		ladder:   ladderv1.NewLadderServiceClient(opts.Conns["ladder"]),
		rubrics:  rubricv1.NewRubricServiceClient(opts.Conns["rubric"]),
		feedback: feedbackv1.NewFeedbackServiceClient(opts.Conns["feedback"]),
	}
	a.people, a.competencyTitles = newPeople(a.ladder), &competencyTitles{ladder: a.ladder}
	a.rubricRevisions = newRubricRevisions(a.rubrics)
	if a.flashKey, err = flashKeyFrom(opts.Secret); err != nil {
		return nil, err
	}
	if opts.OIDC != nil {
		if a.oidc, err = newOIDCFlow(ctx, *opts.OIDC); err != nil {
			return nil, err
		}
		if !a.oidc.refresh.shared {
			a.log.Info("web sign-in without a client secret: a session renews only on this gateway process, until it restarts")
		}
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	a.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(noListing(http.FileServerFS(static)))))
	// Browsers and other clients ask for /favicon.ico without reading the
	// page; the pages name the mark, an SVG, in a <link rel="icon">.
	a.mux.Handle("GET /favicon.ico", cacheStatic(http.RedirectHandler("/static/mark.svg", http.StatusMovedPermanently)))
	a.routes()
	// Browsers say where a request comes from (Sec-Fetch-Site, or Origin);
	// unsafe methods from another origin are refused. That replaces CSRF
	// tokens. A request with neither header does not come from a browser,
	// so no other site can have made a browser send it (and the session
	// cookie is SameSite=Lax besides).
	crossOrigin := http.NewCrossOriginProtection()
	crossOrigin.SetDenyHandler(http.HandlerFunc(a.refuseCrossOrigin))
	a.handler = crossOrigin.Handler(a.mux)
	return a, nil
}

// refuseCrossOrigin answers a form posted from another site.
func (a *App) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	const msg = "This form was sent from another site, so nothing was done. To do it, open the page on Yardstick and send the form from there."
	if r.Header.Get("X-Autosave") == "1" {
		http.Error(w, msg, http.StatusForbidden)
		return
	}
	a.fail(w, a.sessionOf(r), apiError{status: http.StatusForbidden, message: msg})
}

// ServeHTTP serves the app, with its security headers.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if where := notUTF8InAddress(r); where != "" {
		a.refuseNotUTF8(w, r, where)
		return
	}
	a.handler.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the app's own files only: no inline script,
// no external fonts, scripts or styles, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"

// noListing serves files only: a folder is not found, not listed.
func noListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// call is the context a page calls the services in: the signed-in user's
// token, and a deadline.
func (a *App) call(r *http.Request, s *session) (context.Context, context.CancelFunc) {
	return a.callWithin(r, s, pageTimeout)
}

// callReport is call for the pages that compute a calibration over many
// scorecards, asked for deliberately: they may take longer
// (docs/benchmarks.md), up to the services' own default deadline.
func (a *App) callReport(r *http.Request, s *session) (context.Context, context.CancelFunc) {
	return a.callWithin(r, s, reportTimeout)
}

const (
	pageTimeout   = 10 * time.Second
	reportTimeout = 30 * time.Second
)

func (a *App) callWithin(r *http.Request, s *session, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), d)
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+s.token), cancel
}

// errNoPage is a template that does not exist.
var errNoPage = errors.New("no such page template")
