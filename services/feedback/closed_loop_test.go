package feedback

import (
	"math"
	"testing"
	"time"
)

// The pure part: pairs per competency, shown only from the minimum n, with
// Pearson's r and its interval.
func TestClosedLoopReport(t *testing.T) {
	var hires []closedLoopHire
	// craft: interview means 1..10 against job ratings that rise with
	// them; impact: only four people have both.
	jobs := []float64{1, 1, 2, 1, 2, 2, 3, 2, 3, 3}
	for i := range 10 {
		h := closedLoopHire{interview: map[string]float64{"craft": float64(i + 1)}, job: map[string]float64{"craft": jobs[i]}}
		if i < 4 {
			h.interview["impact"], h.job["impact"] = float64(i), 2
		}
		hires = append(hires, h)
	}
	rep := closedLoopReport(hires, 12, 10, time.Now())
	if rep.GetHiresLinked() != 12 || rep.GetHiresAssessed() != 10 || rep.GetMinN() != 10 || rep.GetCaveats() == "" {
		t.Fatalf("report: %v", rep)
	}
	craft, impact := rep.GetCompetencies()[0], rep.GetCompetencies()[1]
	if craft.GetCompetency() != "craft" || !craft.GetShown() || craft.GetN() != 10 {
		t.Fatalf("craft = %v, want shown over 10", craft)
	}
	// Pearson's r of 1..10 with the jobs above, by hand: Σdxdy = 19,
	// Σdx² = 82.5, Σdy² = 6, r = 19 / √(82.5 · 6) = 0.8539865.
	if math.Abs(craft.GetCorrelation()-0.8539865) > 1e-6 || !(craft.GetLow() < craft.GetCorrelation() && craft.GetCorrelation() < craft.GetHigh()) {
		t.Errorf("craft r = %v [%v, %v], want 0.8539865 inside its interval", craft.GetCorrelation(), craft.GetLow(), craft.GetHigh())
	}
	if impact.GetShown() || impact.GetN() != 4 || impact.GetCorrelation() != 0 || impact.GetLow() != 0 {
		t.Errorf("impact = %v, want n 4, not shown, no figures", impact)
	}
}
