package feedback

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthetic makes a sparse panel design with planted interviewer
// leniencies: each candidate meets 4 interviewers drawn from a pool of 15,
// scores are true ability + leniency + noise, rounded onto a 1..9 scale.
func synthetic(candidates int, seed uint64) (cards []scored, lenient map[string]float64, ability map[string]float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	lenient, ability = map[string]float64{}, map[string]float64{}
	for i := range 15 {
		lenient[fmt.Sprintf("users/i%02d", i)] = []float64{-1.2, -0.6, 0, 0.6, 1.2}[i%5]
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for c := range candidates {
		cand := fmt.Sprintf("candidates/c%03d", c)
		ability[cand] = 5 + r.NormFloat64()*1.2
		for k, pick := range r.Perm(15)[:4] {
			who := fmt.Sprintf("users/i%02d", pick)
			iv := &interview{ID: fmt.Sprint("i", k), Interviewer: who, Focus: []string{"craft", "impact"}, ScheduledTime: start}
			sc := &scorecard{Recommendation: int32(1 + (c+k)%4), Submitted: true, SubmitTime: start.Add(time.Duration(1+k) * time.Hour)}
			for _, comp := range iv.Focus {
				s := math.Round(ability[cand] + lenient[who] + r.NormFloat64()*0.5)
				sc.Ratings = append(sc.Ratings, rating{Competency: comp, Score: int32(min(9, max(1, s)))})
			}
			cards = append(cards, scored{candidate: cand, iv: iv, sc: sc})
		}
	}
	return cards, lenient, ability
}

func TestReportRecoversPlantedLeniency(t *testing.T) {
	cards, lenient, _ := synthetic(120, 1)
	rep, eff := buildReport(cards, nil, 3, time.Now())
	if rep.GetScorecards() != 480 || rep.GetCandidatesCount() != 120 || rep.GetInterviewersCount() != 15 {
		t.Fatalf("report counts = %d scorecards, %d candidates, %d interviewers", rep.GetScorecards(), rep.GetCandidatesCount(), rep.GetInterviewersCount())
	}
	for _, iv := range rep.GetInterviewers() {
		planted := lenient[iv.GetInterviewer()]
		if math.Abs(iv.GetLeniency()-planted) > 0.4 || iv.GetLeniencyLow() > iv.GetLeniency() || iv.GetLeniencyHigh() < iv.GetLeniency() {
			t.Errorf("%s: leniency %.2f [%.2f, %.2f], planted %.1f", iv.GetInterviewer(), iv.GetLeniency(), iv.GetLeniencyLow(), iv.GetLeniencyHigh(), planted)
		}
		if !iv.GetUsed() || iv.GetMedianTimeToSubmit().AsDuration() < time.Hour {
			t.Errorf("%s: used %v, median time to submit %v", iv.GetInterviewer(), iv.GetUsed(), iv.GetMedianTimeToSubmit())
		}
	}
	if eff.removed("users/i04") <= 0 || eff.removed("users/i00") >= 0 {
		t.Errorf("effects removed: generous %v, harsh %v; want positive and negative", eff.removed("users/i04"), eff.removed("users/i00"))
	}
	for _, comp := range rep.GetCompetencies() {
		if comp.GetKrippendorffAlpha().Interval == nil || comp.GetIcc() != nil || comp.GetAgreement() == "" {
			t.Errorf("%s: alpha %v, icc %v (the design is sparse: none), agreement %q", comp.GetCompetency(), comp.GetKrippendorffAlpha(), comp.GetIcc(), comp.GetAgreement())
		}
	}
}

// Calibrated averages rank candidates closer to their true ability than raw
// ones (Kendall's tau), over several seeds.
func TestCalibratedScoresRankCloserToAbility(t *testing.T) {
	for seed := range uint64(5) {
		cards, _, ability := synthetic(120, seed+10)
		rep, _ := buildReport(cards, nil, 3, time.Now())
		var truth, raw, cal []float64
		for _, c := range rep.GetCandidates() {
			truth = append(truth, ability[c.GetCandidate()])
			raw = append(raw, c.GetRawScore())
			cal = append(cal, c.GetCalibratedScore())
		}
		tauRaw, tauCal := kendall(truth, raw), kendall(truth, cal)
		if tauCal <= tauRaw {
			t.Errorf("seed %d: Kendall tau calibrated %.3f <= raw %.3f", seed, tauCal, tauRaw)
		}
	}
}

// A complete design (every interviewer scores every candidate) gets the
// intraclass correlations; an interviewer below the minimum is not used.
func TestReportCompleteDesignAndMinimum(t *testing.T) {
	var cards []scored
	scores := [][]int32{{1, 2, 2}, {3, 3, 4}, {2, 2, 3}, {4, 4, 4}} // candidates × 3 interviewers
	for c, row := range scores {
		for j, s := range row {
			who := fmt.Sprintf("users/j%d", j)
			cards = append(cards, scored{candidate: fmt.Sprint("candidates/c", c), iv: &interview{Interviewer: who, Focus: []string{"craft"}},
				sc: &scorecard{Submitted: true, Ratings: []rating{{Competency: "craft", Score: s}}}})
		}
	}
	rep, eff := buildReport(cards, nil, 5, time.Now())
	comp := rep.GetCompetencies()[0]
	if comp.GetIcc() == nil || comp.GetIcc().GetIcc3_1() <= comp.GetIcc().GetIcc1_1()-1 || comp.GetAgreementBasis() == "" {
		t.Errorf("complete design: icc %v, basis %q; want the six ICCs", comp.GetIcc(), comp.GetAgreementBasis())
	}
	for _, iv := range rep.GetInterviewers() {
		if iv.GetUsed() {
			t.Errorf("%s has 4 scorecards, under the minimum of 5, but is used", iv.GetInterviewer())
		}
	}
	if eff.removed("users/j2") != 0 {
		t.Errorf("an interviewer under the minimum has %v removed, want 0", eff.removed("users/j2"))
	}
	for _, c := range rep.GetCandidates() {
		if c.GetRawScore() != c.GetCalibratedScore() {
			t.Errorf("%s: calibrated %v differs from raw %v with no interviewer used", c.GetCandidate(), c.GetCalibratedScore(), c.GetRawScore())
		}
	}
}

func TestUserStanding(t *testing.T) {
	cards, _, _ := synthetic(120, 3)
	st := userStanding("users/i04", cards, nil, 3) // planted +0.8: the most generous
	if !st.GetShown() || st.GetLeniency() <= 0 || st.GetLeniencyPercentile() < 0.7 || len(st.GetPeerLeniencies()) != 14 || st.GetPanelDistance() <= 0 {
		t.Errorf("standing of a generous interviewer = %v", st)
	}
	none := userStanding("users/nobody", cards, nil, 3)
	if none.GetShown() || none.GetReason() == "" || len(none.GetPeerLeniencies()) != 0 {
		t.Errorf("standing without scorecards = %v, want hidden with a reason", none)
	}
}

func kendall(x, y []float64) float64 {
	var concordant, discordant float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			p := (x[i] - x[j]) * (y[i] - y[j])
			switch {
			case p > 0:
				concordant++
			case p < 0:
				discordant++
			}
		}
	}
	return (concordant - discordant) / (concordant + discordant)
}

