package web

import (
	"net/http"
	"net/url"
	"strings"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Adverse-impact monitoring for the compliance role, and the form with
// which a recruiter records a candidate's voluntary self-identification.
// The form is never filled from what was recorded: a recruiter may not
// read it back (the API refuses), so the page shows the categories only.

func (a *App) routesCompliance() {
	a.mux.HandleFunc("GET /compliance", a.page(a.compliancePage))
	a.mux.HandleFunc("GET /candidates/{id}/self-identification", a.page(a.selfIDPage))
	a.mux.HandleFunc("POST /candidates/{id}/self-identification", a.form(a.selfIDPost))
}

type complianceData struct {
	Role, Category string
	Roles          []roleOption
	Categories     []roleOption
	Report         *feedbackv1.AdverseImpactReport
	RoleTitle      string
	Competencies   []string // titles, in the report's order
	Errors         adminErrors
}

// compliancePage asks for a role and a category, and shows the report.
func (a *App) compliancePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	q := r.URL.Query()
	d := complianceData{Role: q.Get("role"), Category: q.Get("category")}
	cats, err := a.feedback.ListSelfIdentificationCategories(ctx, &feedbackv1.ListSelfIdentificationCategoriesRequest{})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	for _, c := range cats.GetCategories() {
		d.Categories = append(d.Categories, roleOption{ID: c.GetId(), Title: c.GetTitle(), Selected: c.GetId() == d.Category})
	}
	// The defined roles only: compliance lists no candidates (a.roles
	// also names the roles candidates use without a definition).
	defined, err := a.feedback.ListRoles(ctx, &feedbackv1.ListRolesRequest{PageSize: 1000})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	titles := roleTitles{}
	for _, r := range defined.GetRoles() {
		titles[strings.TrimPrefix(r.GetName(), "roles/")] = r.GetTitle()
	}
	d.Roles, d.RoleTitle = titles.options(d.Role), titles.of(d.Role)
	status := http.StatusOK
	if d.Role != "" && d.Category != "" {
		rep, err := a.feedback.ComputeAdverseImpact(ctx, &feedbackv1.ComputeAdverseImpactRequest{Role: d.Role, Category: d.Category})
		if err != nil {
			d.Errors, status = adminErrorsOf(err)
		} else {
			d.Report = rep
			t := a.titlesFor(ctx, nil, nil)
			for _, c := range rep.GetCompetencies() {
				d.Competencies = append(d.Competencies, t.competency(c.GetCompetency()))
			}
		}
	}
	a.render(w, s, status, "compliance", "Adverse impact", d)
}

type selfIDData struct {
	ID, Candidate string
	Categories    []*feedbackv1.SelfIdentificationCategory
	Errors        adminErrors
}

func (a *App) selfIDPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.selfIDForm(w, r, s, http.StatusOK, adminErrors{})
}

func (a *App) selfIDForm(w http.ResponseWriter, r *http.Request, s *session, status int, errs adminErrors) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	name := debriefName(r.PathValue("id"))
	c, err := a.feedback.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: name})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	cats, err := a.feedback.ListSelfIdentificationCategories(ctx, &feedbackv1.ListSelfIdentificationCategoriesRequest{})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d := selfIDData{ID: debriefID(name), Candidate: c.GetDisplayName(), Categories: cats.GetCategories(), Errors: errs}
	a.render(w, s, status, "self_identification", "Self-identification: "+d.Candidate, d)
}

// selfIDPost records the candidate's answers; categories left unanswered
// are left out.
func (a *App) selfIDPost(w http.ResponseWriter, r *http.Request, s *session) {
	name := debriefName(r.PathValue("id"))
	answers := map[string]string{}
	for k, v := range r.PostForm {
		if cat, ok := strings.CutPrefix(k, "answer-"); ok && len(v) > 0 && v[0] != "" {
			answers[cat] = v[0]
		}
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	_, err := a.feedback.RecordSelfIdentification(ctx, &feedbackv1.RecordSelfIdentificationRequest{Name: name + "/selfIdentification", Answers: answers})
	if err != nil {
		errs, status := adminErrorsOf(err)
		a.selfIDForm(w, r, s, status, errs)
		return
	}
	http.Redirect(w, r, a.flashURL("/candidates/"+url.PathEscape(debriefID(name)), "Self-identification recorded. It is readable by compliance only."), http.StatusSeeOther)
}
