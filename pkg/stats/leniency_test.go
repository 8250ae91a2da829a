package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func fitOrFatal(t testing.TB, ratings []Rating) *LeniencyModel {
	t.Helper()
	m, err := FitLeniency(ratings, LeniencyOptions{})
	if err != nil {
		t.Fatalf("FitLeniency(%d ratings) error: %v", len(ratings), err)
	}
	if !m.Converged {
		t.Fatalf("FitLeniency(%d ratings) did not converge in %d iterations", len(ratings), m.Iterations)
	}
	return m
}

// In a complete, balanced design REML gives the ANOVA estimators of the
// variance components when they are positive (Searle, Casella & McCulloch,
// Variance Components, 1992): σ² = EMS and τ² = (JMS − EMS)/n, and the
// posterior mean of each judge's effect is the judge's deviation from the
// grand mean times nτ²/(nτ² + σ²) = (JMS − EMS)/JMS. Shrout & Fleiss's Table 2
// gives EMS = 1.02 and JMS = 32.49, so σ² ≈ 1.02 and τ² ≈ 5.245.
func TestFitLeniencyBalancedShroutFleiss(t *testing.T) {
	var ratings []Rating
	for i, row := range shroutFleissTable2 {
		for j, v := range row {
			ratings = append(ratings, Rating{
				Candidate:   fmt.Sprintf("target-%d", i+1),
				Interviewer: fmt.Sprintf("judge-%d", j+1),
				Competency:  "overall",
				Score:       v,
			})
		}
	}
	m := fitOrFatal(t, ratings)
	icc, err := ICC(shroutFleissTable2)
	if err != nil {
		t.Fatalf("ICC(Table 2) error: %v", err)
	}
	n, k := 6.0, 4.0
	if math.Abs(m.Sigma2-1.02) > 0.005 || math.Abs(m.Sigma2-icc.EMS) > 1e-6 {
		t.Errorf("FitLeniency(Table 2).Sigma2 = %.6f, want EMS = %.6f (published 1.02)", m.Sigma2, icc.EMS)
	}
	wantTau2 := (icc.JMS - icc.EMS) / n
	if math.Abs(m.Tau2-(32.49-1.02)/n) > 0.005 || math.Abs(m.Tau2-wantTau2) > 1e-6 {
		t.Errorf("FitLeniency(Table 2).Tau2 = %.6f, want (JMS − EMS)/n = %.6f (published 5.245)", m.Tau2, wantTau2)
	}
	shrink := (icc.JMS - icc.EMS) / icc.JMS
	grand := 0.0
	judgeMean := make([]float64, 4)
	for _, row := range shroutFleissTable2 {
		for j, v := range row {
			judgeMean[j] += v / n
			grand += v / (n * k)
		}
	}
	// Var(u_j − ū | y) = τ²σ²/JMS · (1 − 1/k) in this design.
	wantSE := math.Sqrt(wantTau2 * icc.EMS / icc.JMS * (1 - 1/k))
	for j, e := range m.Interviewers {
		wantEffect := shrink * (judgeMean[j] - grand)
		if e.Interviewer != fmt.Sprintf("judge-%d", j+1) || math.Abs(e.Effect-wantEffect) > 1e-6 {
			t.Errorf("FitLeniency(Table 2).Interviewers[%d] = %s %.6f, want judge-%d %.6f", j, e.Interviewer, e.Effect, j+1, wantEffect)
		}
		if math.Abs(e.RawDeviation-(judgeMean[j]-grand)*k/(k-1)) > 1e-9 {
			t.Errorf("FitLeniency(Table 2).Interviewers[%d].RawDeviation = %.6f, want %.6f", j, e.RawDeviation, (judgeMean[j]-grand)*k/(k-1))
		}
		if math.Abs(e.SE-wantSE) > 1e-6 {
			t.Errorf("FitLeniency(Table 2).Interviewers[%d].SE = %.6f, want %.6f", j, e.SE, wantSE)
		}
		if e.N != 6 || math.Abs(e.High-e.Low-2*1.959963984540054*e.SE) > 1e-12 {
			t.Errorf("FitLeniency(Table 2).Interviewers[%d] = %+v, want N 6 and a 95 %% interval", j, e)
		}
	}
	// A calibrated score is the raw score minus the judge's effect.
	got, ok := m.Calibrate(ratings[0])
	if want := ratings[0].Score - m.Interviewers[0].Effect; !ok || got != want {
		t.Errorf("Calibrate(%+v) = %v, %v, want %v, true", ratings[0], got, ok, want)
	}
	if _, ok := m.Effect("judge-9"); ok {
		t.Errorf("Effect(judge-9) found, want not found")
	}
}

