package rubric

import (
	"context"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// PublishRubric freezes the current draft as the next revision, once it has
// a competency and every anchor.
func (s *Server) PublishRubric(ctx context.Context, req *rubricv1.PublishRubricRequest) (*rubricv1.RubricRevision, error) {
	want := versioned.Expect{ETag: req.GetEtag(), RequestID: req.GetRequestId()}
	r, err := s.store.Publish(ctx, req.GetName(), principal.User(ctx), want, publishable)
	if err != nil {
		return nil, err
	}
	return revisionToProto(r), nil
}

// GetRubricRevision returns a published revision, from memory once read;
// revisions are for everyone.
func (s *Server) GetRubricRevision(ctx context.Context, req *rubricv1.GetRubricRevisionRequest) (*rubricv1.RubricRevision, error) {
	return s.revisions.Get(ctx, req.GetName())
}

// ListRubricRevisions lists a rubric's revisions, newest first, each read by
// its name.
func (s *Server) ListRubricRevisions(ctx context.Context, req *rubricv1.ListRubricRevisionsRequest) (*rubricv1.ListRubricRevisionsResponse, error) {
	parent := req.GetParent()
	query := parent + "/revisions"
	before, err := paging.Number(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	doc, err := s.store.Drafts.Get(ctx, parent)
	if err != nil {
		return nil, err
	}
	if !doc.Data.Published() && !principal.Has(ctx, principal.Admin) {
		return nil, apierr.NotFound(parent) // an unpublished rubric does not exist for non-admins
	}
	revs, more, err := s.store.Revisions(ctx, doc, before, paging.Size(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &rubricv1.ListRubricRevisionsResponse{}
	bytes := 0
	for i, r := range revs {
		m := revisionToProto(r)
		if i > 0 && bytes+proto.Size(m) > publishing.MaxPageBytes {
			more = true
			break
		}
		bytes += proto.Size(m)
		resp.Revisions = append(resp.Revisions, m)
	}
	if more {
		last := revs[len(resp.Revisions)-1]
		resp.NextPageToken = paging.Token(strconv.FormatInt(last.Number, 10), query)
	}
	return resp, nil
}

// ListRubricChanges lists a rubric's change records, newest first, each
// read by its _id. The history outlives a delete: it is the audit trail.
func (s *Server) ListRubricChanges(ctx context.Context, req *rubricv1.ListRubricChangesRequest) (*rubricv1.ListRubricChangesResponse, error) {
	parent := req.GetParent()
	query := parent + "/changes"
	before, err := paging.Number(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	changes, err := s.store.Drafts.Changes(ctx, parent, before, size+1)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 && before == 0 {
		return nil, apierr.NotFound(parent)
	}
	resp := &rubricv1.ListRubricChangesResponse{}
	if len(changes) > size {
		changes = changes[:size]
		resp.NextPageToken = paging.Token(strconv.FormatInt(changes[size-1].Version, 10), query)
	}
	for i := range changes {
		resp.Changes = append(resp.Changes, changeToProto(&changes[i]))
	}
	return resp, nil
}
