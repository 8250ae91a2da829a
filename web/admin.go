package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// The admin pages: ladders and rubrics as drafts, their changes against the
// last published revision, and publishing. Whether someone may use them is
// the API's answer, not the app's: every admin page reads the change
// history, which only admins may, so everyone else gets the API's 403.

func (a *App) routesAdmin() {
	a.mux.HandleFunc("GET /admin", a.page(a.adminIndex))
	a.mux.HandleFunc("POST /admin/frameworks", a.form(a.adminImportFramework))
	a.mux.HandleFunc("GET /admin/frameworks/{id}", a.page(a.adminFrameworkPage))
	a.mux.HandleFunc("POST /admin/frameworks/{id}", a.form(a.adminFrameworkSave))
	a.mux.HandleFunc("POST /admin/frameworks/{id}/publish", a.form(a.adminFrameworkPublish))
	a.mux.HandleFunc("GET /admin/rubrics/derive", a.page(a.adminDerivePage))
	a.mux.HandleFunc("POST /admin/rubrics/derive", a.form(a.adminDerivePost))
	a.mux.HandleFunc("GET /admin/rubrics/{id}", a.page(a.adminRubricPage))
	a.mux.HandleFunc("POST /admin/rubrics/{id}", a.form(a.adminRubricSave))
	a.mux.HandleFunc("POST /admin/rubrics/{id}/publish", a.form(a.adminRubricPublish))
	a.mux.HandleFunc("POST /admin/rubrics/{id}/rederive", a.form(a.adminRubricRederive))
	a.routesAdminGrid()
	a.routesAdminPeople()
	a.routesAdminWebhooks()
}

// adminErrors are the errors of a form: the message at the top, and those
// the API tied to a field, shown at that field.
type adminErrors struct {
	Message  string
	Fields   map[string]string
	Conflict bool // the draft changed since the form was opened
}

func adminErrorsOf(err error) (adminErrors, int) {
	e := explain(err)
	return adminErrors{Message: e.message, Fields: e.fields, Conflict: e.code == codes.Aborted}, e.status
}

// Field is the error of one field, for templates.
func (e adminErrors) Field(name string) string { return e.Fields[name] }

// adminTime is a time as the admin pages show it, "" when unset.
func adminTime(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().UTC().Format("2 Jan 2006 15:04 UTC")
}

// adminRedirect answers a successful form post (Post/Redirect/Get), with
// what happened for the next page to say.
func (a *App) adminRedirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	http.Redirect(w, r, a.flashURL(path, flash), http.StatusSeeOther)
}

// adminChange is one line of a change history.
type adminChange struct {
	When, Actor, Kind, Fields, Revision string
}

// adminChangeKind turns KIND_PUBLISH into "publish".
func adminChangeKind(kind string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(kind, "KIND_")), "_", " ")
}

func (a *App) frameworkChanges(ctx context.Context, name string, n int32) ([]adminChange, error) {
	resp, err := a.ladder.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: name, PageSize: n})
	if err != nil {
		return nil, err
	}
	var out []adminChange
	for _, c := range resp.GetChanges() {
		out = append(out, adminChangeOf(c, c.GetKind()))
	}
	a.nameActors(ctx, out)
	return out, nil
}

func (a *App) rubricChanges(ctx context.Context, name string, n int32) ([]adminChange, error) {
	resp, err := a.rubrics.ListRubricChanges(ctx, &rubricv1.ListRubricChangesRequest{Parent: name, PageSize: n})
	if err != nil {
		return nil, err
	}
	var out []adminChange
	for _, c := range resp.GetChanges() {
		out = append(out, adminChangeOf(c, c.GetKind()))
	}
	a.nameActors(ctx, out)
	return out, nil
}

// changeRecord is what the ladder's and the rubric service's change records
// share (their kinds are enums of their own: passed apart).
type changeRecord interface {
	GetCreateTime() *timestamppb.Timestamp
	GetActor() string
	GetChangedFields() []string
	GetRevision() string
}

// nameActors puts the directory's names on changes (their actors are
// users/{user} references, or the seed), in one lookup.
func (a *App) nameActors(ctx context.Context, changes []adminChange) {
	ptrs := make([]*adminChange, len(changes))
	for i := range changes {
		ptrs[i] = &changes[i]
	}
	a.nameChanges(ctx, ptrs...)
}

