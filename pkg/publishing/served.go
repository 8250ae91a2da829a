package publishing

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/lru"
)

// DefaultServedBytes is how much memory a service gives the revisions it
// serves: a few hundred large framework revisions, thousands of rubrics.
const DefaultServedBytes = 32 << 20

// Served keeps published revisions in memory as a service sends them:
// read and converted to the API's message once, then kept by their
// numbered name (least recently used out first, bounded by bytes). A
// numbered revision never changes and outlives its draft, so an entry
// never goes stale; who may read revisions at all is the RPC's rule,
// checked before the handler runs, so an entry serves every caller. The
// `latest` alias moves: every call resolves it with one point read of the
// draft, then serves the revision it names from memory.
type Served[C any, M proto.Message] struct {
	store  *Store[C]
	encode func(*Revision[C]) M
	cache  *lru.Cache[string, M]
}

// NewServed returns revisions of store converted by encode, keeping up to
// maxBytes of encoded messages. The messages are shared between calls:
// nobody may change one.
func NewServed[C any, M proto.Message](store *Store[C], maxBytes int, encode func(*Revision[C]) M) *Served[C, M] {
	return &Served[C, M]{store: store, encode: encode, cache: lru.New[string, M](maxBytes)}
}

// Get returns a revision by its name, as Store.Revision does.
func (s *Served[C, M]) Get(ctx context.Context, name string) (M, error) {
	var zero M
	if parent, id := SplitName(name); id == Latest {
		doc, err := s.store.Drafts.Find(ctx, parent)
		if err != nil {
			return zero, err
		}
		if !doc.Live() || !doc.Data.Published() {
			return zero, apierr.NotFound(name)
		}
		name = LatestRevisionName(parent, &doc.Data)
	}
	if m, ok := s.cache.Get(name); ok {
		return m, nil
	}
	r, err := s.store.Revision(ctx, name)
	if err != nil {
		return zero, err
	}
	m := s.encode(r)
	s.cache.Add(r.Name, m, proto.Size(m))
	return m, nil
}
