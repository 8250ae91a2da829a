package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// The role form: recruiters and admins define a role, its hiring team and
// its interview plan with choices (levels, people, published rubrics,
// competencies), never typed IDs. The feedback service checks the plan;
// its objections are shown at their fields.

func (a *App) routesRoleForm() {
	a.mux.HandleFunc("GET /roles/new", a.page(a.roleNewPage))
	a.mux.HandleFunc("POST /roles", a.form(a.roleCreate))
	a.mux.HandleFunc("GET /roles/{id}/edit", a.page(a.roleEditPage))
	a.mux.HandleFunc("POST /roles/{id}", a.form(a.roleUpdate))
}

// roleForm is the form, as saved or as typed.
type roleForm struct {
	ID, Etag, Title string
	New             bool
	Levels          []roleOption
	Team            []roleOption
	Plan            []plannedForm
	Errors          adminErrors
	FieldErrors     map[string]string // by form field
}

type plannedForm struct {
	Index                int
	Title                string
	Rubrics, Competences []roleOption
}

// blankPlanRows is how many empty interviews the form offers beyond the
// plan's: a plan grows a few interviews at a time.
const blankPlanRows = 3

// fill puts the choices in: levels, the directory, published rubrics and
// competencies, with what the role has selected.
func (a *App) fillRoleForm(ctx context.Context, f *roleForm, role *feedbackv1.Role) error {
	levels, err := a.levelChoices(ctx, role.GetFramework()+"|"+role.GetTrack()+"|"+role.GetLevel())
	if err != nil {
		return err
	}
	f.Levels = levels
	users, byName, err := a.everyone(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		selected := slices.Contains(role.GetHiringTeam(), u.GetName())
		if u.GetDeactivated() && !selected { // someone who left is not offered; one on the team stays shown
			continue
		}
		f.Team = append(f.Team, roleOption{ID: u.GetName(), Title: byName.of(u.GetName()), Selected: selected})
	}
	rubrics, err := listAll(func(token string) ([]*rubricv1.Rubric, string, error) {
		resp, err := a.rubrics.ListRubrics(ctx, &rubricv1.ListRubricsRequest{PageSize: 100, PageToken: token})
		return resp.GetRubrics(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return err
	}
	titles := a.competencyTitles.of(ctx)
	var compIDs []string
	for id := range titles {
		compIDs = append(compIDs, id)
	}
	slices.Sort(compIDs)
	plan := role.GetInterviewPlan()
	for i := range len(plan) + blankPlanRows {
		var p *feedbackv1.PlannedInterview
		if i < len(plan) {
			p = plan[i]
		}
		row := plannedForm{Index: i, Title: p.GetTitle()}
		for _, rb := range rubrics {
			if rb.GetLatestRevision() == "" {
				continue // never published: a plan cannot use it
			}
			row.Rubrics = append(row.Rubrics, roleOption{ID: rb.GetName(), Title: rb.GetTitle(), Selected: rb.GetName() == p.GetRubric()})
		}
		for _, id := range compIDs {
			row.Competences = append(row.Competences, roleOption{ID: id, Title: titles[id], Selected: slices.Contains(p.GetFocusCompetencies(), id)})
		}
		f.Plan = append(f.Plan, row)
	}
	return nil
}

// postedRole reads the form.
func postedRole(r *http.Request) *feedbackv1.Role {
	role := &feedbackv1.Role{Title: strings.TrimSpace(r.PostFormValue("title")), HiringTeam: r.PostForm["team"], Etag: r.PostFormValue("etag")}
	if parts := strings.Split(r.PostFormValue("level"), "|"); len(parts) == 3 {
		role.Framework, role.Track, role.Level = parts[0], parts[1], parts[2]
	}
	for i := 0; ; i++ {
		key := strconv.Itoa(i)
		if _, ok := r.PostForm["plan-"+key+"-title"]; !ok {
			break
		}
		p := &feedbackv1.PlannedInterview{
			Title: strings.TrimSpace(r.PostFormValue("plan-" + key + "-title")), Rubric: r.PostFormValue("plan-" + key + "-rubric"),
			FocusCompetencies: r.PostForm["plan-"+key+"-focus"],
		}
		if p.GetTitle() == "" && p.GetRubric() == "" {
			continue // an empty row: not an interview
		}
		role.InterviewPlan = append(role.InterviewPlan, p)
	}
	return role
}

func (a *App) roleNewPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	f := roleForm{New: true}
	if err := a.fillRoleForm(ctx, &f, &feedbackv1.Role{}); err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "role_form", "A new role", f)
}

