// Package ladder is the ladder service: career frameworks with their tracks,
// levels, competencies and expectations, edited as drafts and published as
// immutable revisions.
package ladder

import (
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Server implements the LadderService gRPC API. It embeds the Unsafe
// interface, not the Unimplemented struct: an RPC added to the proto and
// not implemented here fails to compile.
type Server struct {
	ladderv1.UnsafeLadderServiceServer
	store       *Store
	users       *Users
	assessments *Assessments
	// revisions serves GetFrameworkRevision from memory: revisions are
	// immutable, and every page a person reads names one.
	revisions *publishing.Served[content, *ladderv1.FrameworkRevision]
}

var _ ladderv1.LadderServiceServer = (*Server)(nil)

// New returns a server over an initialised store of frameworks and an
// initialised directory (InitUsers).
func New(store *Store, users *Users, opts ...Option) *Server {
	o := options{revisionBytes: publishing.DefaultServedBytes}
	for _, opt := range opts {
		opt(&o)
	}
	return &Server{store: store, users: users, assessments: o.assessments, revisions: publishing.NewServed(store, o.revisionBytes, revisionToProto)}
}

// Option changes a server's defaults.
type Option func(*options)

type options struct {
	revisionBytes int
	assessments   *Assessments
}

// WithAssessments serves engineers' assessments (growth.go) from a; a
// server without them (the seed's, in-process readers') refuses those
// calls.
func WithAssessments(a *Assessments) Option { return func(o *options) { o.assessments = a } }

// WithRevisionCache keeps up to bytes of published revisions in memory
// (publishing.DefaultServedBytes by default; 0 keeps none).
func WithRevisionCache(bytes int) Option { return func(o *options) { o.revisionBytes = bytes } }