// An interviewer who filled in a single, very generous scorecard is not
// branded lenient: one rating is weak evidence against the noise of a single
// score, so the effect is shrunk far below the raw deviation, and its
// interval is wider than that of any interviewer with a track record. The
// panel has leniency SD 0.4 and noise SD 0.8 on a five-point scale.
func TestFitLeniencyShrinksSparseEvidence(t *testing.T) {
	p := simulatePanel(7, panelSpec{candidates: 200, interviewers: 15, competencies: 4, minMeet: 3, maxMeet: 5, tau: 0.4, sigma: 0.8})
	target := p.ratings[0]
	var others []float64
	for _, r := range p.ratings {
		if r.Candidate == target.Candidate && r.Competency == target.Competency {
			others = append(others, r.Score)
		}
	}
	mean0, err := Mean(others)
	if err != nil {
		t.Fatal(err)
	}
	generous := Rating{Candidate: target.Candidate, Interviewer: "newcomer", Competency: target.Competency, Score: mean0 + 3}
	m := fitOrFatal(t, append(p.ratings, generous))
	e, ok := m.Effect("newcomer")
	if !ok {
		t.Fatalf("Effect(newcomer) not found")
	}
	if math.Abs(e.RawDeviation-3) > 1e-9 || e.N != 1 {
		t.Errorf("Effect(newcomer) = %+v, want N 1 and RawDeviation 3", e)
	}
	if e.Effect <= 0 || e.Effect > 0.5*e.RawDeviation {
		t.Errorf("Effect(newcomer).Effect = %.3f, want between 0 and half its raw deviation %.3f", e.Effect, e.RawDeviation)
	}
	for _, v := range m.Interviewers {
		if v.Interviewer != "newcomer" && v.SE >= e.SE {
			t.Errorf("Effect(%s).SE = %.3f over %d ratings, want below the newcomer's %.3f", v.Interviewer, v.SE, v.N, e.SE)
		}
	}
	t.Logf("one rating 3 points above the others: effect %.2f (95%% %.2f to %.2f); σ² = %.3f, τ² = %.3f",
		e.Effect, e.Low, e.High, m.Sigma2, m.Tau2)
}

// Planted leniencies are recovered, and calibrated averages rank candidates
// closer to their true ability than raw averages do.
func TestFitLeniencyRecoversPlantedLeniency(t *testing.T) {
	tests := []struct {
		name    string
		spec    panelSpec
		minCorr float64
	}{
		{"40 candidates", panelSpec{candidates: 40, interviewers: 15, competencies: 4, minMeet: 3, maxMeet: 5, tau: 0.5, sigma: 0.6}, 0.85},
		{"200 candidates", panelSpec{candidates: 200, interviewers: 15, competencies: 4, minMeet: 3, maxMeet: 5, tau: 0.5, sigma: 0.6}, 0.9},
		{"200 candidates, 1–5 scorecards", panelSpec{candidates: 200, interviewers: 20, competencies: 5, minMeet: 3, maxMeet: 5, tau: 0.5, sigma: 0.6, round: true}, 0.9},
		{"1000 candidates", panelSpec{candidates: 1000, interviewers: 30, competencies: 6, minMeet: 3, maxMeet: 5, tau: 0.5, sigma: 0.6}, 0.95},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sumCorr, sumRaw, sumCal float64
			var covered, intervals int
			const seeds = 5
			for seed := uint64(1); seed <= seeds; seed++ {
				p := simulatePanel(seed, tt.spec)
				m := fitOrFatal(t, p.ratings)

				var planted, fitted []float64
				for _, e := range m.Interviewers {
					planted = append(planted, p.leniency[e.Interviewer])
					fitted = append(fitted, e.Effect)
				}
				corr, err := Pearson(planted, fitted)
				if err != nil {
					t.Fatal(err)
				}
				if corr < tt.minCorr {
					t.Errorf("seed %d: Pearson(planted, fitted leniency) = %.3f, want ≥ %.2f", seed, corr, tt.minCorr)
				}
				sumCorr += corr
				// The effects are relative to the pool's average; so is the
				// truth they estimate.
				avg, err := Mean(planted)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range m.Interviewers {
					intervals++
					if truth := p.leniency[e.Interviewer] - avg; e.Low <= truth && truth <= e.High {
						covered++
					}
				}

				var truth, raw, cal []float64
				for _, c := range m.Candidates {
					truth = append(truth, p.ability[c.Candidate])
					raw = append(raw, c.RawMean)
					cal = append(cal, c.CalibratedMean)
				}
				tauRaw, err := KendallTau(truth, raw)
				if err != nil {
					t.Fatal(err)
				}
				tauCal, err := KendallTau(truth, cal)
				if err != nil {
					t.Fatal(err)
				}
				if tauCal <= tauRaw {
					t.Errorf("seed %d: KendallTau(ability, calibrated) = %.3f, want > KendallTau(ability, raw) = %.3f", seed, tauCal, tauRaw)
				}
				sumRaw += tauRaw
				sumCal += tauCal
			}
			coverage := float64(covered) / float64(intervals)
			if coverage < 0.85 {
				t.Errorf("95 %% intervals cover the planted leniency %.0f%% of the time, want ≥ 85%%", 100*coverage)
			}
			t.Logf("%s over %d seeds: mean r(planted, fitted) = %.3f; mean Kendall τ with ability raw %.3f → calibrated %.3f; 95%% interval coverage %.0f%%",
				tt.name, seeds, sumCorr/seeds, sumRaw/seeds, sumCal/seeds, 100*coverage)
		})
	}
}

