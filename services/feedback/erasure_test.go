package feedback_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Erasure removes a candidate with every interview, scorecard, change
// record, request record and index entry: afterwards every path answers
// NOT_FOUND and no collection holds anything of it.
func TestEraseLeavesNothing(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	cand, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{
		CandidateId: "erin", RequestId: "create-erin",
		Candidate: &feedbackv1.Candidate{DisplayName: "Erin Erasable", Role: "ic", Level: "l2", ExternalId: "ats-erin-77"},
	})
	if err != nil {
		t.Fatal(err)
	}
	iv, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: cand.GetName(), InterviewId: "first", RequestId: "iv-erin",
		Interview: &feedbackv1.Interview{Interviewer: ivan, Rubric: "rubrics/coding/revisions/1"}})
	if err != nil {
		t.Fatal(err)
	}
	draft := e.fill(t, ivan, iv, 3, 3, false)
	if _, err := e.as(ivan).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: draft.GetName(), RequestId: "submit-erin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.as(ivan).AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: draft.GetName(), Reason: "Erin's reason",
		Ratings: []*feedbackv1.Rating{{Competency: "impact", Score: proto.Int32(4)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.recruiter.UpdateDecision(ctx, &feedbackv1.UpdateDecisionRequest{AllowMissing: true, Decision: &feedbackv1.Decision{
		Name: cand.GetName() + "/decision", Outcome: feedbackv1.Decision_OUTCOME_NO_HIRE, Rationale: "Erin's rationale",
		CitedScorecards: []string{draft.GetName()}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.recruiter.RecordSelfIdentification(ctx, &feedbackv1.RecordSelfIdentificationRequest{Name: cand.GetName() + "/selfIdentification",
		Answers: map[string]string{"gender": "self-described"}}); err != nil {
		t.Fatal(err)
	}
	// Another candidate of the same interviewer stays.
	_, keep := e.candidate(t, "kept", ivan)
	e.fill(t, ivan, keep[0], 2, 2, true)

	if _, err := e.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: cand.GetName()}); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"candidate": second(e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: cand.GetName()})),
		"interview": second(e.recruiter.GetInterview(ctx, &feedbackv1.GetInterviewRequest{Name: iv.GetName()})),
		"scorecard": second(e.as(ivan).GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: draft.GetName()})),
		"changes":   second(e.as(ivan).ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: draft.GetName()})),
		"summary":   second(e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: cand.GetName()})),
		"decision":  second(e.recruiter.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: cand.GetName() + "/decision"})),
		"delete":    second(e.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: cand.GetName()})),
	} {
		t.Run(what, func(t *testing.T) { wantCode(t, err, codes.NotFound, "") })
	}
	mine, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
	if err != nil || len(mine.GetInterviews()) != 1 || !strings.HasPrefix(mine.GetInterviews()[0].GetName(), "candidates/kept/") {
		t.Errorf("ivan's interviews after the erasure = %v, %v, want only the kept candidate's", mine, err)
	}

	// Read every collection of the service's database, raw.
	assertNoTrace(t, e, "candidates/erin", "Erin Erasable", "ats-erin-77", "Erin's reason", "Erin's rationale", "create-erin", "submit-erin", "iv-erin")
}

func second[T any](_ T, err error) error { return err }
