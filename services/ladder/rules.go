package ladder

import (
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Rules says who may call each RPC of the ladder service: full method name →
// the roles allowed. It answers the question for a whole RPC; the handlers
// add the object-level check (only admins see drafts: visibility.go). Every RPC
// the service serves needs an entry: one without is refused for everyone,
// and the rule-coverage tests fail.
func Rules() map[string][]principal.Role {
	// The directory: everyone reads it and keeps their own entry; the
	// identity provider's provisioning client (SCIM) keeps all of it.
	directory := append(auth.Everyone(), principal.Provisioner)
	return map[string][]principal.Role{
		// Reading published ladders is for everyone who works here.
		ladderv1.LadderService_GetFramework_FullMethodName:           auth.Everyone(),
		ladderv1.LadderService_ListFrameworks_FullMethodName:         auth.Everyone(),
		ladderv1.LadderService_GetFrameworkRevision_FullMethodName:   auth.Everyone(),
		ladderv1.LadderService_ListFrameworkRevisions_FullMethodName: auth.Everyone(),
		ladderv1.LadderService_CompareLevels_FullMethodName:          auth.Everyone(),
		ladderv1.LadderService_ExportFramework_FullMethodName:        auth.Everyone(),
		// The directory is read by everyone who works here: pages show
		// people by name. Updates are admins', or a person's own name and
		// email (the handler checks which fields).
		ladderv1.LadderService_GetUser_FullMethodName:       directory,
		ladderv1.LadderService_BatchGetUsers_FullMethodName: directory,
		ladderv1.LadderService_ListUsers_FullMethodName:     directory,
		ladderv1.LadderService_UpdateUser_FullMethodName:    directory,
		// Assessments: everyone may call; the handlers let the engineer,
		// their manager and admins in, each to what is theirs (growth.go).
		ladderv1.LadderService_CreateAssessment_FullMethodName: auth.Everyone(),
		ladderv1.LadderService_GetAssessment_FullMethodName:    auth.Everyone(),
		ladderv1.LadderService_ListAssessments_FullMethodName:  auth.Everyone(),
		ladderv1.LadderService_UpdateAssessment_FullMethodName: auth.Everyone(),
		ladderv1.LadderService_SubmitAssessment_FullMethodName: auth.Everyone(),
		ladderv1.LadderService_ReviewAssessment_FullMethodName: auth.Everyone(),
		ladderv1.LadderService_GetGapReport_FullMethodName:     auth.Everyone(),
		// Maintaining them, and their change history, is for admins.
		ladderv1.LadderService_CreateFramework_FullMethodName:      auth.Only(principal.Admin),
		ladderv1.LadderService_UpdateFramework_FullMethodName:      auth.Only(principal.Admin),
		ladderv1.LadderService_DeleteFramework_FullMethodName:      auth.Only(principal.Admin),
		ladderv1.LadderService_PublishFramework_FullMethodName:     auth.Only(principal.Admin),
		ladderv1.LadderService_ImportFramework_FullMethodName:      auth.Only(principal.Admin),
		ladderv1.LadderService_ListFrameworkChanges_FullMethodName: auth.Only(principal.Admin),
	}
}
