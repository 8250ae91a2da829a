package web

import (
	"net/http"
	"net/url"
	"strings"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The recruiter's pages: the candidates, each one's debrief, candidates
// side by side, and calibration. Who may open them is the API's answer
// (ListCandidates, CompareCandidates and ComputeCalibration are for
// recruiters and admins; a summary shows what the caller may see), so an
// interviewer who opens them gets the API's 403, rendered.
func (a *App) routesDebrief() {
	a.mux.HandleFunc("GET /candidates", a.page(a.candidatesPage))
	a.mux.HandleFunc("GET /candidates/{id}", a.page(a.debriefPage))
	a.mux.HandleFunc("GET /compare", a.page(a.comparePage))
	a.mux.HandleFunc("GET /calibration", a.page(a.calibrationPage))
	a.mux.HandleFunc("POST /calibration", a.form(a.calibrationPost))
}

// candidatesPageSize is how many candidates one page of the list shows.
const candidatesPageSize = 50

type candidatesData struct {
	Role       string // the role's ID, "" for every role
	RoleTitle  string
	Candidates []candidateRow
	Next       string // the next page's URL, empty on the last page
	First      string // the first page's URL, when not on it
	Roles      []roleOption
}

type candidateRow struct {
	ID, Name, DisplayName, Role, Level, State, ExternalID string
}

// candidatesPage lists candidates, optionally for one role, a page at a
// time, with forms to compare the ones picked or a whole role.
func (a *App) candidatesPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	role := strings.TrimSpace(q.Get("role"))
	ctx, cancel := a.call(r, s)
	defer cancel()
	resp, err := a.feedback.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{
		PageSize: candidatesPageSize, PageToken: q.Get("page_token"), Role: role,
	})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	titles, err := a.roles(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d := candidatesData{Role: role, RoleTitle: titles.of(role), Roles: titles.options(role)}
	for _, c := range resp.GetCandidates() {
		d.Candidates = append(d.Candidates, candidateRow{
			ID: debriefID(c.GetName()), Name: c.GetName(), DisplayName: c.GetDisplayName(),
			Role: titles.of(c.GetRole()), Level: c.GetLevel(), State: debriefState(c.GetState()), ExternalID: c.GetExternalId(),
		})
	}
	if t := resp.GetNextPageToken(); t != "" {
		d.Next = debriefListURL(role, t)
	}
	if q.Get("page_token") != "" {
		d.First = debriefListURL(role, "")
	}
	a.render(w, s, http.StatusOK, "candidates", "Candidates", d)
}

func debriefListURL(role, token string) string {
	v := url.Values{}
	if role != "" {
		v.Set("role", role)
	}
	if token != "" {
		v.Set("page_token", token)
	}
	if len(v) == 0 {
		return "/candidates"
	}
	return "/candidates?" + v.Encode()
}

// debriefID is the last part of a candidate's resource name: the one the
// pages' URLs use.
func debriefID(name string) string {
	return strings.TrimPrefix(name, "candidates/")
}

// debriefName accepts a candidate's ID or resource name.
func debriefName(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "candidates/") {
		return s
	}
	return "candidates/" + s
}

func debriefState(s feedbackv1.Candidate_State) string {
	switch s {
	case feedbackv1.Candidate_STATE_ACTIVE:
		return "active"
	case feedbackv1.Candidate_STATE_HIRED:
		return "hired"
	case feedbackv1.Candidate_STATE_REJECTED:
		return "rejected"
	case feedbackv1.Candidate_STATE_WITHDRAWN:
		return "withdrawn"
	}
	return "unknown"
}
