package feedback

import (
	"fmt"
	"math"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/stats"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// scored is one submitted scorecard in a calibration's scope.
type scored struct {
	candidate string
	iv        *interview
	sc        *scorecard
}

// modelText says which model a report fits; pkg/stats's package comment
// says why.
const modelText = "score = level of the candidate on the competency + leniency of the interviewer + noise; " +
	"leniencies are random effects (REML), each the empirical-Bayes posterior mean, shrunk towards 0 when the " +
	"interviewer has little data; calibrated score = raw score - leniency"

const agreementBasis = "%s, read on Koo & Li (2016): below 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9 excellent"

// effects are the interviewer leniencies a report found, and which of them
// are used (the interviewer has enough scorecards in scope).
type effects struct {
	effect map[string]float64
	used   map[string]bool
}

// removed is the leniency to remove from an interviewer's score.
func (e effects) removed(interviewer string) float64 {
	if e.used[interviewer] {
		return e.effect[interviewer]
	}
	return 0
}

// buildReport computes a calibration report from the scorecards in scope.
// Pure: every number comes from pkg/stats, tested against published
// examples.
func buildReport(cards []scored, minScorecards int, now time.Time) (*feedbackv1.CalibrationReport, effects) {
	rep := &feedbackv1.CalibrationReport{
		ComputeTime: timestamppb.New(now), Scorecards: int32(len(cards)), MinScorecards: int32(minScorecards), Model: modelText,
	}
	var ratings []stats.Rating
	perInterviewer := map[string][]scored{}
	candidates := map[string]bool{}
	for _, c := range cards {
		perInterviewer[c.iv.Interviewer] = append(perInterviewer[c.iv.Interviewer], c)
		candidates[c.candidate] = true
		for _, r := range c.sc.Ratings {
			if !r.NotAssessed {
				ratings = append(ratings, stats.Rating{Candidate: c.candidate, Interviewer: c.iv.Interviewer, Competency: r.Competency, Score: float64(r.Score)})
			}
		}
	}
	rep.CandidatesCount, rep.InterviewersCount = int32(len(candidates)), int32(len(perInterviewer))
	eff := effects{effect: map[string]float64{}, used: map[string]bool{}}
	intervals := map[string][2]float64{}
	if model, err := stats.FitLeniency(ratings, stats.LeniencyOptions{}); err == nil {
		rep.ResidualVariance, rep.InterviewerVariance = model.Sigma2, model.Tau2
		for _, ie := range model.Interviewers {
			eff.effect[ie.Interviewer] = ie.Effect
			intervals[ie.Interviewer] = [2]float64{ie.Low, ie.High}
		}
	} // else: too little data, or perfect agreement: no leniency to remove
	for who, cs := range perInterviewer {
		eff.used[who] = len(cs) >= minScorecards
	}

	rep.Competencies = agreementByCompetency(ratings)
	for _, who := range sortedKeys(perInterviewer) {
		rep.Interviewers = append(rep.Interviewers, interviewerRow(who, perInterviewer[who], eff, intervals[who]))
	}
	rep.Candidates = candidateRows(ratings, eff)
	return rep, eff
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// agreementByCompetency measures, per competency, how far interviewers
// agree on the same candidates.
func agreementByCompetency(ratings []stats.Rating) []*feedbackv1.CompetencyAgreement {
	byComp := map[string][]stats.Rating{}
	for _, r := range ratings {
		byComp[r.Competency] = append(byComp[r.Competency], r)
	}
	var out []*feedbackv1.CompetencyAgreement
	for _, comp := range sortedKeys(byComp) {
		rs := byComp[comp]
		cands, raters := indexOf(rs, func(r stats.Rating) string { return r.Candidate }), indexOf(rs, func(r stats.Rating) string { return r.Interviewer })
		// One cell per candidate and interviewer: the mean, should one
		// interviewer have scored a candidate twice.
		sum := make([][]float64, len(cands))
		n := make([][]int, len(cands))
		for i := range sum {
			sum[i], n[i] = make([]float64, len(raters)), make([]int, len(raters))
		}
		for _, r := range rs {
			i, j := cands[r.Candidate], raters[r.Interviewer]
			sum[i][j] += r.Score
			n[i][j]++
		}
		matrix := make(stats.Ratings, len(cands))
		complete := len(cands) >= 2 && len(raters) >= 2
		for i := range matrix {
			matrix[i] = make([]float64, len(raters))
			for j := range matrix[i] {
				if n[i][j] == 0 {
					matrix[i][j] = math.NaN()
					complete = false
				} else {
					matrix[i][j] = sum[i][j] / float64(n[i][j])
				}
			}
		}
		a := &feedbackv1.CompetencyAgreement{Competency: comp, Ratings: int32(len(rs)), Candidates: int32(len(cands)), Interviewers: int32(len(raters))}
		alpha := &feedbackv1.KrippendorffAlpha{}
		for level, dst := range map[stats.Level]**float64{stats.Nominal: &alpha.Nominal, stats.Ordinal: &alpha.Ordinal, stats.Interval: &alpha.Interval} {
			if v, err := stats.KrippendorffAlpha(matrix, level); err == nil {
				*dst = &v
			}
		}
		if alpha.Nominal != nil || alpha.Ordinal != nil || alpha.Interval != nil {
			a.KrippendorffAlpha = alpha
		}
		if complete {
			if icc, err := stats.ICC(matrix); err == nil {
				a.Icc = &feedbackv1.IntraclassCorrelations{
					Icc1_1: icc.ICC1, Icc2_1: icc.ICC2, Icc3_1: icc.ICC3, Icc1K: icc.ICC1K, Icc2K: icc.ICC2K, Icc3K: icc.ICC3K,
				}
			}
		}
		switch {
		case a.Icc != nil:
			a.Agreement, a.AgreementBasis = stats.AgreementICC(a.Icc.Icc2_1), fmt.Sprintf(agreementBasis, "ICC(2,1)")
		case alpha.Interval != nil:
			a.Agreement, a.AgreementBasis = stats.AgreementICC(*alpha.Interval), fmt.Sprintf(agreementBasis, "Krippendorff's interval alpha")
		default:
			a.Agreement, a.AgreementBasis = "unknown", "too few candidates scored by two or more interviewers"
		}
		out = append(out, a)
	}
	return out
}

// indexOf numbers the distinct keys of rs in sorted order.
func indexOf(rs []stats.Rating, key func(stats.Rating) string) map[string]int {
	seen := map[string]int{}
	for _, r := range rs {
		seen[key(r)] = 0
	}
	for i, k := range sortedKeys(seen) {
		seen[k] = i
	}
	return seen
}

func interviewerRow(who string, cs []scored, eff effects, interval [2]float64) *feedbackv1.InterviewerCalibration {
	row := &feedbackv1.InterviewerCalibration{
		Interviewer: who, Scorecards: int32(len(cs)), Leniency: eff.effect[who],
		LeniencyLow: interval[0], LeniencyHigh: interval[1], Used: eff.used[who],
	}
	var scores, waits []float64
	tally := map[feedbackv1.Recommendation]int32{}
	for _, c := range cs {
		for _, r := range c.sc.Ratings {
			if !r.NotAssessed {
				scores = append(scores, float64(r.Score))
			}
		}
		tally[feedbackv1.Recommendation(c.sc.Recommendation)]++
		from := c.iv.ScheduledTime
		if from.IsZero() {
			from = c.iv.CreateTime
		}
		if !c.sc.SubmitTime.IsZero() && c.sc.SubmitTime.After(from) {
			waits = append(waits, float64(c.sc.SubmitTime.Sub(from)))
		}
	}
	if m, err := stats.Mean(scores); err == nil {
		row.MeanScore = m
	}
	if m, err := stats.Median(waits); err == nil {
		row.MedianTimeToSubmit = durationpb.New(time.Duration(m).Round(time.Second))
	}
	for _, r := range recommendations {
		row.Recommendations = append(row.Recommendations, &feedbackv1.RecommendationCount{Recommendation: r, Count: tally[r]})
	}
	return row
}

var recommendations = []feedbackv1.Recommendation{
	feedbackv1.Recommendation_RECOMMENDATION_STRONG_NO, feedbackv1.Recommendation_RECOMMENDATION_NO,
	feedbackv1.Recommendation_RECOMMENDATION_YES, feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES,
}

// candidateRows gives each candidate's raw and calibrated means, overall and
// per competency.
func candidateRows(ratings []stats.Rating, eff effects) []*feedbackv1.CandidateCalibration {
	type acc struct{ raw, cal []float64 }
	byCand := map[string]map[string]*acc{}
	for _, r := range ratings {
		if byCand[r.Candidate] == nil {
			byCand[r.Candidate] = map[string]*acc{}
		}
		a := byCand[r.Candidate][r.Competency]
		if a == nil {
			a = &acc{}
			byCand[r.Candidate][r.Competency] = a
		}
		a.raw = append(a.raw, r.Score)
		a.cal = append(a.cal, r.Score-eff.removed(r.Interviewer))
	}
	var out []*feedbackv1.CandidateCalibration
	for _, cand := range sortedKeys(byCand) {
		row := &feedbackv1.CandidateCalibration{Candidate: cand}
		var raw, cal []float64
		for _, comp := range sortedKeys(byCand[cand]) {
			a := byCand[cand][comp]
			rm, _ := stats.Mean(a.raw) // never empty
			cm, _ := stats.Mean(a.cal)
			row.Competencies = append(row.Competencies, &feedbackv1.CompetencyCalibration{Competency: comp, RawScore: rm, CalibratedScore: cm})
			raw, cal = append(raw, rm), append(cal, cm)
		}
		row.RawScore, _ = stats.Mean(raw)
		row.CalibratedScore, _ = stats.Mean(cal)
		out = append(out, row)
	}
	return out
}
