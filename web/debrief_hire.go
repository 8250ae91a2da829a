package web

import (
	"net/http"
	"net/url"
	"sort"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// When a hire joins: the recruiter marks the candidate hired and links
// them to the person they became in the directory, which the closed-loop
// report (admin_closed_loop.go) joins on.

func (a *App) routesHire() {
	a.mux.HandleFunc("GET /candidates/{id}/hired", a.page(a.hirePage))
	a.mux.HandleFunc("POST /candidates/{id}/hired", a.form(a.hirePost))
}

type hireData struct {
	ID, Candidate, Etag string
	People              []roleOption
	Errors              adminErrors
}

func (a *App) hirePage(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderHire(w, r, s, http.StatusOK, adminErrors{})
}

func (a *App) renderHire(w http.ResponseWriter, r *http.Request, s *session, status int, errs adminErrors) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	c, err := a.feedback.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: debriefName(r.PathValue("id"))})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	users, byName, err := a.everyone(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d := hireData{ID: debriefID(c.GetName()), Candidate: c.GetDisplayName(), Etag: c.GetEtag(), Errors: errs}
	for _, u := range users {
		d.People = append(d.People, roleOption{ID: u.GetName(), Title: byName.of(u.GetName()), Selected: u.GetName() == c.GetHiredUser()})
	}
	sort.Slice(d.People, func(i, j int) bool { return d.People[i].Title < d.People[j].Title })
	a.render(w, s, status, "hire", "Hired: "+d.Candidate, d)
}

func (a *App) hirePost(w http.ResponseWriter, r *http.Request, s *session) {
	name := debriefName(r.PathValue("id"))
	ctx, cancel := a.call(r, s)
	defer cancel()
	_, err := a.feedback.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{
		Candidate: &feedbackv1.Candidate{Name: name, Etag: r.PostFormValue("etag"), State: feedbackv1.Candidate_STATE_HIRED,
			HiredUser: r.PostFormValue("hired_user")},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"state", "hired_user"}},
	})
	if err != nil {
		errs, status := adminErrorsOf(err)
		a.renderHire(w, r, s, status, errs)
		return
	}
	http.Redirect(w, r, a.flashURL("/candidates/"+url.PathEscape(debriefID(name)), "Marked as hired, and linked to the person they became."), http.StatusSeeOther)
}
