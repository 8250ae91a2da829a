package rubric

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

const rubricsPrefix = "rubrics/"

// GetRubric returns a rubric as the caller may see it (visibility.go).
func (s *Server) GetRubric(ctx context.Context, req *rubricv1.GetRubricRequest) (*rubricv1.Rubric, error) {
	v, err := s.readRubric(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return v.message, nil
}

// ListRubrics lists rubrics in name order, as the caller may see them, and
// only those that match the request's role, level and interview type. The
// filter applies to what the caller sees: a non-admin's filter matches the
// published snapshot, not the draft.
func (s *Server) ListRubrics(ctx context.Context, req *rubricv1.ListRubricsRequest) (*rubricv1.ListRubricsResponse, error) {
	query := "rubrics?role=" + req.GetRole() + "&level=" + req.GetLevel() + "&interview_type=" + req.GetInterviewType()
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	matches := func(c content) bool {
		return (req.GetRole() == "" || c.Role == req.GetRole()) &&
			(req.GetLevel() == "" || c.Level == req.GetLevel()) &&
			(req.GetInterviewType() == "" || c.InterviewType == req.GetInterviewType())
	}
	page, err := publishing.List(ctx, s.store, after, size, nil, func(d *versioned.Doc[publishing.Draft[content]]) (*rubricv1.Rubric, bool, error) {
		v, err := s.viewRubric(ctx, d)
		switch {
		case errors.Is(err, apierr.ErrNotFound): // never published: not there for this caller
			return nil, false, nil
		case err != nil:
			return nil, false, err
		}
		return v.message, matches(v.content), nil
	})
	if err != nil {
		return nil, err
	}
	resp := &rubricv1.ListRubricsResponse{Rubrics: page.Items}
	if page.Last != "" {
		resp.NextPageToken = paging.Token(page.Last, query)
	}
	return resp, nil
}

// CreateRubric creates a draft, with the client's ID or one derived from the title.
func (s *Server) CreateRubric(ctx context.Context, req *rubricv1.CreateRubricRequest) (*rubricv1.Rubric, error) {
	if err := validateContent(req.GetRubric(), "rubric"); err != nil {
		return nil, err
	}
	c := contentFromProto(req.GetRubric())
	return s.create(ctx, req.GetRubricId(), publishing.Slug(c.Title, "rubric"), c, publishing.KindCreate, req.GetRequestId())
}

// create stores a new draft under id, or when id is empty under base, with
// a random suffix on a collision. With a request ID, the same request again
// returns the rubric it created, whatever ID it got.
func (s *Server) create(ctx context.Context, id, base string, c content, kind, requestID string) (*rubricv1.Rubric, error) {
	want := versioned.Expect{RequestID: requestID}
	doc, err := s.store.CreateNamed(ctx, rubricsPrefix, id, base, principal.User(ctx), kind, want, c, changedFields(content{}, c))
	if err != nil {
		return nil, err
	}
	return draftToProto(doc), nil
}

// UpdateRubric changes the fields named in the update mask.
func (s *Server) UpdateRubric(ctx context.Context, req *rubricv1.UpdateRubricRequest) (*rubricv1.Rubric, error) {
	in := req.GetRubric()
	name := in.GetName()
	if id, ok := strings.CutPrefix(name, rubricsPrefix); !ok || !fieldcheck.IDPattern.MatchString(id) {
		return nil, apierr.Invalid("rubric.name", "must name a rubric: rubrics/{rubric}, with a lower-case ID")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("rubric.etag", "required: send the etag of the version you are changing")
	}
	paths, err := contentMask.Paths(req.GetUpdateMask().GetPaths(), func(field string) bool { return isSet(in, field) })
	if err != nil {
		return nil, err
	}
	want := versioned.Expect{ETag: in.GetEtag()}
	doc, err := s.store.Edit(ctx, name, principal.User(ctx), publishing.KindUpdate, want, func(cur content) (content, []string, error) {
		next := contentToProto(cur)
		for _, p := range paths {
			setField(next, in, p)
		}
		if err := validateContent(next, "rubric"); err != nil {
			return content{}, nil, err
		}
		c := contentFromProto(next)
		keepDerivedMarks(&cur, &c)
		return c, changedFields(cur, c), nil
	})
	if err != nil {
		return nil, err
	}
	return draftToProto(doc), nil
}

// DeleteRubric deletes a draft; published revisions stay readable.
func (s *Server) DeleteRubric(ctx context.Context, req *rubricv1.DeleteRubricRequest) (*emptypb.Empty, error) {
	if err := s.store.Delete(ctx, req.GetName(), principal.User(ctx), versioned.Expect{ETag: req.GetEtag()}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// contentMask is what an update mask may name: the content fields, in
// message order, and the identity and output-only fields it skips.
var contentMask = fieldcheck.UpdateMask{
	Updatable: []string{"title", "description", "role", "level", "interview_type", "scale", "competencies"},
	Ignored: map[string]bool{
		"name": true, "etag": true, "source": true, "latest_revision": true, "unpublished_changes": true,
		"create_time": true, "update_time": true, "publish_time": true, "last_change": true,
	},
}

func isSet(r *rubricv1.Rubric, field string) bool {
	switch field {
	case "title":
		return r.GetTitle() != ""
	case "description":
		return r.GetDescription() != ""
	case "role":
		return r.GetRole() != ""
	case "level":
		return r.GetLevel() != ""
	case "interview_type":
		return r.GetInterviewType() != ""
	case "scale":
		return r.GetScale() != nil
	default:
		return len(r.GetCompetencies()) > 0
	}
}

// setField copies one content field from src to dst.
func setField(dst, src *rubricv1.Rubric, field string) {
	switch field {
	case "title":
		dst.Title = src.GetTitle()
	case "description":
		dst.Description = src.GetDescription()
	case "role":
		dst.Role = src.GetRole()
	case "level":
		dst.Level = src.GetLevel()
	case "interview_type":
		dst.InterviewType = src.GetInterviewType()
	case "scale":
		dst.Scale = src.GetScale()
	case "competencies":
		dst.Competencies = src.GetCompetencies()
	}
}

// changedFields names the content fields that differ.
func changedFields(before, after content) []string {
	return fieldcheck.ChangedFields(contentToProto(before), contentToProto(after), contentMask.Updatable)
}
