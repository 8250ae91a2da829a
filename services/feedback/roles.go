package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/protoconv"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Roles: the openings a company hires for. A candidate's and a rubric's
// `role` is a role's ID; a role that is not defined (yet) is still
// accepted there, so that loops recorded before roles existed keep
// working, and shows by its ID until an admin or recruiter defines it.

// role is a role's document, keyed by its name.
type role struct {
	Title      string             `bson:"title"`
	Framework  string             `bson:"framework,omitempty"`
	Track      string             `bson:"track,omitempty"`
	Level      string             `bson:"level,omitempty"`
	HiringTeam []string           `bson:"hiring_team,omitempty"`
	Plan       []plannedInterview `bson:"plan,omitempty"`
}

type plannedInterview struct {
	Title  string   `bson:"title"`
	Rubric string   `bson:"rubric"`
	Focus  []string `bson:"focus,omitempty"`
}

const (
	rolesPrefix     = "roles/"
	maxRoleText     = 200
	maxHiringTeam   = 50
	maxPlannedItems = 20
	// thinCoverage is how few planned interviews leave a competency
	// resting on one opinion.
	thinCoverage = 2
)

// CreateRole creates a role; an ID that is taken is refused with one
// that is free.
func (s *Server) CreateRole(ctx context.Context, req *feedbackv1.CreateRoleRequest) (*feedbackv1.Role, error) {
	in := roleFromProto(req.GetRole())
	if err := s.validateRole(ctx, in, "role"); err != nil {
		return nil, err
	}
	id := req.GetRoleId()
	if id == "" {
		id = publishing.Slug(in.Title, "role")
	}
	name := rolesPrefix + id
	doc, err := s.store.roles.Apply(ctx, name, principal.User(ctx), versioned.Expect{Exists: versioned.MustNotExist}, func(*versioned.Doc[role]) (versioned.Edit[role], error) {
		return versioned.Edit[role]{Kind: kindCreate, Data: in}, nil
	})
	if errors.Is(err, apierr.ErrAlreadyExists) || errors.Is(err, apierr.ErrConflict) {
		return nil, apierr.New(apierr.ErrAlreadyExists, fmt.Sprintf("%s exists already: choose another ID, for example %s", name, s.freeRoleID(ctx, id)))
	}
	if err != nil {
		return nil, err
	}
	return s.roleToProto(ctx, doc), nil
}

// freeRoleID suggests an ID like id that no role has.
func (s *Server) freeRoleID(ctx context.Context, id string) string {
	base := strings.TrimRight(id[:min(len(id), 58)], "-")
	for n := 2; n < 100; n++ {
		candidate := fmt.Sprintf("%s-%d", base, n)
		if _, err := s.store.roles.Get(ctx, rolesPrefix+candidate); errors.Is(err, apierr.ErrNotFound) {
			return candidate
		}
	}
	return base + "-" + randomHex(3)
}

