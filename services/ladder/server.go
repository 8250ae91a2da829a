// Package ladder is the ladder service: career frameworks with their tracks,
// levels, competencies and expectations, edited as drafts and published as
// immutable revisions.
package ladder

import (
	"context"
	"errors"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Server implements the LadderService gRPC API.
type Server struct {
	ladderv1.UnsafeLadderServiceServer
	store *Store
}

var _ ladderv1.LadderServiceServer = (*Server)(nil)

// New returns a server over an initialised store.
func New(store *Store) *Server {
	return &Server{store: store}
}

// latestRevision is the revision ID alias for the newest published revision.
const latestRevision = "latest"

// splitName splits `frameworks/{id}[@{revision}]` into the draft's name and
// the revision ID (empty for the draft). The names it gets were checked by
// their requests' protovalidate rules.
func splitName(name string) (draftName, revisionID string) {
	draftName, revisionID, _ = strings.Cut(name, "@")
	return draftName, revisionID
}

// read returns a framework or revision by name, as a message and as content.
// Drafts are for admins: anyone else naming a draft reads its latest
// published revision, and a framework never published does not exist for them.
func (s *Server) read(ctx context.Context, name string) (*ladderv1.Framework, content, error) {
	draftName, revisionID := splitName(name)
	if revisionID == "" && !principal.Has(ctx, principal.Admin) {
		revisionID = latestRevision
	}
	if revisionID == "" {
		doc, err := s.store.drafts.Get(ctx, draftName)
		if err != nil {
			return nil, content{}, err
		}
		return draftToProto(doc), doc.Data.Content, nil
	}
	if revisionID == latestRevision {
		doc, err := s.store.drafts.Get(ctx, draftName)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && doc.Data.LatestRevision == "") {
			// The same answer whether the draft is missing or unpublished.
			return nil, content{}, apierr.NotFound(name)
		}
		if err != nil {
			return nil, content{}, err
		}
		revisionID = doc.Data.LatestRevision
	}
	r, err := s.store.revision(ctx, draftName+"@"+revisionID)
	if err != nil {
		return nil, content{}, err
	}
	return revisionToProto(r), r.Content, nil
}

// checkETagFormat checks a request's etag before anything is read: present
// when required, and one that the server could have made.
func checkETagFormat(etag, field string, required bool) error {
	if etag == "" {
		if required {
			return apierr.Invalid(field, "required: send the etag of the version you are changing")
		}
		return nil
	}
	if _, ok := versioned.ParseETag(etag); !ok {
		return apierr.Invalid(field, "malformed etag %q", etag)
	}
	return nil
}

// applyDraft changes an existing draft. The edit function runs only when the
// draft exists and, if the request named an etag, is still at that version.
func (s *Server) applyDraft(ctx context.Context, name, etag string, edit func(cur *versioned.Doc[draft]) (versioned.Edit[draft], error)) (*versioned.Doc[draft], error) {
	return s.store.drafts.Apply(ctx, name, principal.Subject(ctx), func(cur *versioned.Doc[draft]) (versioned.Edit[draft], error) {
		if !cur.Live() {
			return versioned.Edit[draft]{}, apierr.NotFound(name)
		}
		if etag != "" && etag != cur.ETag() {
			return versioned.Edit[draft]{}, apierr.Conflict("%s changed since etag %q (current etag %q)", name, etag, cur.ETag())
		}
		return edit(cur)
	})
}
