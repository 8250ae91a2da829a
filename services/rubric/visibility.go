package rubric

import (
	"context"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Who may see what of a rubric is decided here, and every read path (Get,
// List, ListRevisions) goes through it:
//   - admins see the draft, published or not;
//   - everyone else sees the snapshot of the latest published revision, and a
//     rubric never published does not exist for them (NOT_FOUND, the same
//     answer as for a name that was never used);
//   - published revisions are for everyone, by name, even after the rubric's
//     draft was deleted (scorecards keep pointing at them), read through
//     publishing.Store.Revision (`latest` only of a live rubric);
//   - change histories are for admins (an RPC rule, see rules.go).

// rubricView is what the caller may see of a rubric.
type rubricView struct {
	message *rubricv1.Rubric
	content content
}

// viewRubric returns what the caller may see of a live draft.
func (s *Server) viewRubric(ctx context.Context, doc *versioned.Doc[draft]) (*rubricView, error) {
	if principal.Has(ctx, principal.Admin) {
		m, err := s.adminDraft(ctx, doc)
		if err != nil {
			return nil, err
		}
		return &rubricView{message: m, content: doc.Data.Content}, nil
	}
	r, err := s.store.LatestOf(ctx, doc)
	if err != nil {
		return nil, err
	}
	return &rubricView{message: latestSnapshot(r), content: r.Content}, nil
}

// readRubric reads a rubric as the caller may see it.
func (s *Server) readRubric(ctx context.Context, name string) (*rubricView, error) {
	doc, err := s.store.Drafts.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.viewRubric(ctx, doc)
}

// adminDraft is the draft as admins read it, with its last change: a draft
// written before drafts kept it has its change record read instead.
func (s *Server) adminDraft(ctx context.Context, doc *versioned.Doc[draft]) (*rubricv1.Rubric, error) {
	m := draftToProto(doc)
	if m.LastChange != nil {
		return m, nil
	}
	c, err := s.store.LastChange(ctx, doc)
	if err != nil {
		return nil, err
	}
	if c != nil {
		m.LastChange = changeToProto(c)
	}
	return m, nil
}