func (a *App) roleEditPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	role, err := a.feedback.GetRole(ctx, &feedbackv1.GetRoleRequest{Name: "roles/" + r.PathValue("id")})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	f := roleForm{ID: r.PathValue("id"), Etag: role.GetEtag(), Title: role.GetTitle()}
	if err := a.fillRoleForm(ctx, &f, role); err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "role_form", "Edit: "+role.GetTitle(), f)
}

func (a *App) roleCreate(w http.ResponseWriter, r *http.Request, s *session) {
	role := postedRole(r)
	id := strings.TrimSpace(r.PostFormValue("role_id"))
	ctx, cancel := a.call(r, s)
	defer cancel()
	made, err := a.feedback.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: id, Role: role})
	if err == nil {
		a.adminRedirect(w, r, "/roles/"+url.PathEscape(strings.TrimPrefix(made.GetName(), "roles/")), "Role created.")
		return
	}
	a.roleFormFailed(w, r, s, roleForm{New: true, ID: id, Title: role.GetTitle()}, role, err)
}

func (a *App) roleUpdate(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	role := postedRole(r)
	role.Name = "roles/" + id
	ctx, cancel := a.call(r, s)
	defer cancel()
	_, err := a.feedback.UpdateRole(ctx, &feedbackv1.UpdateRoleRequest{Role: role, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"*"}}})
	if err == nil {
		a.adminRedirect(w, r, "/roles/"+url.PathEscape(id), "Role saved.")
		return
	}
	a.roleFormFailed(w, r, s, roleForm{ID: id, Etag: role.GetEtag(), Title: role.GetTitle()}, role, err)
}

// roleFieldPath maps the service's field paths to the form's fields.
var roleFieldPath = regexp.MustCompile(`^role\.interview_plan\[(\d+)\]\.(title|rubric|focus_competencies)`)

// roleFormFailed shows the form again with what was posted and the
// service's objections at their fields.
func (a *App) roleFormFailed(w http.ResponseWriter, r *http.Request, s *session, f roleForm, posted *feedbackv1.Role, err error) {
	var status int
	f.Errors, status = adminErrorsOf(err)
	if status >= 500 || status == http.StatusForbidden || status == http.StatusUnauthorized {
		a.failErr(w, s, err)
		return
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	if ferr := a.fillRoleForm(ctx, &f, posted); ferr != nil {
		a.failErr(w, s, ferr)
		return
	}
	f.FieldErrors = map[string]string{}
	for field, msg := range f.Errors.Fields {
		switch m := roleFieldPath.FindStringSubmatch(field); {
		case m != nil:
			f.FieldErrors[fmt.Sprintf("plan-%s-%s", m[1], strings.TrimSuffix(m[2], "_competencies"))] = sentence(msg)
		case strings.HasPrefix(field, "role.hiring_team"):
			f.FieldErrors["team"] = sentence(msg)
		case field == "role_id":
			f.FieldErrors["role_id"] = sentence(msg)
		default:
			f.FieldErrors[strings.TrimPrefix(field, "role.")] = sentence(msg)
		}
	}
	if status == http.StatusConflict && !f.Errors.Conflict {
		f.FieldErrors["role_id"] = sentence(f.Errors.Message) // the ID is taken: a free one is named
	}
	a.render(w, s, status, "role_form", "Role", f)
}

// FieldError is the error of one form field, for templates.
func (f roleForm) FieldError(name string) string { return f.FieldErrors[name] }
