package feedback_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// A person who leaves (deactivated in the directory) is refused from their
// next call on, is not assigned interviews, and their scorecards stay.
func TestDeactivatedInterviewer(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "before", ivan)
	e.fill(t, ivan, ivs[0], 3, 3, true)

	ladder := e.LadderAs(testenv.AdminSubject, principal.Admin)
	if _, err := ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{AllowMissing: true,
		User:       &ladderv1.User{Name: ivan, DisplayName: "Ivan P.", Deactivated: true},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name", "deactivated"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
	wantCode(t, err, codes.Unauthenticated, "")

	c, _ := e.candidate(t, "after")
	_, err = e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(),
		Interview: &feedbackv1.Interview{Interviewer: ivan, Rubric: "rubrics/coding/revisions/1"}})
	wantCode(t, err, codes.InvalidArgument, "interview.interviewer")
	r := push(t, e, &feedbackv1.ImportedCandidate{ExternalId: "app-5", DisplayName: "N", Role: "ic", Level: "l2",
		Interviews: []*feedbackv1.ImportedInterview{{ExternalId: "si", Interviewer: ivan, Rubric: "rubrics/coding/revisions/1",
			ScheduledTime: nil}}})[0]
	wantOutcomes(t, "an import naming him", r, created, failed)

	sc, err := e.recruiter.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: ivs[0].GetName() + "/scorecard"})
	if err != nil || sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
		t.Fatalf("his scorecard after he left: %v, %v", sc, err)
	}
}
