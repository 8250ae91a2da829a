package feedback

import (
	"math"
	"strings"
	"testing"
	"time"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A hand-computed example. Hire stage (of the complete loops): women 6 of
// 20 (0.30), men 15 of 30 (0.50, the highest), non-binary 1 of 4
// (suppressed: cells of 1 and 3). Impact ratio of women 0.30 / 0.50 = 0.6,
// under four-fifths; Fisher's exact test of [[6, 14], [15, 15]] gives
// p = 0.2428 (exact rational arithmetic). Loop stage (of the interviewed):
// women 20 of 25 (0.8), men 30 of 35 (0.857), non-binary 4 of 6
// (suppressed); ratio 0.9333, not under; p of [[20, 5], [30, 5]] = 0.7277.
// Three candidates gave no answer.
func TestAdverseImpactByHand(t *testing.T) {
	var cands []impactCandidate
	add := func(answer string, n int, c impactCandidate) {
		for range n {
			c.Answer = answer
			cands = append(cands, c)
		}
	}
	hired := impactCandidate{Interviewed: true, LoopComplete: true, Hired: true, Ratings: map[string][]float64{"craft": {4, 3}}}
	complete := impactCandidate{Interviewed: true, LoopComplete: true, Ratings: map[string][]float64{"craft": {2}}}
	pending := impactCandidate{Interviewed: true}
	add("woman", 6, hired)
	add("woman", 14, complete)
	add("woman", 5, pending)
	add("man", 15, hired)
	add("man", 15, complete)
	add("man", 5, pending)
	add("non-binary", 1, hired)
	add("non-binary", 3, complete)
	add("non-binary", 2, pending)
	add("", 3, complete)
	cat := withPreferNotToSay(DefaultSelfIDCategories)[0]
	rep := buildAdverseImpact("ic", cat, cands, []string{"craft"}, time.Now())

	if rep.GetCandidates() != 69 || rep.GetUnanswered() != 3 || rep.GetMinCell() != 5 || !strings.Contains(rep.GetBasis(), "four-fifths") {
		t.Fatalf("report: %d candidates, %d unanswered, min cell %d", rep.GetCandidates(), rep.GetUnanswered(), rep.GetMinCell())
	}
	type want struct {
		candidates, selected int32
		rate, ratio, p       float64
		highest, below, supp bool
	}
	check := func(stage string, got []*feedbackv1.AdverseImpactGroup, wants map[string]want) {
		t.Helper()
		if len(got) != len(wants) {
			t.Fatalf("%s: %d groups, want %d (only answers given)", stage, len(got), len(wants))
		}
		for _, g := range got {
			w := wants[g.GetAnswer().GetId()]
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-4 }
			if g.GetSuppressed() != w.supp || g.GetCandidates() != w.candidates || g.GetSelected() != w.selected ||
				!near(g.GetSelectionRate(), w.rate) || !near(g.GetImpactRatio(), w.ratio) || !near(g.GetFisherP(), w.p) ||
				g.GetHighest() != w.highest || g.GetBelowFourFifths() != w.below {
				t.Errorf("%s, %s: %v, want %+v", stage, g.GetAnswer().GetId(), g, w)
			}
		}
	}
	loop, hire := rep.GetStages()[0], rep.GetStages()[1]
	check(loop.GetStage(), loop.GetGroups(), map[string]want{
		"woman":      {25, 20, 0.8, 0.8 / (30.0 / 35), 0.7276578, false, false, false},
		"man":        {35, 30, 30.0 / 35, 1, 1, true, false, false},
		"non-binary": {supp: true},
	})
	check(hire.GetStage(), hire.GetGroups(), map[string]want{
		"woman":      {20, 6, 0.3, 0.6, 0.2428134, false, true, false},
		"man":        {30, 15, 0.5, 1, 1, true, false, false},
		"non-binary": {supp: true},
	})
	// Means: women (20 rated) (6×(4+3) + 14×2) / (12 + 14) = 70/26;
	// non-binary's 4 rated candidates are under the minimum.
	for _, m := range rep.GetCompetencies()[0].GetGroups() {
		switch m.GetAnswer().GetId() {
		case "woman":
			if m.GetSuppressed() || m.GetRatings() != 26 || math.Abs(m.GetMean()-70.0/26) > 1e-9 {
				t.Errorf("women's craft mean: %v, want 70/26 over 26 ratings", m)
			}
		case "non-binary":
			if !m.GetSuppressed() || m.GetMean() != 0 || m.GetRatings() != 0 {
				t.Errorf("non-binary's craft mean: %v, want suppressed, empty", m)
			}
		}
	}
}
