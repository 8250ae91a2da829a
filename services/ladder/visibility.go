package ladder

import (
	"context"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Who may see what of a framework is decided here, and every read path
// (Get, List, ListRevisions, CompareLevels, Export) goes through it:
//   - admins see the draft, published or not;
//   - everyone else sees the snapshot of the latest published revision, and a
//     framework never published does not exist for them (NOT_FOUND, the same
//     answer as for a name that was never used);
//   - published revisions are for everyone, by name, even after the
//     framework's draft was deleted (rubrics keep pointing at them), read
//     through publishing.Store.Revision (`latest` only of a live framework);
//   - change histories are for admins (an RPC rule, see rules.go).

// frameworkView is what the caller may see of a framework.
type frameworkView struct {
	message *ladderv1.Framework
	content content
	// source names what was read: the draft, or the revision behind a snapshot.
	source string
}

// viewFramework returns what the caller may see of a live draft.
func (s *Server) viewFramework(ctx context.Context, doc *versioned.Doc[draft]) (*frameworkView, error) {
	if principal.Has(ctx, principal.Admin) {
		m, err := s.adminDraft(ctx, doc)
		if err != nil {
			return nil, err
		}
		return &frameworkView{message: m, content: doc.Data.Content, source: doc.Name}, nil
	}
	r, err := s.store.LatestOf(ctx, doc)
	if err != nil {
		return nil, err
	}
	return &frameworkView{message: latestSnapshot(r), content: r.Content, source: r.Name}, nil
}

// readFramework reads a framework as the caller may see it.
func (s *Server) readFramework(ctx context.Context, name string) (*frameworkView, error) {
	doc, err := s.store.Drafts.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.viewFramework(ctx, doc)
}

// readContent reads a framework or a revision, as the caller may see it, and
// returns the name it read with the content. Revisions are for everyone.
func (s *Server) readContent(ctx context.Context, name string) (string, content, error) {
	if _, id := splitName(name); id != "" {
		r, err := s.store.Revision(ctx, name)
		if err != nil {
			return "", content{}, err
		}
		return r.Name, r.Content, nil
	}
	v, err := s.readFramework(ctx, name)
	if err != nil {
		return "", content{}, err
	}
	return v.source, v.content, nil
}

// adminDraft is the draft as admins read it, with its last change: a draft
// written before drafts kept it has its change record read instead.
func (s *Server) adminDraft(ctx context.Context, doc *versioned.Doc[draft]) (*ladderv1.Framework, error) {
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