// The share submitted within a day is taken over the same scorecards as the
// median time to submit: those submitted after their interview.
func TestInterviewerRowCountsScorecardsSubmittedWithinADay(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var cards []scored
	for i, wait := range []time.Duration{time.Hour, 23 * time.Hour, 24 * time.Hour, 30 * time.Hour, -time.Hour} {
		iv := &interview{ID: fmt.Sprint("i", i), ScheduledTime: at}
		if i == 1 { // no scheduled time: from when it was added
			iv = &interview{ID: "i1", CreateTime: at}
		}
		cards = append(cards, scored{iv: iv, sc: &scorecard{Submitted: true, SubmitTime: at.Add(wait)}})
	}
	row := interviewerRow("users/ivan", cards, nil, effects{}, [2]float64{})
	if row.GetSubmittedWithinDay() != 3 || row.GetSubmittedWithinDayFraction() != 0.75 {
		t.Errorf("interviewerRow: within a day %d, fraction %v; want 3, 0.75 (1 h, 23 h, 24 h of 4 waits)",
			row.GetSubmittedWithinDay(), row.GetSubmittedWithinDayFraction())
	}
	if got := row.GetMedianTimeToSubmit().AsDuration(); got != 23*time.Hour+30*time.Minute {
		t.Errorf("interviewerRow: median time to submit %v, want 23h30m", got)
	}
	if empty := interviewerRow("users/ines", nil, nil, effects{}, [2]float64{}); empty.GetSubmittedWithinDayFraction() != 0 {
		t.Errorf("interviewerRow without scorecards: fraction %v, want 0", empty.GetSubmittedWithinDayFraction())
	}
}
