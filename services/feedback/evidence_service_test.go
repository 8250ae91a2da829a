package feedback_test

import (
	"context"
	"testing"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The evidence checks through the API: on the author's draft as it is
// saved and read, never on a submitted scorecard or for anyone else, and
// counted per interviewer in the calibration report; the deployment's own
// list of words replaces the built-in one.
func TestEvidenceWarnings(t *testing.T) {
	ctx := context.Background()
	e := startWith(t, testenv.Options{Settings: services.Settings{NotJobRelated: []string{"golf"}}})
	_, ivs := e.candidate(t, "ada", ivan)
	craft, impact := int32(4), int32(3)
	draft := &feedbackv1.Scorecard{Name: ivs[0].GetName() + "/scorecard", Recommendation: feedbackv1.Recommendation_RECOMMENDATION_YES, Ratings: []*feedbackv1.Rating{
		{Competency: "craft", Score: &craft, Evidence: "Brilliant, very smart; plays golf."},
		{Competency: "impact", Score: &impact, Evidence: "Led the migration of 3 services, planned the rollback and ran it twice in staging first."},
	}}
	saved, err := e.as(ivan).UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: draft})
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(sc *feedbackv1.Scorecard, competency string) []feedbackv1.EvidenceWarning_Kind {
		var out []feedbackv1.EvidenceWarning_Kind
		for _, r := range sc.GetRatings() {
			if r.GetCompetency() == competency {
				for _, w := range r.GetEvidenceWarnings() {
					out = append(out, w.GetKind())
				}
			}
		}
		return out
	}
	want := []feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_TOO_SHORT, feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR,
		feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED}
	if got := kinds(saved, "craft"); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("craft's warnings on save = %v, want %v (a 4 of 4 in four words, opinions, golf)", got, want)
	}
	if got := kinds(saved, "impact"); len(got) != 0 {
		t.Errorf("impact's warnings = %v, want none", got)
	}
	read, err := e.as(ivan).GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: saved.GetName()})
	if err != nil || len(kinds(read, "craft")) != 3 {
		t.Errorf("GetScorecard as the author: warnings %v, %v; want the same three", kinds(read, "craft"), err)
	}
	submitted, err := e.as(ivan).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: saved.GetName(), Etag: saved.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(submitted, "craft"); len(got) != 0 {
		t.Errorf("a submitted scorecard carries warnings %v", got)
	}
	byRecruiter, err := e.recruiter.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: saved.GetName()})
	if err != nil || len(kinds(byRecruiter, "craft")) != 0 {
		t.Errorf("the recruiter's read: warnings %v, %v; want none", kinds(byRecruiter, "craft"), err)
	}

	rep, err := e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.GetInterviewers() {
		if row.GetInterviewer() != ivan {
			continue
		}
		counts := map[feedbackv1.EvidenceWarning_Kind]int32{}
		for _, c := range row.GetEvidenceWarnings() {
			counts[c.GetKind()] = c.GetCount()
		}
		if row.GetAssessedRatings() != 2 || counts[want[0]] != 1 || counts[want[1]] != 1 || counts[want[2]] != 1 {
			t.Errorf("ivan's row: %d assessed ratings, warnings %v; want 2, one of each kind", row.GetAssessedRatings(), counts)
		}
		return
	}
	t.Error("the report has no row for ivan")
}
