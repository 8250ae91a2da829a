package feedback

import (
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Rules says who may call each RPC of the feedback service. Candidates are
// the recruiters' (and admins'); interviewers reach the candidates they
// interview, and the object-level rules (visibility.go) decide what of them
// they see. Engineers without a hiring role see nothing here.
func Rules() map[string][]principal.Role {
	hiring := auth.Only(principal.Recruiter, principal.Admin)
	panel := auth.Only(principal.Recruiter, principal.Admin, principal.Interviewer)
	admin := auth.Only(principal.Admin)
	return map[string][]principal.Role{
		feedbackv1.FeedbackService_CreateCandidate_FullMethodName:    hiring,
		feedbackv1.FeedbackService_ListCandidates_FullMethodName:     hiring,
		feedbackv1.FeedbackService_UpdateCandidate_FullMethodName:    hiring,
		feedbackv1.FeedbackService_DeleteCandidate_FullMethodName:    hiring,
		feedbackv1.FeedbackService_CreateInterview_FullMethodName:    hiring,
		feedbackv1.FeedbackService_ImportCandidates_FullMethodName:   hiring,
		feedbackv1.FeedbackService_LookupCandidate_FullMethodName:    hiring,
		feedbackv1.FeedbackService_CompareCandidates_FullMethodName:  hiring,
		feedbackv1.FeedbackService_ComputeCalibration_FullMethodName: hiring,
		feedbackv1.FeedbackService_GetRoleCalibration_FullMethodName: hiring,
		// Roles are the hiring team's to define; the panel reads them.
		feedbackv1.FeedbackService_CreateRole_FullMethodName: hiring,
		feedbackv1.FeedbackService_UpdateRole_FullMethodName: hiring,
		feedbackv1.FeedbackService_DeleteRole_FullMethodName: hiring,
		// Webhooks are the organisation's wiring: admins'.
		feedbackv1.FeedbackService_CreateWebhook_FullMethodName:            admin,
		feedbackv1.FeedbackService_GetWebhook_FullMethodName:               admin,
		feedbackv1.FeedbackService_ListWebhooks_FullMethodName:             admin,
		feedbackv1.FeedbackService_UpdateWebhook_FullMethodName:            admin,
		feedbackv1.FeedbackService_DeleteWebhook_FullMethodName:            admin,
		feedbackv1.FeedbackService_RotateWebhookSecret_FullMethodName:      admin,
		feedbackv1.FeedbackService_ListWebhookDeliveries_FullMethodName:    admin,
		feedbackv1.FeedbackService_RedeliverWebhookDelivery_FullMethodName: admin,
		// Compliance reads roles to pick one for the adverse-impact report.
		feedbackv1.FeedbackService_GetRole_FullMethodName:   auth.Only(principal.Recruiter, principal.Admin, principal.Interviewer, principal.Compliance),
		feedbackv1.FeedbackService_ListRoles_FullMethodName: auth.Only(principal.Recruiter, principal.Admin, principal.Interviewer, principal.Compliance),
		// An interviewer's own standing: the handler lets interviewers read
		// their own only.
		feedbackv1.FeedbackService_GetUserCalibration_FullMethodName:   panel,
		feedbackv1.FeedbackService_GetCandidate_FullMethodName:         panel,
		feedbackv1.FeedbackService_GetInterview_FullMethodName:         panel,
		feedbackv1.FeedbackService_ListInterviews_FullMethodName:       panel,
		feedbackv1.FeedbackService_SummarizeCandidate_FullMethodName:   panel,
		feedbackv1.FeedbackService_GetScorecard_FullMethodName:         panel,
		feedbackv1.FeedbackService_UpdateScorecard_FullMethodName:      panel,
		feedbackv1.FeedbackService_SubmitScorecard_FullMethodName:      panel,
		feedbackv1.FeedbackService_AmendScorecard_FullMethodName:       panel,
		feedbackv1.FeedbackService_ListScorecardChanges_FullMethodName: panel,
		// Decisions: the handler lets recruiters and the role's hiring team
		// (whatever their other roles) decide, and admins read too.
		feedbackv1.FeedbackService_GetDecision_FullMethodName:    panel,
		feedbackv1.FeedbackService_UpdateDecision_FullMethodName: panel,
		// Self-identification: recruiters record it and cannot read it
		// back; only compliance reads it, and the report built on it.
		feedbackv1.FeedbackService_RecordSelfIdentification_FullMethodName:         auth.Only(principal.Recruiter),
		feedbackv1.FeedbackService_GetSelfIdentification_FullMethodName:            auth.Only(principal.Compliance),
		feedbackv1.FeedbackService_ComputeAdverseImpact_FullMethodName:             auth.Only(principal.Compliance),
		feedbackv1.FeedbackService_ListSelfIdentificationCategories_FullMethodName: auth.Only(principal.Recruiter, principal.Compliance),
		// The closed loop joins interview scores with people's
		// assessments: admins only.
		feedbackv1.FeedbackService_ComputeClosedLoop_FullMethodName: admin,
		// Everyone's own reminder settings: the handler lets a person reach
		// their own only, and admins anyone's.
		feedbackv1.FeedbackService_GetReminderSettings_FullMethodName:    auth.Everyone(),
		feedbackv1.FeedbackService_UpdateReminderSettings_FullMethodName: auth.Everyone(),
	}
}
