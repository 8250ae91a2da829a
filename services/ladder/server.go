// Package ladder is the ladder service: career frameworks with their tracks,
// levels, competencies and expectations, edited as drafts and published as
// immutable revisions.
package ladder

import (
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Server implements the LadderService gRPC API. It embeds the Unsafe
// interface, not the Unimplemented struct: an RPC added to the proto and
// not implemented here fails to compile.
type Server struct {
	ladderv1.UnsafeLadderServiceServer
	store *Store
	users *Users
}

var _ ladderv1.LadderServiceServer = (*Server)(nil)

// New returns a server over an initialised store of frameworks and an
// initialised directory (InitUsers).
func New(store *Store, users *Users) *Server {
	return &Server{store: store, users: users}
}
