package ladder

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// GetFramework returns a framework as the caller may see it (visibility.go).
func (s *Server) GetFramework(ctx context.Context, req *ladderv1.GetFrameworkRequest) (*ladderv1.Framework, error) {
	v, err := s.readFramework(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return v.message, nil
}

// ListFrameworks lists frameworks in name order: the drafts for admins, the
// latest published revisions for everyone else.
func (s *Server) ListFrameworks(ctx context.Context, req *ladderv1.ListFrameworksRequest) (*ladderv1.ListFrameworksResponse, error) {
	const query = "frameworks"
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	admin := principal.Has(ctx, principal.Admin)
	var where bson.D
	if !admin {
		// Never published frameworks do not exist for non-admins: they must
		// not even surface as the key of a page token.
		where = publishing.PublishedFilter()
	}
	page, err := publishing.List(ctx, s.store, after, size, where, func(d *versioned.Doc[publishing.Draft[content]]) (*ladderv1.Framework, bool, error) {
		v, err := s.viewFramework(ctx, d)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, false, nil // its revision is not there: as good as unpublished
		}
		if err != nil {
			return nil, false, err
		}
		return v.message, true, nil
	})
	if err != nil {
		return nil, err
	}
	resp := &ladderv1.ListFrameworksResponse{Frameworks: page.Items}
	if page.Last != "" {
		resp.NextPageToken = paging.Token(page.Last, query)
	}
	return resp, nil
}

// CreateFramework creates a draft, with the client's ID or one derived from the title.
func (s *Server) CreateFramework(ctx context.Context, req *ladderv1.CreateFrameworkRequest) (*ladderv1.Framework, error) {
	if err := validateContent(req.GetFramework(), "framework"); err != nil {
		return nil, err
	}
	c := contentFromProto(req.GetFramework())
	return s.create(ctx, req.GetFrameworkId(), c, publishing.KindCreate, req.GetRequestId())
}

// create stores a new draft under id, or under an ID derived from the title
// when id is empty. An ID whose framework was deleted can be used again:
// its history and its revision numbers continue. With a request ID, the
// same request again returns the framework it created and creates nothing.
func (s *Server) create(ctx context.Context, id string, c content, kind, requestID string) (*ladderv1.Framework, error) {
	want := versioned.Expect{RequestID: requestID}
	doc, err := s.store.CreateNamed(ctx, frameworksPrefix, id, publishing.Slug(c.Title, "framework"), principal.User(ctx), kind, want, c, changedFields(content{}, c))
	if err != nil {
		return nil, err
	}
	return draftToProto(doc), nil
}

// UpdateFramework changes the fields named in the update mask.
func (s *Server) UpdateFramework(ctx context.Context, req *ladderv1.UpdateFrameworkRequest) (*ladderv1.Framework, error) {
	in := req.GetFramework()
	name := in.GetName()
	if id, ok := strings.CutPrefix(name, frameworksPrefix); !ok || !fieldcheck.IDPattern.MatchString(id) {
		return nil, apierr.Invalid("framework.name", "must name a framework: frameworks/{framework}, with a lower-case ID")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("framework.etag", "required: send the etag of the version you are changing")
	}
	paths, err := contentMask.Paths(req.GetUpdateMask().GetPaths(), func(field string) bool { return isSet(in, field) })
	if err != nil {
		return nil, err
	}
	return s.replaceContent(ctx, name, versioned.Expect{ETag: in.GetEtag()}, publishing.KindUpdate, func(cur *ladderv1.Framework) (*ladderv1.Framework, error) {
		for _, p := range paths {
			setField(cur, in, p)
		}
		return cur, validateContent(cur, "framework")
	})
}

// replaceContent changes a draft's content with edit, which gets the
// current content and returns the new one (or a validation error).
func (s *Server) replaceContent(ctx context.Context, name string, want versioned.Expect, kind string, edit func(cur *ladderv1.Framework) (*ladderv1.Framework, error)) (*ladderv1.Framework, error) {
	doc, err := s.store.Edit(ctx, name, principal.User(ctx), kind, want, func(cur content) (content, []string, error) {
		next, err := edit(contentToProto(cur))
		if err != nil {
			return content{}, nil, err
		}
		c := contentFromProto(next)
		return c, changedFields(cur, c), nil
	})
	if err != nil {
		return nil, err
	}
	return draftToProto(doc), nil
}

// DeleteFramework deletes a draft; published revisions stay readable.
func (s *Server) DeleteFramework(ctx context.Context, req *ladderv1.DeleteFrameworkRequest) (*emptypb.Empty, error) {
	if err := s.store.Delete(ctx, req.GetName(), principal.User(ctx), versioned.Expect{ETag: req.GetEtag()}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// contentMask is what an update mask may name: the content fields, in
// message order, and the identity and output-only fields it skips.
var contentMask = fieldcheck.UpdateMask{
	Updatable: []string{"title", "description", "competencies", "tracks"},
	Ignored: map[string]bool{
		"name": true, "etag": true, "latest_revision": true, "unpublished_changes": true,
		"create_time": true, "update_time": true, "publish_time": true, "last_change": true,
	},
}

func isSet(f *ladderv1.Framework, field string) bool {
	switch field {
	case "title":
		return f.GetTitle() != ""
	case "description":
		return f.GetDescription() != ""
	case "competencies":
		return len(f.GetCompetencies()) > 0
	default:
		return len(f.GetTracks()) > 0
	}
}

// setField copies one content field from src to dst.
func setField(dst, src *ladderv1.Framework, field string) {
	switch field {
	case "title":
		dst.Title = src.GetTitle()
	case "description":
		dst.Description = src.GetDescription()
	case "competencies":
		dst.Competencies = src.GetCompetencies()
	case "tracks":
		dst.Tracks = src.GetTracks()
	}
}

// changedFields names the content fields that differ.
func changedFields(before, after content) []string {
	return fieldcheck.ChangedFields(contentToProto(before), contentToProto(after), contentMask.Updatable)
}
