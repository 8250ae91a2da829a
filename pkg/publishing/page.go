package publishing

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// MaxPageBytes keeps a page of full resources under gRPC's default 4 MiB
// message limit.
const MaxPageBytes = 3 << 20

// Page is one page of a list of drafts as a caller sees them.
type Page[M proto.Message] struct {
	Items []M
	// Last is the name of the last draft the page covers, for the next
	// page's token; empty when no draft follows.
	Last string
}

// List reads the drafts after the one named after, in name order, that
// where selects in the database, and returns a page of up to size of
// them as view shows them; view returns false for a draft the caller does
// not see or the request filters out. It reads in batches of size+1 until
// the page is full, and ends a page early when it would grow past
// MaxPageBytes. Every service lists its publishable resources this way:
// what the database can filter, it filters (with an index, see
// Options.Indexes); what depends on the caller, view does.
func List[C any, M proto.Message](ctx context.Context, s *Store[C], after string, size int, where bson.D, view func(*versioned.Doc[Draft[C]]) (M, bool, error)) (Page[M], error) {
	var page Page[M]
	bytes := 0
	for {
		docs, err := s.Drafts.List(ctx, after, size+1, where)
		if err != nil {
			return Page[M]{}, err
		}
		for i := range docs {
			if len(page.Items) == size {
				page.Last = after
				return page, nil
			}
			m, ok, err := view(&docs[i])
			if err != nil {
				return Page[M]{}, err
			}
			if ok {
				if len(page.Items) > 0 && bytes+proto.Size(m) > MaxPageBytes {
					page.Last = after
					return page, nil
				}
				bytes += proto.Size(m)
				page.Items = append(page.Items, m)
			}
			after = docs[i].Name
		}
		if len(docs) <= size {
			return page, nil
		}
	}
}
