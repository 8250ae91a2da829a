package web

import (
	"context"
	"net/http"
	"sort"
	"strings"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Roles: the openings candidates apply for. Every form that asks for a
// role offers them as a list (a role typed from memory was an error page),
// and pages name them by title.

func (a *App) routesRoles() {
	a.mux.HandleFunc("GET /roles", a.page(a.rolesPage))
	a.mux.HandleFunc("GET /roles/{id}", a.page(a.rolePage))
	a.routesRoleForm()
}

// roleOption is one choice of a role field.
type roleOption struct {
	ID, Title string
	Selected  bool
}

// roleTitles maps role IDs to titles: the defined roles' (one page of
// them: more than a company has open), plus the roles candidates name
// that nobody defined, by their ID.
type roleTitles map[string]string

// of is a role's title, or its ID.
func (t roleTitles) of(id string) string {
	if s := t[id]; s != "" {
		return s
	}
	return id
}

// options lists the roles for a <select>, by title, with one selected.
func (t roleTitles) options(selected string) []roleOption {
	var out []roleOption
	for id, title := range t {
		out = append(out, roleOption{ID: id, Title: title, Selected: id == selected})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title) })
	return out
}

// roles reads the roles a form offers: the defined ones and those the
// newest candidates name (a page read by _id). The candidate list is also the pages' permission
// check: it is for recruiters and admins, as the pages that ask are.
func (a *App) roles(ctx context.Context) (roleTitles, error) {
	t := roleTitles{}
	defined, err := a.feedback.ListRoles(ctx, &feedbackv1.ListRolesRequest{PageSize: 1000})
	if err != nil {
		return nil, err
	}
	for _, r := range defined.GetRoles() {
		t[strings.TrimPrefix(r.GetName(), "roles/")] = r.GetTitle()
	}
	used, err := a.feedback.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{PageSize: 20})
	if err != nil {
		return nil, err
	}
	for _, c := range used.GetCandidates() {
		if id := c.GetRole(); id != "" && t[id] == "" {
			t[id] = id
		}
	}
	return t, nil
}

// rolesData is the list of roles.
type rolesData struct {
	Roles []roleSummary
}

type roleSummary struct {
	ID, Title, Level string
	Interviews       int
	Thin             []string // competencies fewer than two interviews assess
}

// rolesPage lists the roles with their plans' weak spots.
func (a *App) rolesPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	resp, err := a.feedback.ListRoles(ctx, &feedbackv1.ListRolesRequest{PageSize: 1000})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var d rolesData
	for _, role := range resp.GetRoles() {
		d.Roles = append(d.Roles, roleSummary{
			ID: strings.TrimPrefix(role.GetName(), "roles/"), Title: role.GetTitle(), Level: a.levelTitle(ctx, role),
			Interviews: len(role.GetInterviewPlan()), Thin: thinCoverage(role),
		})
	}
	a.render(w, s, http.StatusOK, "roles", "Roles", d)
}

// roleData is one role: its team and its interview plan.
type roleData struct {
	ID, Title, Level string
	Team             []string
	Plan             []plannedView
	Coverage         []*feedbackv1.PlanCoverage
	Thin             []string
}

type plannedView struct {
	Title, Rubric, Focus string
}

// rolePage shows a role's plan and what it covers, before any interview.
func (a *App) rolePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	role, err := a.feedback.GetRole(ctx, &feedbackv1.GetRoleRequest{Name: "roles/" + r.PathValue("id")})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var revisions []string
	for _, p := range role.GetInterviewPlan() {
		revisions = append(revisions, p.GetRubric()+"/revisions/latest")
	}
	t := a.titlesFor(ctx, role.GetHiringTeam(), revisions)
	d := roleData{ID: r.PathValue("id"), Title: role.GetTitle(), Level: a.levelTitle(ctx, role), Coverage: role.GetCoverage(), Thin: thinCoverage(role)}
	for _, who := range role.GetHiringTeam() {
		d.Team = append(d.Team, t.people.of(who))
	}
	for _, p := range role.GetInterviewPlan() {
		focus := "every competency of the rubric"
		if len(p.GetFocusCompetencies()) > 0 {
			focus = t.competencyList(p.GetFocusCompetencies())
		}
		d.Plan = append(d.Plan, plannedView{Title: p.GetTitle(), Rubric: t.rubric(p.GetRubric() + "/revisions/latest"), Focus: focus})
	}
	a.render(w, s, http.StatusOK, "role", "Role: "+role.GetTitle(), d)
}

// thinCoverage names the competencies a role's plan assesses fewer than
// twice.
func thinCoverage(role *feedbackv1.Role) []string {
	var out []string
	for _, c := range role.GetCoverage() {
		if c.GetThin() {
			out = append(out, c.GetTitle())
		}
	}
	return out
}

// levelTitle is the role's level as its framework names it ("Senior
// Engineer"), or its ID.
func (a *App) levelTitle(ctx context.Context, role *feedbackv1.Role) string {
	if role.GetFramework() == "" || role.GetLevel() == "" {
		return role.GetLevel()
	}
	fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: role.GetFramework()})
	if err != nil {
		return role.GetLevel()
	}
	for _, track := range fw.GetTracks() {
		if track.GetId() != role.GetTrack() {
			continue
		}
		for _, l := range track.GetLevels() {
			if l.GetId() == role.GetLevel() {
				return l.GetTitle()
			}
		}
	}
	return role.GetLevel()
}