// GetRole returns a role with its plan's coverage.
func (s *Server) GetRole(ctx context.Context, req *feedbackv1.GetRoleRequest) (*feedbackv1.Role, error) {
	doc, err := s.store.roles.Get(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return s.roleToProto(ctx, doc), nil
}

// ListRoles lists the roles in name order.
func (s *Server) ListRoles(ctx context.Context, req *feedbackv1.ListRolesRequest) (*feedbackv1.ListRolesResponse, error) {
	const query = "roles"
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	docs, err := s.store.roles.List(ctx, after, size+1, nil)
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListRolesResponse{}
	for i := range docs[:min(size, len(docs))] {
		resp.Roles = append(resp.Roles, s.roleToProto(ctx, &docs[i]))
	}
	if len(docs) > size {
		resp.NextPageToken = paging.Token(docs[size-1].Name, query)
	}
	return resp, nil
}

var roleMask = fieldcheck.UpdateMask{
	Updatable: []string{"title", "framework", "track", "level", "hiring_team", "interview_plan"},
	Ignored:   map[string]bool{"name": true, "etag": true, "coverage": true, "create_time": true, "update_time": true},
}

// UpdateRole changes the fields the mask names.
func (s *Server) UpdateRole(ctx context.Context, req *feedbackv1.UpdateRoleRequest) (*feedbackv1.Role, error) {
	in := req.GetRole()
	if id, ok := strings.CutPrefix(in.GetName(), rolesPrefix); !ok || !fieldcheck.IDPattern.MatchString(id) {
		return nil, apierr.Invalid("role.name", "must name a role: roles/{role}, with a lower-case ID")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("role.etag", "required: send the etag of the version you are changing")
	}
	paths, err := roleMask.Paths(req.GetUpdateMask().GetPaths(), func(f string) bool { return roleFieldSet(in, f) })
	if err != nil {
		return nil, err
	}
	next := roleFromProto(in)
	doc, err := s.store.roles.Apply(ctx, in.GetName(), principal.User(ctx), versioned.Expect{ETag: in.GetEtag(), Exists: versioned.MustExist}, func(cur *versioned.Doc[role]) (versioned.Edit[role], error) {
		data := cur.Data
		for _, p := range paths {
			setRoleField(&data, next, p)
		}
		if err := s.validateRole(ctx, data, "role"); err != nil {
			return versioned.Edit[role]{}, err
		}
		return versioned.Edit[role]{Kind: kindUpdate, Fields: paths, Data: data}, nil
	})
	if err != nil {
		return nil, err
	}
	return s.roleToProto(ctx, doc), nil
}

// DeleteRole deletes a role; candidates keep its ID.
func (s *Server) DeleteRole(ctx context.Context, req *feedbackv1.DeleteRoleRequest) (*emptypb.Empty, error) {
	_, err := s.store.roles.Apply(ctx, req.GetName(), principal.User(ctx), versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist}, func(*versioned.Doc[role]) (versioned.Edit[role], error) {
		return versioned.Edit[role]{Kind: kindDelete, Delete: true}, nil
	})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// validateRole checks a role as it would be stored; each planned
// interview's rubric must be published, and its focus competencies the
// rubric's.
func (s *Server) validateRole(ctx context.Context, r role, prefix string) error {
	var v apierr.Violations
	fieldcheck.Text(&v, prefix+".title", r.Title, maxRoleText, true)
	if id, ok := strings.CutPrefix(r.Framework, "frameworks/"); r.Framework != "" && (!ok || !fieldcheck.IDPattern.MatchString(id)) {
		v.Add(prefix+".framework", "must name a framework: frameworks/{framework}")
	}
	for field, id := range map[string]string{"track": r.Track, "level": r.Level} {
		if id != "" && !fieldcheck.IDPattern.MatchString(id) {
			v.Add(prefix+"."+field, "must be an ID of the framework: lower-case letters, digits and hyphens")
		}
	}
	if len(r.HiringTeam) > maxHiringTeam {
		v.Add(prefix+".hiring_team", "at most %d people, got %d", maxHiringTeam, len(r.HiringTeam))
	}
	for i, u := range r.HiringTeam {
		f := fmt.Sprintf("%s.hiring_team[%d]", prefix, i)
		switch {
		case !fieldcheck.UserNamePattern.MatchString(u):
			v.Add(f, "must name a user: users/{user}")
		case slices.Index(r.HiringTeam, u) < i:
			v.Add(f, "%s is on the team twice", apierr.Clip(u, 100))
		}
	}
	if len(r.Plan) > maxPlannedItems {
		v.Add(prefix+".interview_plan", "at most %d interviews, got %d", maxPlannedItems, len(r.Plan))
	}
	for i, p := range r.Plan {
		f := fmt.Sprintf("%s.interview_plan[%d]", prefix, i)
		fieldcheck.Text(&v, f+".title", p.Title, maxRoleText, true)
		id, ok := strings.CutPrefix(p.Rubric, "rubrics/")
		if !ok || !fieldcheck.IDPattern.MatchString(id) {
			v.Add(f+".rubric", "must name a rubric: rubrics/{rubric}")
			continue
		}
		rev, err := s.rubrics.get(ctx, p.Rubric+"/revisions/latest", f+".rubric")
		var invalid *apierr.InvalidArgumentError
		if errors.As(err, &invalid) {
			v.Add(f+".rubric", "%s has no published revision: publish it first", p.Rubric)
			continue
		}
		if err != nil {
			return err
		}
		var ids []string
		for _, c := range rev.GetSnapshot().GetCompetencies() {
			ids = append(ids, c.GetId())
		}
		for j, c := range p.Focus {
			if !slices.Contains(ids, c) {
				v.Add(fmt.Sprintf("%s.focus_competencies[%d]", f, j), "%s does not assess %q (it assesses %s)", p.Rubric, apierr.Clip(c, 100), strings.Join(ids, ", "))
			}
		}
	}
	return v.Err()
}

// coverage counts, for every competency the plan's rubrics assess, the
// planned interviews that assess it. A rubric that cannot be read now
// (unpublished since) counts for nothing.
func (s *Server) coverage(ctx context.Context, r role) []*feedbackv1.PlanCoverage {
	var out []*feedbackv1.PlanCoverage
	at := map[string]*feedbackv1.PlanCoverage{}
	for _, p := range r.Plan {
		rev, err := s.rubrics.get(ctx, p.Rubric+"/revisions/latest", "rubric")
		if err != nil {
			continue
		}
		for _, c := range rev.GetSnapshot().GetCompetencies() {
			cov := at[c.GetId()]
			if cov == nil {
				cov = &feedbackv1.PlanCoverage{Competency: c.GetId(), Title: c.GetTitle()}
				at[c.GetId()] = cov
				out = append(out, cov)
			}
			if len(p.Focus) == 0 || slices.Contains(p.Focus, c.GetId()) {
				cov.Interviews++
			}
		}
	}
	for _, cov := range out {
		cov.Thin = cov.Interviews < thinCoverage
	}
	return out
}

func roleFieldSet(r *feedbackv1.Role, f string) bool {
	switch f {
	case "title":
		return r.GetTitle() != ""
	case "framework":
		return r.GetFramework() != ""
	case "track":
		return r.GetTrack() != ""
	case "level":
		return r.GetLevel() != ""
	case "hiring_team":
		return len(r.GetHiringTeam()) > 0
	case "interview_plan":
		return len(r.GetInterviewPlan()) > 0
	}
	return false
}

func setRoleField(r *role, from role, f string) {
	switch f {
	case "title":
		r.Title = from.Title
	case "framework":
		r.Framework = from.Framework
	case "track":
		r.Track = from.Track
	case "level":
		r.Level = from.Level
	case "hiring_team":
		r.HiringTeam = from.HiringTeam
	case "interview_plan":
		r.Plan = from.Plan
	}
}

func roleFromProto(r *feedbackv1.Role) role {
	out := role{
		Title: strings.TrimSpace(r.GetTitle()), Framework: r.GetFramework(), Track: r.GetTrack(), Level: r.GetLevel(),
		HiringTeam: r.GetHiringTeam(),
	}
	for _, p := range r.GetInterviewPlan() {
		out.Plan = append(out.Plan, plannedInterview{Title: strings.TrimSpace(p.GetTitle()), Rubric: p.GetRubric(), Focus: p.GetFocusCompetencies()})
	}
	return out
}

func (s *Server) roleToProto(ctx context.Context, d *versioned.Doc[role]) *feedbackv1.Role {
	r := d.Data
	out := &feedbackv1.Role{
		Name: d.Name, Title: r.Title, Framework: r.Framework, Track: r.Track, Level: r.Level,
		HiringTeam: r.HiringTeam, Coverage: s.coverage(ctx, r),
		CreateTime: protoconv.OptionalTime(d.CreateTime), UpdateTime: protoconv.OptionalTime(d.UpdateTime), Etag: d.ETag(),
	}
	for _, p := range r.Plan {
		out.InterviewPlan = append(out.InterviewPlan, &feedbackv1.PlannedInterview{Title: p.Title, Rubric: p.Rubric, FocusCompetencies: p.Focus})
	}
	return out
}
