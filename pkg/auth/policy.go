package auth

import (
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Who may call what: every RPC of every Yardstick service, and the roles
// allowed to call it. This is the one place the question is answered for a
// whole RPC; the services add object-level checks (for example, only admins
// see drafts). An RPC missing from the table is refused, and a test fails
// for every RPC of the service descriptors that has no entry.
var Rules = map[string][]principal.Role{
	// Reading published ladders is for everyone who works here.
	ladderv1.LadderService_GetFramework_FullMethodName:           everyone,
	ladderv1.LadderService_ListFrameworks_FullMethodName:         everyone,
	ladderv1.LadderService_ListFrameworkRevisions_FullMethodName: everyone,
	ladderv1.LadderService_CompareLevels_FullMethodName:          everyone,
	ladderv1.LadderService_ExportFramework_FullMethodName:        everyone,
	// Maintaining them, and their change history, is for admins.
	ladderv1.LadderService_CreateFramework_FullMethodName:      admins,
	ladderv1.LadderService_UpdateFramework_FullMethodName:      admins,
	ladderv1.LadderService_DeleteFramework_FullMethodName:      admins,
	ladderv1.LadderService_PublishFramework_FullMethodName:     admins,
	ladderv1.LadderService_ImportFramework_FullMethodName:      admins,
	ladderv1.LadderService_ListFrameworkChanges_FullMethodName: admins,
}

var (
	everyone = principal.Roles
	admins   = []principal.Role{principal.Admin}
)

// Public reports whether a method needs no credentials: gRPC health checks
// (probes) and reflection (tooling; it describes the API, not the data).
func Public(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/grpc.health.v1.Health/") ||
		strings.HasPrefix(fullMethod, "/grpc.reflection.")
}
