package ladder

import (
	"context"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// PublishFramework freezes the current draft as the next revision.
func (s *Server) PublishFramework(ctx context.Context, req *ladderv1.PublishFrameworkRequest) (*ladderv1.FrameworkRevision, error) {
	want := versioned.Expect{ETag: req.GetEtag(), RequestID: req.GetRequestId()}
	r, err := s.store.Publish(ctx, req.GetName(), principal.User(ctx), want, publishable)
	if err != nil {
		return nil, err
	}
	return revisionToProto(r), nil
}

// GetFrameworkRevision returns a published revision, from memory once read.
func (s *Server) GetFrameworkRevision(ctx context.Context, req *ladderv1.GetFrameworkRevisionRequest) (*ladderv1.FrameworkRevision, error) {
	return s.revisions.Get(ctx, req.GetName())
}

// publishable says why a framework cannot be published, if it cannot: a
// revision is what engineers and interviewers read, so it must say something.
func publishable(c content) error {
	switch {
	case len(c.Competencies) == 0:
		return apierr.FailedPrecondition("cannot publish a framework without competencies")
	case len(c.Tracks) == 0:
		return apierr.FailedPrecondition("cannot publish a framework without tracks")
	}
	for _, t := range c.Tracks {
		if len(t.Levels) == 0 {
			return apierr.FailedPrecondition("cannot publish: track %q has no levels", t.ID)
		}
	}
	return nil
}

// ListFrameworkRevisions lists a framework's revisions, newest first. The
// draft counts its revisions, so each one is read by its name.
func (s *Server) ListFrameworkRevisions(ctx context.Context, req *ladderv1.ListFrameworkRevisionsRequest) (*ladderv1.ListFrameworkRevisionsResponse, error) {
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
		return nil, apierr.NotFound(parent) // an unpublished framework does not exist for non-admins
	}
	revs, more, err := s.store.Revisions(ctx, doc, before, paging.Size(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &ladderv1.ListFrameworkRevisionsResponse{}
	bytes := 0
	for i, r := range revs {
		m := revisionToProto(r)
		// A page ends early when it would grow past what a client accepts.
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

// ListFrameworkChanges lists a framework's change records, newest first.
// The history outlives a delete: it is the audit trail.
func (s *Server) ListFrameworkChanges(ctx context.Context, req *ladderv1.ListFrameworkChangesRequest) (*ladderv1.ListFrameworkChangesResponse, error) {
	parent := req.GetParent()
	before, err := paging.Number(req.GetPageToken(), parent+"/changes")
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
	resp := &ladderv1.ListFrameworkChangesResponse{}
	if len(changes) > size {
		changes = changes[:size]
		resp.NextPageToken = paging.Token(strconv.FormatInt(changes[size-1].Version, 10), parent+"/changes")
	}
	for i := range changes {
		resp.Changes = append(resp.Changes, changeToProto(&changes[i]))
	}
	return resp, nil
}
