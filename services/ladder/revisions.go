package ladder

import (
	"context"
	"errors"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// PublishFramework freezes the current draft as the next revision. The
// revision itself is written by Store.storeRevision, after the change record
// that guards against concurrent publishes.
func (s *Server) PublishFramework(ctx context.Context, req *ladderv1.PublishFrameworkRequest) (*ladderv1.FrameworkRevision, error) {
	want := versioned.Expect{ETag: req.GetEtag(), RequestID: req.GetRequestId()}
	doc, err := s.applyDraft(ctx, req.GetName(), want, func(cur *versioned.Doc[draft]) (versioned.Edit[draft], error) {
		if err := publishable(cur.Data); err != nil {
			return versioned.Edit[draft]{}, err
		}
		d := cur.Data
		d.Revisions++
		d.LatestRevision = strconv.FormatInt(d.Revisions, 10)
		d.PublishTime = time.Now().UTC().Truncate(time.Millisecond)
		d.Unpublished = false
		return versioned.Edit[draft]{Kind: kindPublish, Ref: d.LatestRevision, Data: d}, nil
	})
	if err != nil {
		return nil, err
	}
	r := latestRevisionOf(doc, principal.Subject(ctx))
	return revisionToProto(&r), nil
}

// GetFrameworkRevision returns a published revision.
func (s *Server) GetFrameworkRevision(ctx context.Context, req *ladderv1.GetFrameworkRevisionRequest) (*ladderv1.FrameworkRevision, error) {
	r, err := s.readRevision(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return revisionToProto(r), nil
}

// publishable says why a draft cannot be published, if it cannot: a revision
// is what engineers and interviewers read, so it must say something.
func publishable(d draft) error {
	switch {
	case !d.Unpublished:
		return apierr.FailedPrecondition("nothing to publish: the draft equals revision %s", d.LatestRevision)
	case len(d.Content.Competencies) == 0:
		return apierr.FailedPrecondition("cannot publish a framework without competencies")
	case len(d.Content.Tracks) == 0:
		return apierr.FailedPrecondition("cannot publish a framework without tracks")
	}
	for _, t := range d.Content.Tracks {
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
	before, err := pageNumber(req.GetPageToken(), parent+"/revisions")
	if err != nil {
		return nil, err
	}
	doc, err := s.store.drafts.Get(ctx, parent)
	if err != nil {
		return nil, err
	}
	if doc.Data.LatestRevision == "" && !principal.Has(ctx, principal.Admin) {
		return nil, apierr.NotFound(parent) // an unpublished framework does not exist for non-admins
	}
	size := paging.Size(req.GetPageSize())
	top := doc.Data.Revisions
	if before > 0 && before-1 < top {
		top = before - 1
	}
	resp := &ladderv1.ListFrameworkRevisionsResponse{}
	bytes := 0
	for n := top; n >= 1; n-- {
		if len(resp.Revisions) == size {
			resp.NextPageToken = paging.Token(strconv.FormatInt(n+1, 10), parent+"/revisions")
			break
		}
		r, err := s.store.revision(ctx, revisionName(parent, n))
		if errors.Is(err, apierr.ErrNotFound) {
			continue // never stored: its publish was abandoned
		}
		if err != nil {
			return nil, err
		}
		m := revisionToProto(r)
		if len(resp.Revisions) > 0 && bytes+proto.Size(m) > maxPageBytes {
			resp.NextPageToken = paging.Token(strconv.FormatInt(n+1, 10), parent+"/revisions")
			break
		}
		bytes += proto.Size(m)
		resp.Revisions = append(resp.Revisions, m)
	}
	return resp, nil
}

// ListFrameworkChanges lists a framework's change records, newest first.
// The history outlives a delete: it is the audit trail.
func (s *Server) ListFrameworkChanges(ctx context.Context, req *ladderv1.ListFrameworkChangesRequest) (*ladderv1.ListFrameworkChangesResponse, error) {
	parent := req.GetParent()
	before, err := pageNumber(req.GetPageToken(), parent+"/changes")
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	changes, err := s.store.drafts.Changes(ctx, parent, before, size+1)
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

// pageNumber reads a page token whose key is a number (a revision or version).
func pageNumber(token, query string) (int64, error) {
	key, err := paging.Key(token, query)
	if err != nil || key == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil || n <= 0 {
		return 0, apierr.Invalid("page_token", "malformed page token")
	}
	return n, nil
}