// The fit does not depend on the order of the ratings.
func TestFitLeniencyDeterministic(t *testing.T) {
	p := simulatePanel(3, panelSpec{candidates: 60, interviewers: 15, competencies: 3, minMeet: 3, maxMeet: 5, tau: 0.5, sigma: 0.6})
	a := fitOrFatal(t, p.ratings)
	shuffled := append([]Rating(nil), p.ratings...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b := fitOrFatal(t, shuffled)
	for i := range a.Interviewers {
		x, y := a.Interviewers[i], b.Interviewers[i]
		if x.Interviewer != y.Interviewer || math.Abs(x.Effect-y.Effect) > 1e-9 || math.Abs(x.SE-y.SE) > 1e-9 {
			t.Errorf("FitLeniency(shuffled).Interviewers[%d] = %+v, want %+v", i, y, x)
		}
	}
	for i := range a.Candidates {
		x, y := a.Candidates[i], b.Candidates[i]
		if x.Candidate != y.Candidate || math.Abs(x.CalibratedMean-y.CalibratedMean) > 1e-9 || len(x.Competencies) != len(y.Competencies) {
			t.Errorf("FitLeniency(shuffled).Candidates[%d] = %+v, want %+v", i, y, x)
		}
	}
}

func TestFitLeniencyCandidateMeans(t *testing.T) {
	ratings := []Rating{
		{"c1", "a", "x", 4}, {"c1", "b", "x", 2}, {"c1", "a", "y", 5}, {"c1", "b", "y", 3},
		{"c2", "a", "x", 3}, {"c2", "b", "x", 2}, {"c2", "c", "x", 4},
		{"c3", "b", "y", 1}, {"c3", "c", "y", 3},
	}
	m := fitOrFatal(t, ratings)
	c1 := m.Candidates[0]
	if c1.Candidate != "c1" || c1.N != 4 || c1.RawMean != 3.5 || len(c1.Competencies) != 2 || c1.Competencies[1].Competency != "y" || c1.Competencies[1].RawMean != 4 {
		t.Errorf("FitLeniency().Candidates[0] = %+v, want c1 with 4 ratings, raw mean 3.5 and y at 4", c1)
	}
	a, _ := m.Effect("a")
	b, _ := m.Effect("b")
	if want := 3.5 - (2*a.Effect+2*b.Effect)/4; math.Abs(c1.CalibratedMean-want) > 1e-12 {
		t.Errorf("FitLeniency().Candidates[0].CalibratedMean = %v, want %v", c1.CalibratedMean, want)
	}
	if a.Effect <= 0 || b.Effect >= 0 {
		t.Errorf("FitLeniency() effects a = %v, b = %v, want a lenient and b severe", a.Effect, b.Effect)
	}
}

func TestFitLeniencyErrors(t *testing.T) {
	tests := []struct {
		name    string
		ratings []Rating
		want    error
	}{
		{"empty", nil, ErrTooFewValues},
		{"one interviewer", []Rating{{"c1", "a", "x", 1}, {"c2", "a", "x", 2}}, ErrTooFewValues},
		{"no shared cell", []Rating{{"c1", "a", "x", 1}, {"c2", "b", "x", 2}, {"c1", "b", "y", 3}}, ErrNoOverlap},
		{"same interviewer twice", []Rating{{"c1", "a", "x", 1}, {"c1", "a", "x", 2}, {"c2", "b", "x", 2}}, ErrNoOverlap},
		{"exact agreement", []Rating{{"c1", "a", "x", 1}, {"c1", "b", "x", 1}, {"c2", "a", "x", 3}, {"c2", "b", "x", 3}}, ErrNoVariation},
		{"NaN score", []Rating{{"c1", "a", "x", math.NaN()}}, ErrNonFinite},
	}
	for _, tt := range tests {
		got, err := FitLeniency(tt.ratings, LeniencyOptions{})
		if !errors.Is(err, tt.want) {
			t.Errorf("FitLeniency(%s) = %+v, %v, want error %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := FitLeniency([]Rating{{"", "a", "x", 1}}, LeniencyOptions{}); err == nil {
		t.Errorf("FitLeniency(no candidate) error = nil, want an error")
	}
}
