package feedback_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A role is an opening with its interview plan; the plan says, before any
// interview, which competencies fewer than two interviews assess.
func TestRoles(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	plan := []*feedbackv1.PlannedInterview{
		{Title: "Coding", Rubric: "rubrics/coding"},
		{Title: "Craft deep-dive", Rubric: "rubrics/coding", FocusCompetencies: []string{"craft"}},
	}
	r, err := e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "backend", Role: &feedbackv1.Role{
		Title: "Backend engineer", Framework: "frameworks/eng", Track: "ic", Level: "l2",
		HiringTeam: []string{"users/rita", ivan}, InterviewPlan: plan,
	}})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]int32{}
	thin := map[string]bool{}
	for _, c := range r.GetCoverage() {
		covered[c.GetCompetency()], thin[c.GetCompetency()] = c.GetInterviews(), c.GetThin()
	}
	if covered["craft"] != 2 || thin["craft"] || covered["impact"] != 1 || !thin["impact"] {
		t.Errorf("coverage = %v, want craft twice, impact once (thin)", r.GetCoverage())
	}
	// The ID is taken: refused, with one that is free.
	_, err = e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "backend", Role: &feedbackv1.Role{Title: "Again"}})
	wantCode(t, err, codes.AlreadyExists, "")
	if !strings.Contains(err.Error(), "backend-2") {
		t.Errorf("taken ID = %v, want a suggestion of backend-2", err)
	}
	// Without an ID, one is made from the title.
	made, err := e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{Role: &feedbackv1.Role{Title: "Site Reliability Engineer"}})
	if err != nil || made.GetName() != "roles/site-reliability-engineer" {
		t.Errorf("role from its title = %v, %v", made.GetName(), err)
	}
	// Bad input names its field and changes nothing.
	for field, role := range map[string]*feedbackv1.Role{
		"role.title":                                   {},
		"role.hiring_team[0]":                          {Title: "T", HiringTeam: []string{"rita"}},
		"role.interview_plan[0].rubric":                {Title: "T", InterviewPlan: []*feedbackv1.PlannedInterview{{Title: "X", Rubric: "rubrics/nope"}}},
		"role.interview_plan[0].focus_competencies[0]": {Title: "T", InterviewPlan: []*feedbackv1.PlannedInterview{{Title: "X", Rubric: "rubrics/coding", FocusCompetencies: []string{"people"}}}},
	} {
		_, err := e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "bad", Role: role})
		wantCode(t, err, codes.InvalidArgument, field)
	}
	// An update needs the etag, and changes what the mask names.
	up, err := e.recruiter.UpdateRole(ctx, &feedbackv1.UpdateRoleRequest{Role: &feedbackv1.Role{Name: r.GetName(), Etag: r.GetEtag(), Title: "Senior backend engineer"}})
	if err != nil || up.GetTitle() != "Senior backend engineer" || len(up.GetInterviewPlan()) != 2 {
		t.Fatalf("update = %v, %v", up, err)
	}
	_, err = e.recruiter.UpdateRole(ctx, &feedbackv1.UpdateRoleRequest{Role: &feedbackv1.Role{Name: r.GetName(), Etag: r.GetEtag(), Title: "Lost"}})
	wantCode(t, err, codes.Aborted, "")
	// The panel reads roles; a list offers them.
	list, err := e.as(ivan).ListRoles(ctx, &feedbackv1.ListRolesRequest{})
	if err != nil || len(list.GetRoles()) != 2 {
		t.Errorf("ListRoles as an interviewer = %v, %v, want both", list, err)
	}
	if _, err := e.recruiter.DeleteRole(ctx, &feedbackv1.DeleteRoleRequest{Name: r.GetName(), Etag: up.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.recruiter.GetRole(ctx, &feedbackv1.GetRoleRequest{Name: r.GetName()})
	wantCode(t, err, codes.NotFound, "")
}
