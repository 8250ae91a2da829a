package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/publishing"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// The derive form: a new draft rubric from a level of the ladder, so the
// hiring bar is the career ladder's. The API does the deriving; the page
// only offers the frameworks, tracks and levels to pick from.

// adminDeriveData is the derive form, with what the user picked.
type adminDeriveData struct {
	Frameworks    []adminDeriveSource
	Framework     string // frameworks/{id}
	Track, Level  string
	InterviewType string
	RubricID      string
	Errors        adminErrors
	Other         []string // field errors of no input on the form
}

// adminDeriveSource is a framework to derive from: its latest revision,
// and whether its draft holds changes the rubric will not see.
type adminDeriveSource struct {
	ladderFrameworkEntry
	Published  string
	LastChange *adminChange
}

// adminInterviewTypes are suggestions; the API takes any slug.
var adminInterviewTypes = []string{"coding", "system-design", "behavioural"}

// InterviewTypes are the suggested interview types, for the template.
func (adminDeriveData) InterviewTypes() []string { return adminInterviewTypes }

func (a *App) adminDerivePage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := adminDeriveData{
		Framework: q.Get("framework"), Track: q.Get("track"), Level: q.Get("level"),
		InterviewType: q.Get("interview_type"), RubricID: q.Get("rubric_id"),
	}
	a.renderDerive(w, r, s, http.StatusOK, d)
}

func (a *App) adminDerivePost(w http.ResponseWriter, r *http.Request, s *session) {
	d := adminDeriveData{
		Framework: r.PostFormValue("framework"), Track: r.PostFormValue("track"), Level: r.PostFormValue("level"),
		InterviewType: strings.TrimSpace(r.PostFormValue("interview_type")), RubricID: strings.TrimSpace(r.PostFormValue("rubric_id")),
	}
	// The ID the rubric gets is the admin's to see: one left empty is the
	// one the service would make from the level and the interview type,
	// sent as chosen, so that a taken one is refused with a suggestion
	// rather than suffixed in silence.
	id := d.RubricID
	if id == "" && d.Level != "" && d.InterviewType != "" {
		id = publishing.Slug(d.Level+"-"+d.InterviewType, "rubric")
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	rb, err := a.rubrics.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{
		Framework: d.Framework, Track: d.Track, Level: d.Level, InterviewType: d.InterviewType, RubricId: id,
	})
	if err != nil {
		var status int
		d.Errors, status = adminErrorsOf(err)
		if status == http.StatusConflict && !d.Errors.Conflict {
			// Taken: the message names a free ID; the field gets it.
			d.Errors.Fields = map[string]string{"rubric_id": sentence(d.Errors.Message)}
			d.RubricID = id
		}
		d.Other = adminFieldsUnder(d.Errors.Fields, "competencies", "scale", "role", "title", "request_id")
		a.renderDerive(w, r, s, status, d)
		return
	}
	a.adminRedirect(w, r, "/admin/rubrics/"+url.PathEscape(strings.TrimPrefix(rb.GetName(), "rubrics/")),
		"Derived from the ladder: edit the anchors, then publish.")
}

func (a *App) renderDerive(w http.ResponseWriter, r *http.Request, s *session, status int, d adminDeriveData) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	fws, err := a.ladderFrameworks(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var changes []*adminChange
	for _, f := range fws {
		// A rubric derives from a published revision: drafts never
		// published have nothing to offer yet.
		if f.GetLatestRevision() == "" {
			continue
		}
		// Who last changed the draft tells whether the unpublished changes
		// are someone's work in progress.
		src := adminDeriveSource{
			ladderFrameworkEntry: ladderFrameworkEntry{ID: ladderFrameworkID(f.GetName()), Framework: f},
			Published:            adminTime(f.GetPublishTime()),
			LastChange:           adminLastChange(f.GetLastChange()),
		}
		changes = append(changes, src.LastChange)
		d.Frameworks = append(d.Frameworks, src)
	}
	// The form is for admins, as the API's derive is.
	if len(d.Frameworks) > 0 {
		if err := a.adminOnly(ctx, d.Frameworks[0].GetName(), ""); err != nil {
			a.failErr(w, s, err)
			return
		}
	}
	a.nameChanges(ctx, changes...)
	if d.Framework == "" && len(d.Frameworks) > 0 {
		d.Framework = d.Frameworks[0].GetName()
	}
	a.render(w, s, status, "admin_derive", "Derive a rubric", d)
}

// Tracks is every track of the frameworks offered, for the template.
func (d adminDeriveData) Tracks() []*ladderv1.Track {
	var out []*ladderv1.Track
	seen := map[string]bool{}
	for _, f := range d.Frameworks {
		for _, t := range f.GetTracks() {
			if !seen[t.GetId()] {
				seen[t.GetId()] = true
				out = append(out, t)
			}
		}
	}
	return out
}
