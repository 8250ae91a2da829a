package rubric

import (
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Rules says who may call each RPC of the rubric service: full method name
// → the roles allowed. It answers the question for a whole RPC; the
// handlers add the object-level check (only admins see drafts:
// visibility.go). Every RPC the service serves needs an entry.
func Rules() map[string][]principal.Role {
	return map[string][]principal.Role{
		// Published rubrics are for everyone who interviews or hires (and
		// for engineers, who may read what they will be assessed against).
		rubricv1.RubricService_GetRubric_FullMethodName:           auth.Everyone(),
		rubricv1.RubricService_ListRubrics_FullMethodName:         auth.Everyone(),
		rubricv1.RubricService_GetRubricRevision_FullMethodName:   auth.Everyone(),
		rubricv1.RubricService_ListRubricRevisions_FullMethodName: auth.Everyone(),
		// Maintaining them, and their change history, is for admins.
		rubricv1.RubricService_CreateRubric_FullMethodName:      auth.Only(principal.Admin),
		rubricv1.RubricService_UpdateRubric_FullMethodName:      auth.Only(principal.Admin),
		rubricv1.RubricService_DeleteRubric_FullMethodName:      auth.Only(principal.Admin),
		rubricv1.RubricService_PublishRubric_FullMethodName:     auth.Only(principal.Admin),
		rubricv1.RubricService_DeriveRubric_FullMethodName:      auth.Only(principal.Admin),
		rubricv1.RubricService_RederiveRubric_FullMethodName:    auth.Only(principal.Admin),
		rubricv1.RubricService_ListRubricChanges_FullMethodName: auth.Only(principal.Admin),
	}
}
