package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// parsePages parses every view with the shared layout, once, at start-up.
func parsePages() (map[string]*template.Template, error) {
	views, err := fs.Glob(files, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, v := range views {
		name := strings.TrimSuffix(path.Base(v), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/common/*.html", v)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// funcs are the helpers templates may use.
var funcs = template.FuncMap{
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"pct":  func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) },
	"num":  func(v float64) string { return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") },
	"signed": func(v float64) string {
		if v > 0 {
			return fmt.Sprintf("+%.2f", v)
		}
		return fmt.Sprintf("%.2f", v)
	},
	"svg": func(s string) template.HTML { return template.HTML(s) }, // #nosec: only for SVG the server built from numbers and escaped text
}

// view is what every page template gets: who is signed in, the page's
// title and data.
type view struct {
	User   string
	Roles  []principal.Role
	Title  string
	Flash  string
	Data   any
	Nav    []navLink
	Active string
}

type navLink struct {
	Href, Label string
}

// has reports whether the signed-in user has a role (for templates).
func (v view) Has(role string) bool {
	for _, r := range v.Roles {
		if string(r) == role {
			return true
		}
	}
	return false
}

// render writes a page. s may be nil (signed out).
func (a *App) render(w http.ResponseWriter, s *session, status int, page, title string, data any) {
	t, ok := a.pages[page]
	if !ok {
		a.log.Error("render", "page", page, "error", errNoPage)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Data: data, Active: page}
	if s != nil {
		v.User, v.Roles, v.Flash = a.displayName(s), s.roles, s.flash
		v.Nav = navFor(s.roles)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		a.log.Error("render", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // pages hold feedback: never cached
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// navFor is the navigation a user's roles open.
func navFor(roles []principal.Role) []navLink {
	has := func(r principal.Role) bool {
		for _, x := range roles {
			if x == r {
				return true
			}
		}
		return false
	}
	links := []navLink{{"/ladder", "Career ladder"}, {"/growth", "Growth"}}
	if has(principal.Interviewer) {
		links = append(links, navLink{"/interviews", "My interviews"})
	}
	if has(principal.Recruiter) || has(principal.Admin) {
		links = append(links, navLink{"/candidates", "Candidates"}, navLink{"/roles", "Roles"}, navLink{"/calibration", "Calibration"})
	}
	if has(principal.Admin) {
		links = append(links, navLink{"/admin", "Admin"})
	}
	if has(principal.Compliance) {
		links = append(links, navLink{"/compliance", "Adverse impact"})
	}
	return links
}

// displayName is the signed-in person's name from the directory (cached:
// see people), or their subject.
func (a *App) displayName(s *session) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+s.token)
	return a.people.lookup(ctx, s.user).of(s.user)
}
