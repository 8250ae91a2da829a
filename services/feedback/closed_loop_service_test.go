package feedback_test

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The closed loop end to end: hires linked to the people they became,
// each assessed and reviewed on the ladder service, and the report
// appears for a competency only from its minimum n (10).
func TestClosedLoop(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	ladder := e.LadderAs(testenv.AdminSubject, principal.Admin)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	manager := e.LadderAs("users/mgr", principal.Employee)
	hire := func(i int) {
		t.Helper()
		user := fmt.Sprintf("users/h%d", i)
		c, ivs := e.candidate(t, fmt.Sprintf("h%d", i), ivan)
		e.fill(t, ivan, ivs[0], int32(1+i%4), 3, true)
		c, err := e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: c.GetName()}) // the panel changed its etag
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.recruiter.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{Candidate: &feedbackv1.Candidate{
			Name: c.GetName(), Etag: c.GetEtag(), State: feedbackv1.Candidate_STATE_HIRED, HiredUser: user},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"state", "hired_user"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{AllowMissing: true, User: &ladderv1.User{Name: user,
			DisplayName: user, Manager: "users/mgr", Framework: "frameworks/eng", Track: "ic", Level: "l2"}}); err != nil {
			t.Fatal(err)
		}
		me := e.LadderAs(user, principal.Employee)
		a, err := me.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: "first"})
		if err != nil {
			t.Fatal(err)
		}
		// On the job, craft follows the interview's craft score roughly.
		job := []ladderv1.AssessmentEntry_Rating{ladderv1.AssessmentEntry_RATING_NOT_YET, ladderv1.AssessmentEntry_RATING_MEETING,
			ladderv1.AssessmentEntry_RATING_MEETING, ladderv1.AssessmentEntry_RATING_EXCEEDING}[i%4]
		if a, err = me.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag(),
			Entries: []*ladderv1.AssessmentEntry{{Level: "l2", Competency: "craft", Rating: job},
				{Level: "l2", Competency: "impact", Rating: ladderv1.AssessmentEntry_RATING_MEETING}}}}); err != nil {
			t.Fatal(err)
		}
		if a, err = me.SubmitAssessment(ctx, &ladderv1.SubmitAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag()}); err != nil {
			t.Fatal(err)
		}
		if _, err := manager.ReviewAssessment(ctx, &ladderv1.ReviewAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag(), Entries: []*ladderv1.AssessmentEntry{
			{Level: "l2", Competency: "craft", Review: ladderv1.AssessmentEntry_REVIEW_AGREE},
			{Level: "l2", Competency: "impact", Review: ladderv1.AssessmentEntry_REVIEW_AGREE}}}); err != nil {
			t.Fatal(err)
		}
	}
	craftOf := func() *feedbackv1.ClosedLoopCompetency {
		t.Helper()
		rep, err := admin.ComputeClosedLoop(ctx, &feedbackv1.ComputeClosedLoopRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.GetCompetencies() {
			if c.GetCompetency() == "craft" {
				return c
			}
		}
		t.Fatalf("no craft in %v", rep)
		return nil
	}
	for i := range 9 {
		hire(i)
	}
	if c := craftOf(); c.GetN() != 9 || c.GetShown() || c.GetCorrelation() != 0 {
		t.Errorf("craft over 9 hires = %v, want n 9 and nothing shown", c)
	}
	hire(9)
	if c := craftOf(); c.GetN() != 10 || !c.GetShown() || c.GetCorrelation() < 0.8 || c.GetLow() >= c.GetCorrelation() {
		t.Errorf("craft over 10 hires = %v, want shown, strongly positive, with its interval", c)
	}
	_, err := e.recruiter.ComputeClosedLoop(ctx, &feedbackv1.ComputeClosedLoopRequest{})
	wantCode(t, err, codes.PermissionDenied, "")
	// A link is for hires only.
	created, _ := e.candidate(t, "active", ivan)
	c, err := e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: created.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.recruiter.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{Candidate: &feedbackv1.Candidate{Name: c.GetName(), Etag: c.GetEtag(),
		HiredUser: "users/someone"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"hired_user"}}})
	wantCode(t, err, codes.InvalidArgument, "candidate.hired_user")
}