// nameChanges is nameActors for changes held apart (nil ones skipped).
func (a *App) nameChanges(ctx context.Context, changes ...*adminChange) {
	var refs []string
	for _, c := range changes {
		if c != nil {
			refs = append(refs, c.Actor)
		}
	}
	names := a.people.lookup(ctx, refs...)
	for _, c := range changes {
		switch {
		case c == nil:
		case strings.TrimPrefix(c.Actor, "users/") == "system/seed":
			c.Actor = "the sample data"
		case strings.HasPrefix(c.Actor, "users/"):
			c.Actor = names.of(c.Actor)
		}
	}
}

func adminChangeOf(c changeRecord, kind fmt.Stringer) adminChange {
	return adminChange{
		When: adminTime(c.GetCreateTime()), Actor: c.GetActor(), Kind: adminChangeKind(kind.String()),
		Fields: strings.Join(c.GetChangedFields(), ", "), Revision: c.GetRevision(),
	}
}

// adminPageSize is how many frameworks, and how many rubrics, one page of
// the admin index shows: one list call each, whatever the number of them.
const adminPageSize = 50

type adminIndexData struct {
	Frameworks []adminFrameworkRow
	Rubrics    []adminRubricRow
	Import     adminImportForm
	// The URLs of the next and the first page of each list, empty when
	// there is none or the page is the first.
	FrameworksNext, FrameworksFirst, RubricsNext, RubricsFirst string
}

type adminFrameworkRow struct {
	ID, Title, LatestRevision, Updated string
	Unpublished                        bool
	LastChange                         *adminChange
}

type adminRubricRow struct {
	ID, Title, Role, Level, InterviewType, LatestRevision, Updated string
	Unpublished                                                    bool
	LastChange                                                     *adminChange
}

// adminImportForm is the "import a new framework" form, with what was typed.
type adminImportForm struct {
	ID, Content, Format string
	Errors              adminErrors
	ContentErrors       []string // every error inside the YAML, shown under it
}

// importFormats are the formats the import form offers, as people know
// them.
var importFormats = []struct{ Value, Label string }{
	{"FORMAT_YARDSTICK_YAML", "Yardstick YAML (what export writes)"},
	{"FORMAT_PROGRESSION_MARKDOWN", "progression.fyi / Monzo page (Markdown with YAML topics)"},
	{"FORMAT_FT_JOB_FAMILY", "FT engineering-progression job family (YAML)"},
	{"FORMAT_SNOWFLAKE", "Snowflake tracks and milestones (JSON)"},
}

// Formats lists the import formats with the chosen one marked.
func (f adminImportForm) Formats() []roleOption {
	out := make([]roleOption, len(importFormats))
	for i, x := range importFormats {
		out[i] = roleOption{ID: x.Value, Title: x.Label, Selected: x.Value == f.Format || (f.Format == "" && i == 0)}
	}
	return out
}

func (a *App) adminIndex(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderAdminIndex(w, r, s, http.StatusOK, adminImportForm{})
}

// The page tokens of the admin index's two lists, in its URL.
const (
	adminFrameworksToken = "frameworks_page_token"
	adminRubricsToken    = "rubrics_page_token"
)

// renderAdminIndex shows a page of frameworks and a page of rubrics, each
// with who last changed it: a few calls, whatever the number of either
// (the drafts carry their last change).
func (a *App) renderAdminIndex(w http.ResponseWriter, r *http.Request, s *session, status int, form adminImportForm) {
	q := r.URL.Query()
	ctx, cancel := a.call(r, s)
	defer cancel()
	fws, err := a.ladder.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: adminPageSize, PageToken: q.Get(adminFrameworksToken)})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	rubrics, err := a.rubrics.ListRubrics(ctx, &rubricv1.ListRubricsRequest{PageSize: adminPageSize, PageToken: q.Get(adminRubricsToken)})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var first, firstRubric string
	if f := fws.GetFrameworks(); len(f) > 0 {
		first = f[0].GetName()
	}
	if rb := rubrics.GetRubrics(); len(rb) > 0 {
		firstRubric = rb[0].GetName()
	}
	if err := a.adminOnly(ctx, first, firstRubric); err != nil {
		a.failErr(w, s, err)
		return
	}
	d := adminIndexData{Import: form}
	var changes []*adminChange
	for _, f := range fws.GetFrameworks() {
		row := adminFrameworkRow{
			ID: ladderFrameworkID(f.GetName()), Title: f.GetTitle(), LatestRevision: f.GetLatestRevision(),
			Updated: adminTime(f.GetUpdateTime()), Unpublished: f.GetUnpublishedChanges(), LastChange: adminLastChange(f.GetLastChange()),
		}
		changes = append(changes, row.LastChange)
		d.Frameworks = append(d.Frameworks, row)
	}
	for _, rb := range rubrics.GetRubrics() {
		row := adminRubricRow{
			ID: strings.TrimPrefix(rb.GetName(), "rubrics/"), Title: rb.GetTitle(), Role: rb.GetRole(), Level: rb.GetLevel(),
			InterviewType: rb.GetInterviewType(), LatestRevision: rb.GetLatestRevision(),
			Updated: adminTime(rb.GetUpdateTime()), Unpublished: rb.GetUnpublishedChanges(),
		}
		if c := rb.GetLastChange(); c != nil {
			row.LastChange = new(adminChangeOf(c, c.GetKind()))
		}
		changes = append(changes, row.LastChange)
		d.Rubrics = append(d.Rubrics, row)
	}
	a.nameChanges(ctx, changes...)
	d.FrameworksNext, d.FrameworksFirst = adminPager(q, adminFrameworksToken, fws.GetNextPageToken())
	d.RubricsNext, d.RubricsFirst = adminPager(q, adminRubricsToken, rubrics.GetNextPageToken())
	a.render(w, s, status, "admin", "Admin", d)
}

