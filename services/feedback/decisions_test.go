package feedback_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A hiring decision on record: who may make and read it, what it must
// say before and after the loop is complete, and its amendments.
func TestHiringDecision(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	const hank = "users/hank" // the role's hiring manager, on no panel
	if _, err := e.recruiter.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "ic", Role: &feedbackv1.Role{
		Title: "Engineer", HiringTeam: []string{hank},
		InterviewPlan: []*feedbackv1.PlannedInterview{{Title: "Coding", Rubric: "rubrics/coding"}},
	}}); err != nil {
		t.Fatal(err)
	}
	c, ivs := e.candidate(t, "ada", ivan, ines)
	name := c.GetName() + "/decision"
	ivanCard := e.fill(t, ivan, ivs[0], 4, 3, true)
	inesDraft := e.fill(t, ines, ivs[1], 2, 3, false) // Ines has not submitted yet
	decide := func(who feedbackv1.FeedbackServiceClient, d *feedbackv1.Decision, reason string) (*feedbackv1.Decision, error) {
		d.Name = name
		return who.UpdateDecision(ctx, &feedbackv1.UpdateDecisionRequest{Decision: d, AllowMissing: true, Reason: reason})
	}
	hire := func() *feedbackv1.Decision {
		return &feedbackv1.Decision{Outcome: feedbackv1.Decision_OUTCOME_HIRE, Level: "l2",
			Rationale: "Designed the limiter with clear trade-offs.", CitedScorecards: []string{ivanCard.GetName()}, CitedCompetencies: []string{"craft"}}
	}

	// Before the loop is complete: only with a reason.
	_, err := decide(e.recruiter, hire(), "")
	wantCode(t, err, codes.InvalidArgument, "decision.early_reason")
	noLevel := hire()
	noLevel.Level = ""
	_, err = decide(e.recruiter, noLevel, "")
	wantCode(t, err, codes.InvalidArgument, "decision.level")
	unsubmitted := hire()
	unsubmitted.CitedScorecards = []string{ivs[1].GetName() + "/scorecard"}
	unsubmitted.EarlyReason = "The offer window closes today."
	_, err = decide(e.recruiter, unsubmitted, "")
	wantCode(t, err, codes.InvalidArgument, "decision.cited_scorecards")
	unknown := hire()
	unknown.CitedCompetencies = []string{"charm"}
	unknown.EarlyReason = "The offer window closes today."
	_, err = decide(e.recruiter, unknown, "")
	wantCode(t, err, codes.InvalidArgument, "decision.cited_competencies")

	// Ines is on the panel and has not submitted: the decision is hidden
	// from her, whatever else she is; so is making one.
	inesAsTeam := e.FeedbackAs(ines, principal.Interviewer, principal.Recruiter)
	early := hire()
	early.EarlyReason = "The offer window closes today."
	_, err = decide(inesAsTeam, early, "")
	wantCode(t, err, codes.NotFound, "")

	// The hiring manager decides early, with the reason.
	manager := e.FeedbackAs(hank, principal.Interviewer)
	first, err := decide(manager, early, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.GetLoopComplete() || first.GetDecider() != hank || first.GetEtag() == "" || first.GetDecideTime() == nil {
		t.Errorf("decision = %v, want hank's, before the loop completed, with an etag and a time", first)
	}
	for who, client := range map[string]feedbackv1.FeedbackServiceClient{
		"ines, blind": e.as(ines), "ivan, on the panel but not the team": e.as(ivan), "another interviewer": e.as(omar),
	} {
		_, err := client.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: name})
		t.Run(who, func(t *testing.T) { wantCode(t, err, codes.NotFound, "") })
	}
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	if got, err := admin.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: name}); err != nil || got.GetRationale() != early.GetRationale() {
		t.Errorf("GetDecision as an admin = %v, %v", got, err)
	}
	_, err = decide(admin, hire(), "Overruled.")
	wantCode(t, err, codes.PermissionDenied, "")

	// Changing it: the etag, and a reason.
	if _, err := e.as(ines).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: inesDraft.GetName(), Etag: inesDraft.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	change := &feedbackv1.Decision{Outcome: feedbackv1.Decision_OUTCOME_HOLD, Rationale: "Ines found gaps in testing; a second coding interview.",
		CitedScorecards: []string{ivanCard.GetName(), ivs[1].GetName() + "/scorecard"}}
	_, err = decide(e.recruiter, change, "Ines submitted.")
	wantCode(t, err, codes.InvalidArgument, "decision.etag")
	change.Etag = first.GetEtag()
	_, err = decide(e.recruiter, change, "")
	wantCode(t, err, codes.InvalidArgument, "reason")
	change.EarlyReason = "Still early."
	_, err = decide(e.recruiter, change, "Ines submitted.")
	wantCode(t, err, codes.InvalidArgument, "decision.early_reason")
	change.EarlyReason = ""
	second, err := decide(e.recruiter, change, "Ines submitted.")
	if err != nil {
		t.Fatal(err)
	}
	if !second.GetLoopComplete() || second.GetOutcome() != feedbackv1.Decision_OUTCOME_HOLD || len(second.GetAmendments()) != 1 {
		t.Fatalf("amended decision = %v, want a hold on the complete loop with one amendment", second)
	}
	if a := second.GetAmendments()[0]; a.GetReason() != "Ines submitted." || a.GetActor() != rita || a.GetBefore().GetOutcome() != feedbackv1.Decision_OUTCOME_HIRE || a.GetBefore().GetDecider() != hank {
		t.Errorf("amendment = %v, want Rita's, with Hank's hire before it", a)
	}
	// Now Ines has submitted, and as a recruiter she reads it.
	if _, err := inesAsTeam.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: name}); err != nil {
		t.Errorf("GetDecision as Ines, submitted, a recruiter: %v", err)
	}
	change.Etag = first.GetEtag() // stale
	_, err = decide(e.recruiter, change, "Again.")
	wantCode(t, err, codes.Aborted, "")

	// A candidate no one decided about, and one that does not exist.
	other, _ := e.candidate(t, "grace", ivan)
	_, err = e.recruiter.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: other.GetName() + "/decision"})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.recruiter.UpdateDecision(ctx, &feedbackv1.UpdateDecisionRequest{Decision: &feedbackv1.Decision{Name: "candidates/nobody/decision",
		Outcome: feedbackv1.Decision_OUTCOME_NO_HIRE, Rationale: "x"}, AllowMissing: true})
	wantCode(t, err, codes.NotFound, "")
}
