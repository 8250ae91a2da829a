// Package rubric is the rubric service: interview rubrics with a
// behavioural anchor for every point of the scale, edited as drafts,
// published as immutable revisions, and derivable from a ladder level.
package rubric

import (
	"context"

	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/publishing"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Server implements the RubricService gRPC API. It embeds the Unsafe
// interface, not the Unimplemented struct: an RPC added to the proto and
// not implemented here fails to compile.
type Server struct {
	rubricv1.UnsafeRubricServiceServer
	store  *Store
	ladder FrameworkReader
	// revisions serves GetRubricRevision from memory: revisions are
	// immutable, and every scorecard names one.
	revisions *publishing.Served[content, *rubricv1.RubricRevision]
}

var _ rubricv1.RubricServiceServer = (*Server)(nil)

// FrameworkReader is what the rubric service needs of the ladder service:
// reading a published framework revision. A ladderv1.LadderServiceClient
// (with auth.ForwardCredentials, so that the caller's rights apply) is one.
type FrameworkReader interface {
	GetFrameworkRevision(ctx context.Context, in *ladderv1.GetFrameworkRevisionRequest, opts ...grpc.CallOption) (*ladderv1.FrameworkRevision, error)
}

// New returns a server over an initialised store, reading frameworks
// through ladder.
func New(store *Store, ladder FrameworkReader, opts ...Option) *Server {
	o := options{revisionBytes: publishing.DefaultServedBytes}
	for _, opt := range opts {
		opt(&o)
	}
	return &Server{store: store, ladder: ladder, revisions: publishing.NewServed(store, o.revisionBytes, revisionToProto)}
}

// Option changes a server's defaults.
type Option func(*options)

type options struct{ revisionBytes int }

// WithRevisionCache keeps up to bytes of published revisions in memory
// (publishing.DefaultServedBytes by default; 0 keeps none).
func WithRevisionCache(bytes int) Option { return func(o *options) { o.revisionBytes = bytes } }
