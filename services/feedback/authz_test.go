package feedback_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// fixture: a candidate whose one interview belongs to the matrix's
// interviewer ("users/interviewer", the subject testenv.RoleMatrix gives
// that role), with a submitted scorecard; and an ID no candidate has.
type fixture struct {
	candidate *feedbackv1.Candidate
	interview *feedbackv1.Interview
	newID     string
}

func (f fixture) scorecard() string { return f.interview.GetName() + "/scorecard" }

// hiring expects code for recruiters and admins; panel also for the
// interviewer of the fixture.
func hiring(code codes.Code) map[principal.Role]codes.Code {
	return map[principal.Role]codes.Code{principal.Recruiter: code, principal.Admin: code}
}

// withCompliance adds the compliance role's expected code.
func withCompliance(want map[principal.Role]codes.Code, code codes.Code) map[principal.Role]codes.Code {
	want[principal.Compliance] = code
	return want
}

func adminOnly(code codes.Code) map[principal.Role]codes.Code {
	return map[principal.Role]codes.Code{principal.Admin: code}
}

func panel(hiringCode, interviewerCode codes.Code) map[principal.Role]codes.Code {
	want := hiring(hiringCode)
	want[principal.Interviewer] = interviewerCode
	return want
}

var matrix = []testenv.MatrixCase[fixture]{
	{RPC: "CreateCandidate", What: "a new candidate", Req: func(f fixture) proto.Message {
		return &feedbackv1.CreateCandidateRequest{CandidateId: f.newID, Candidate: &feedbackv1.Candidate{DisplayName: "N", Role: "ic", Level: "l2"}}
	}, Want: hiring(codes.OK)},
	{RPC: "GetRoleCalibration", What: "a role never calibrated", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetRoleCalibrationRequest{Name: "roles/" + f.newID + "/calibration"}
	}, Want: hiring(codes.NotFound)},
	{RPC: "CreateRole", What: "a new role", Req: func(f fixture) proto.Message {
		return &feedbackv1.CreateRoleRequest{RoleId: f.newID, Role: &feedbackv1.Role{Title: "Backend engineer",
			InterviewPlan: []*feedbackv1.PlannedInterview{{Title: "Coding", Rubric: "rubrics/coding"}}}}
	}, Want: hiring(codes.OK)},
	{RPC: "GetRole", What: "a role nobody defined", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetRoleRequest{Name: "roles/" + f.newID}
	}, Want: withCompliance(panel(codes.NotFound, codes.NotFound), codes.NotFound)},
	{RPC: "ListRoles", What: "the first page", Req: func(fixture) proto.Message {
		return &feedbackv1.ListRolesRequest{}
	}, Want: withCompliance(panel(codes.OK, codes.OK), codes.OK)},
	{RPC: "UpdateRole", What: "a role nobody defined", Req: func(f fixture) proto.Message {
		return &feedbackv1.UpdateRoleRequest{Role: &feedbackv1.Role{Name: "roles/" + f.newID, Etag: "1", Title: "T"}}
	}, Want: hiring(codes.NotFound)},
	{RPC: "DeleteRole", What: "a role nobody defined", Req: func(f fixture) proto.Message {
		return &feedbackv1.DeleteRoleRequest{Name: "roles/" + f.newID}
	}, Want: hiring(codes.NotFound)},
	{RPC: "GetCandidate", What: "the candidate", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetCandidateRequest{Name: f.candidate.GetName()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "ListCandidates", What: "the first page", Req: func(fixture) proto.Message {
		return &feedbackv1.ListCandidatesRequest{}
	}, Want: hiring(codes.OK)},
	{RPC: "UpdateCandidate", What: "the state", Req: func(f fixture) proto.Message {
		return &feedbackv1.UpdateCandidateRequest{Candidate: &feedbackv1.Candidate{Name: f.candidate.GetName(), Etag: f.candidate.GetEtag(), State: feedbackv1.Candidate_STATE_HIRED}}
	}, Want: hiring(codes.Aborted)}, // the fixture's etag moved when the interview was added
	{RPC: "DeleteCandidate", What: "the candidate", Req: func(f fixture) proto.Message {
		return &feedbackv1.DeleteCandidateRequest{Name: f.candidate.GetName()}
	}, Want: hiring(codes.OK)},
	{RPC: "CreateInterview", What: "another interview", Req: func(f fixture) proto.Message {
		return &feedbackv1.CreateInterviewRequest{Parent: f.candidate.GetName(), Interview: &feedbackv1.Interview{Interviewer: "users/x", Rubric: "rubrics/coding/revisions/1"}}
	}, Want: hiring(codes.OK)},
	{RPC: "GetInterview", What: "the interview", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetInterviewRequest{Name: f.interview.GetName()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "ListInterviews", What: "the panel", Req: func(f fixture) proto.Message {
		return &feedbackv1.ListInterviewsRequest{Parent: f.candidate.GetName()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "ListInterviews", What: "my own", Req: func(fixture) proto.Message {
		return &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "GetScorecard", What: "the submitted scorecard", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetScorecardRequest{Name: f.scorecard()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "UpdateScorecard", What: "the submitted scorecard", Req: func(f fixture) proto.Message {
		return &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{Name: f.scorecard(), Etag: "2", NoteToPanel: "x"}}
	}, Want: panel(codes.PermissionDenied, codes.FailedPrecondition)},
	{RPC: "SubmitScorecard", What: "the submitted scorecard", Req: func(f fixture) proto.Message {
		return &feedbackv1.SubmitScorecardRequest{Name: f.scorecard()}
	}, Want: panel(codes.PermissionDenied, codes.FailedPrecondition)},
	{RPC: "AmendScorecard", What: "a rating", Req: func(f fixture) proto.Message {
		return &feedbackv1.AmendScorecardRequest{Name: f.scorecard(), Reason: "r", Ratings: []*feedbackv1.Rating{{Competency: "impact", Score: proto.Int32(1)}}}
	}, Want: panel(codes.PermissionDenied, codes.OK)},
	{RPC: "ListScorecardChanges", What: "the history", Req: func(f fixture) proto.Message {
		return &feedbackv1.ListScorecardChangesRequest{Parent: f.scorecard()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "SummarizeCandidate", What: "the candidate", Req: func(f fixture) proto.Message {
		return &feedbackv1.SummarizeCandidateRequest{Name: f.candidate.GetName()}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "ComputeCalibration", What: "a role", Req: func(fixture) proto.Message {
		return &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}}
	}, Want: hiring(codes.OK)},
	{RPC: "GetUserCalibration", What: "the interviewer's own", Req: func(fixture) proto.Message {
		return &feedbackv1.GetUserCalibrationRequest{Name: "users/interviewer/calibration"}
	}, Want: panel(codes.OK, codes.OK)},
	{RPC: "GetUserCalibration", What: "someone else's", Req: func(fixture) proto.Message {
		return &feedbackv1.GetUserCalibrationRequest{Name: "users/someone-else/calibration"}
	}, Want: panel(codes.OK, codes.PermissionDenied)},
	{RPC: "ImportCandidates", What: "a new candidate from an ATS", Req: func(f fixture) proto.Message {
		return &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: []*feedbackv1.ImportedCandidate{{ExternalId: f.newID, DisplayName: "N", Role: "ic", Level: "l2"}}}
	}, Want: hiring(codes.OK)},
	{RPC: "LookupCandidate", What: "an ID never imported", Req: func(f fixture) proto.Message {
		return &feedbackv1.LookupCandidateRequest{Source: "greenhouse", ExternalId: f.newID}
	}, Want: hiring(codes.NotFound)},
	{RPC: "CreateWebhook", What: "a new webhook", Req: func(f fixture) proto.Message {
		return &feedbackv1.CreateWebhookRequest{WebhookId: f.newID, Webhook: &feedbackv1.Webhook{Url: "https://hooks.example.com/yardstick", EventTypes: []string{"scorecard.submitted"}}}
	}, Want: adminOnly(codes.OK)},
	{RPC: "GetWebhook", What: "a webhook nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetWebhookRequest{Name: "webhooks/" + f.newID}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "ListWebhooks", What: "the first page", Req: func(fixture) proto.Message {
		return &feedbackv1.ListWebhooksRequest{}
	}, Want: adminOnly(codes.OK)},
	{RPC: "UpdateWebhook", What: "a webhook nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.UpdateWebhookRequest{Webhook: &feedbackv1.Webhook{Name: "webhooks/" + f.newID, Etag: "1", Disabled: true}}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "DeleteWebhook", What: "a webhook nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.DeleteWebhookRequest{Name: "webhooks/" + f.newID}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "RotateWebhookSecret", What: "a webhook nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.RotateWebhookSecretRequest{Name: "webhooks/" + f.newID}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "ListWebhookDeliveries", What: "a webhook nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.ListWebhookDeliveriesRequest{Parent: "webhooks/" + f.newID}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "RedeliverWebhookDelivery", What: "a delivery nobody made", Req: func(f fixture) proto.Message {
		return &feedbackv1.RedeliverWebhookDeliveryRequest{Name: "webhooks/" + f.newID + "/deliveries/msg_000000000000000000000000"}
	}, Want: adminOnly(codes.NotFound)},
	{RPC: "CompareCandidates", What: "the candidate", Req: func(f fixture) proto.Message {
		return &feedbackv1.CompareCandidatesRequest{Names: []string{f.candidate.GetName()}}
	}, Want: hiring(codes.OK)},
	// The fixture's interviewer sits on the panel, not on the hiring team;
	// admins read decisions and do not make them.
	{RPC: "GetDecision", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetDecisionRequest{Name: f.candidate.GetName() + "/decision"}
	}, Want: panel(codes.OK, codes.NotFound)},
	{RPC: "UpdateDecision", Req: func(f fixture) proto.Message {
		return &feedbackv1.UpdateDecisionRequest{Reason: "The panel agreed.", Decision: &feedbackv1.Decision{
			Name: f.candidate.GetName() + "/decision", Etag: "1", Outcome: feedbackv1.Decision_OUTCOME_NO_HIRE, Rationale: "Not yet."}}
	}, Want: map[principal.Role]codes.Code{principal.Recruiter: codes.OK, principal.Admin: codes.PermissionDenied, principal.Interviewer: codes.NotFound}},
	// Self-identification: written by recruiters, read by compliance only.
	{RPC: "RecordSelfIdentification", Req: func(f fixture) proto.Message {
		return &feedbackv1.RecordSelfIdentificationRequest{Name: f.candidate.GetName() + "/selfIdentification", Answers: map[string]string{"gender": "woman"}}
	}, Want: map[principal.Role]codes.Code{principal.Recruiter: codes.OK}},
	{RPC: "GetSelfIdentification", Req: func(f fixture) proto.Message {
		return &feedbackv1.GetSelfIdentificationRequest{Name: f.candidate.GetName() + "/selfIdentification"}
	}, Want: map[principal.Role]codes.Code{principal.Compliance: codes.OK}},
	{RPC: "ListSelfIdentificationCategories", Req: func(fixture) proto.Message {
		return &feedbackv1.ListSelfIdentificationCategoriesRequest{}
	}, Want: map[principal.Role]codes.Code{principal.Recruiter: codes.OK, principal.Compliance: codes.OK}},
	{RPC: "ComputeAdverseImpact", Req: func(fixture) proto.Message {
		return &feedbackv1.ComputeAdverseImpactRequest{Role: "ic", Category: "gender"}
	}, Want: map[principal.Role]codes.Code{principal.Compliance: codes.OK}},
	{RPC: "ComputeClosedLoop", Req: func(fixture) proto.Message {
		return &feedbackv1.ComputeClosedLoopRequest{}
	}, Want: adminOnly(codes.OK)},
	{RPC: "GetReminderSettings", What: "the caller's own", Req: func(fixture) proto.Message {
		return &feedbackv1.GetReminderSettingsRequest{Name: "users/me/reminderSettings"}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetReminderSettings", What: "the interviewer's", Req: func(fixture) proto.Message {
		return &feedbackv1.GetReminderSettingsRequest{Name: "users/interviewer/reminderSettings"}
	}, Want: map[principal.Role]codes.Code{principal.Admin: codes.OK, principal.Recruiter: codes.PermissionDenied,
		principal.Interviewer: codes.OK, principal.Employee: codes.PermissionDenied, principal.Compliance: codes.PermissionDenied}},
	{RPC: "UpdateReminderSettings", What: "the caller's own", Req: func(fixture) proto.Message {
		return &feedbackv1.UpdateReminderSettingsRequest{ReminderSettings: &feedbackv1.ReminderSettings{
			Name: "users/me/reminderSettings", EmailReminders: proto.Bool(false)}}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "UpdateReminderSettings", What: "the interviewer's", Req: func(fixture) proto.Message {
		return &feedbackv1.UpdateReminderSettingsRequest{ReminderSettings: &feedbackv1.ReminderSettings{
			Name: "users/interviewer/reminderSettings", EmailReminders: proto.Bool(true)}}
	}, Want: map[principal.Role]codes.Code{principal.Admin: codes.OK, principal.Recruiter: codes.PermissionDenied,
		principal.Interviewer: codes.OK, principal.Employee: codes.PermissionDenied, principal.Compliance: codes.PermissionDenied}},
}

func TestRoleMatrix(t *testing.T) {
	e := start(t)
	service := feedbackv1.File_yardstick_feedback_v1_feedback_service_proto.Services().ByName("FeedbackService")
	var n atomic.Int64
	newFixture := func() fixture {
		c, ivs := e.candidate(t, fmt.Sprintf("m%d", n.Add(1)), "users/interviewer")
		e.fill(t, "users/interviewer", ivs[0], 3, 3, true)
		if _, err := e.recruiter.UpdateDecision(context.Background(), &feedbackv1.UpdateDecisionRequest{AllowMissing: true,
			Decision: &feedbackv1.Decision{Name: c.GetName() + "/decision", Outcome: feedbackv1.Decision_OUTCOME_HOLD, Rationale: "Wait."}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.recruiter.RecordSelfIdentification(context.Background(), &feedbackv1.RecordSelfIdentificationRequest{
			Name: c.GetName() + "/selfIdentification", Answers: map[string]string{"gender": "man"}}); err != nil {
			t.Fatal(err)
		}
		return fixture{candidate: c, interview: ivs[0], newID: fmt.Sprintf("m%d-new", n.Load())}
	}
	testenv.RoleMatrix(t, e.Env, service, feedback.Rules(), matrix, newFixture)
}