// adminLastChange is a framework's last change as the pages show it; nil
// when the list did not carry one.
func adminLastChange(c *ladderv1.Change) *adminChange {
	if c == nil {
		return nil
	}
	return new(adminChangeOf(c, c.GetKind()))
}

// adminOnly asks the API whether the caller may read drafts' histories,
// which is what the admin pages show. Lists are everyone's (others get the
// published snapshots, without a last change), so the page reads one entry
// of the history of a framework it lists, or else of a rubric: the
// cheapest question only admins get an answer to. With nothing listed
// there is nothing to show either way.
func (a *App) adminOnly(ctx context.Context, framework, rubric string) error {
	var err error
	switch {
	case framework != "":
		_, err = a.ladder.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: framework, PageSize: 1})
	case rubric != "":
		_, err = a.rubrics.ListRubricChanges(ctx, &rubricv1.ListRubricChangesRequest{Parent: rubric, PageSize: 1})
	}
	return err
}

// adminPager returns the URLs of the next page of one of the index's
// lists (its token under key; the other list stays where it is) and of
// its first page, each empty when there is none or it is this one.
func adminPager(q url.Values, key, nextToken string) (next, first string) {
	at := func(token string) string {
		v := url.Values{}
		for _, k := range []string{adminFrameworksToken, adminRubricsToken} {
			if t := q.Get(k); t != "" && k != key {
				v.Set(k, t)
			}
		}
		if token != "" {
			v.Set(key, token)
		}
		if len(v) == 0 {
			return "/admin"
		}
		return "/admin?" + v.Encode()
	}
	if nextToken != "" {
		next = at(nextToken)
	}
	if q.Get(key) != "" {
		first = at("")
	}
	return next, first
}

// adminImportFramework creates a framework from a YAML document.
func (a *App) adminImportFramework(w http.ResponseWriter, r *http.Request, s *session) {
	form := adminImportForm{ID: strings.TrimSpace(r.PostFormValue("framework_id")), Content: adminText(r.PostFormValue("content")),
		Format: r.PostFormValue("format")}
	ctx, cancel := a.call(r, s)
	defer cancel()
	fw, err := a.ladder.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: form.ID, Content: form.Content,
		Format: ladderv1.ImportFrameworkRequest_Format(ladderv1.ImportFrameworkRequest_Format_value[form.Format])})
	if err != nil {
		var status int
		form.Errors, status = adminErrorsOf(err)
		form.ContentErrors = adminFieldsUnder(form.Errors.Fields, "content")
		a.renderAdminIndex(w, r, s, status, form)
		return
	}
	a.adminRedirect(w, r, "/admin/frameworks/"+url.PathEscape(ladderFrameworkID(fw.GetName())), "Imported as a draft.")
}

// adminText is a textarea's text with the line ends browsers send turned
// into plain ones, so that diffs and stored text do not change by them.
func adminText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// adminFieldsUnder are the field errors whose path starts with one of the
// prefixes: the errors a single input (a YAML textarea) stands for.
func adminFieldsUnder(fields map[string]string, prefixes ...string) []string {
	var out []string
	for f, msg := range fields {
		for _, p := range prefixes {
			if f == p || strings.HasPrefix(f, p+".") || strings.HasPrefix(f, p+"[") {
				out = append(out, f+": "+msg)
				break
			}
		}
	}
	slices.Sort(out) // maps have no order; pages must not flicker
	return out
}
