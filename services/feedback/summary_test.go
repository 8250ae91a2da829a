package feedback

import (
	"testing"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

func TestSummarize(t *testing.T) {
	a := &interview{ID: "a", Interviewer: "users/a", Focus: []string{"craft", "impact"}}
	b := &interview{ID: "b", Interviewer: "users/b", Focus: []string{"craft", "people"}}
	cards := []card{
		{a, &scorecard{Ratings: []rating{{Competency: "craft", Score: 4}, {Competency: "impact", Score: 2}}, Recommendation: int32(feedbackv1.Recommendation_RECOMMENDATION_YES)}},
		{b, &scorecard{Ratings: []rating{{Competency: "craft", Score: 1}, {Competency: "people", NotAssessed: true}}, Recommendation: int32(feedbackv1.Recommendation_RECOMMENDATION_NO)}},
	}
	sum := summarize(cards, 2)
	want := []struct {
		competency             string
		mean                   float64
		spread, assessed       int32
		lowCoverage, disagrees bool
	}{
		{"craft", 2.5, 3, 2, false, true},
		{"impact", 2, 0, 1, true, false},
		{"people", 0, 0, 0, true, false}, // only "not assessed": no mean, and flagged
	}
	if len(sum.GetCompetencies()) != len(want) {
		t.Fatalf("summarize() has %d competencies, want %d", len(sum.GetCompetencies()), len(want))
	}
	for i, w := range want {
		got := sum.GetCompetencies()[i]
		if got.GetCompetency() != w.competency || got.GetMean() != w.mean || got.GetSpread() != w.spread ||
			got.GetAssessed() != w.assessed || got.GetLowCoverage() != w.lowCoverage || got.GetDisagreement() != w.disagrees {
			t.Errorf("competency %d = %v, want %+v", i, got, w)
		}
	}
	if sum.GetScorecards() != 2 {
		t.Errorf("scorecards = %d, want 2", sum.GetScorecards())
	}
	counts := map[feedbackv1.Recommendation]int32{}
	for _, r := range sum.GetRecommendations() {
		counts[r.GetRecommendation()] = r.GetCount()
	}
	if counts[feedbackv1.Recommendation_RECOMMENDATION_YES] != 1 || counts[feedbackv1.Recommendation_RECOMMENDATION_NO] != 1 || len(counts) != 4 {
		t.Errorf("recommendations = %v, want one YES, one NO, all four listed", counts)
	}
	if empty := summarize(nil, 2); empty.GetScorecards() != 0 || len(empty.GetCompetencies()) != 0 {
		t.Errorf("summarize(nothing) = %v", empty)
	}
}
