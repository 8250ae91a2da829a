// Package rubric is the rubric service: interview rubrics with a
// behavioural anchor for every point of the scale, edited as drafts,
// published as immutable revisions, and derivable from a ladder level.
package rubric

import (
	"context"

	"google.golang.org/grpc"

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
func New(store *Store, ladder FrameworkReader) *Server {
	return &Server{store: store, ladder: ladder}
}
