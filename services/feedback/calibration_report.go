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
	candidate   string
	displayName string // the candidate's
	iv          *interview
	sc          *scorecard
}

// modelText says which model a report fits; pkg/stats's package comment
// says why.
const modelText = "score = level of the candidate on the competency + leniency of the interviewer + noise; " +
	"leniencies are random effects (REML), each the empirical-Bayes posterior mean, shrunk towards 0 when the " +
	"interviewer has little data; calibrated score = raw score - leniency; " +
	"every rating is first put on one scale (the fraction of its rubric's range, stretched onto %s), " +
	"so rubrics with different scales pool"

// The words of a competency's agreement, and where they come from.
const (
	basisICC = "the 95 % confidence interval of ICC(2,1) (McGraw & Wong 1996), read on Koo & Li (2016): " +
		"below 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9 excellent; an interval spanning grades reads as the range"
	basisAlpha = "Krippendorff's ordinal alpha (the anchored scale points are ordered categories), read on " +
		"Krippendorff's standard (2004): at least .800 reliable, .667 to .800 tentative, below .667 unreliable"
	basisNone = "too few candidates scored by two or more interviewers"
)

// effects are the interviewer leniencies a report found, in points of its
// scale, and which of them are used (the interviewer has enough scorecards
// in scope).
type effects struct {
	effect map[string]float64
	used   map[string]bool
	scale  ratingScale
}

// fractions are the effects as fractions of the scale's range: what a
// role's kept report stores (calibration_scale.go).
func (e effects) fractions() map[string]float64 {
	out := make(map[string]float64, len(e.effect))
	for who, v := range e.effect {
		out[who] = v / e.scale.span()
	}
	return out
}

// removed is the leniency to remove from an interviewer's score.
func (e effects) removed(interviewer string) float64 {
	if e.used[interviewer] {
		return e.effect[interviewer]
	}
	return 0
}

// buildReport computes a calibration report from the scorecards in scope,
// every rating put on the scale most of them use. Pure: every number comes
// from pkg/stats, tested against published examples.
func buildReport(cards []scored, sc scales, minScorecards int, now time.Time) (*feedbackv1.CalibrationReport, effects) {
	var used []string
	for _, c := range cards {
		used = append(used, c.iv.Rubric)
	}
	common := sc.common(used)
	rep := &feedbackv1.CalibrationReport{
		ComputeTime: timestamppb.New(now), Scorecards: int32(len(cards)), MinScorecards: int32(minScorecards),
		Model: fmt.Sprintf(modelText, common.words()), Scale: common.words(),
	}
	ratings := ratingsOn(cards, sc, common)
	perInterviewer := map[string][]scored{}
	candidates := map[string]bool{}
	for _, c := range cards {
		perInterviewer[c.iv.Interviewer] = append(perInterviewer[c.iv.Interviewer], c)
		candidates[c.candidate] = true
	}
	rep.CandidatesCount, rep.InterviewersCount = int32(len(candidates)), int32(len(perInterviewer))
	eff := effects{effect: map[string]float64{}, used: map[string]bool{}, scale: common}
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
		rep.Interviewers = append(rep.Interviewers, interviewerRow(who, perInterviewer[who], sc, eff, intervals[who]))
	}
	rep.Candidates = candidateRows(ratings, eff)
	displayNames := map[string]string{}
	for _, c := range cards {
		displayNames[c.candidate] = c.displayName
	}
	for _, row := range rep.Candidates {
		row.DisplayName = displayNames[row.GetCandidate()]
	}
	return rep, eff
}

// ratingsOn lists the assessed ratings of cards, each put on scale to.
func ratingsOn(cards []scored, sc scales, to ratingScale) []stats.Rating {
	var ratings []stats.Rating
	for _, c := range cards {
		for _, r := range c.sc.Ratings {
			if !r.NotAssessed {
				ratings = append(ratings, stats.Rating{
					Candidate: c.candidate, Interviewer: c.iv.Interviewer, Competency: r.Competency,
					Score: sc.convert(c.iv.Rubric, float64(r.Score), to),
				})
			}
		}
	}
	return ratings
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
				a.Icc = iccToProto(icc)
			}
		}
		a.Agreement, a.AgreementBasis = reading(a.Icc, alpha.Ordinal)
		out = append(out, a)
	}
	return out
}

// reading puts a competency's agreement into words, each statistic on its
// own standard: Koo & Li grade the confidence interval of an ICC, not its
// point estimate; Krippendorff set his own thresholds for alpha. The ICC
// wins where there is one (a complete design); alpha is read on its ordinal
// form, as anchored scale points are ordered categories whose distances are
// not known to be equal.
func reading(icc *feedbackv1.IntraclassCorrelations, ordinal *float64) (words, basis string) {
	switch {
	case icc != nil:
		ci := icc.GetIcc2_1Interval()
		return stats.AgreementICCInterval(ci.GetLow(), ci.GetHigh()), basisICC
	case ordinal != nil:
		return stats.AgreementAlpha(*ordinal), basisAlpha
	}
	return "unknown", basisNone
}

func iccToProto(icc stats.ICCs) *feedbackv1.IntraclassCorrelations {
	ci := func(b stats.Bounds) *feedbackv1.ConfidenceInterval {
		return &feedbackv1.ConfidenceInterval{Low: b.Low, High: b.High}
	}
	return &feedbackv1.IntraclassCorrelations{
		Icc1_1: icc.ICC1, Icc2_1: icc.ICC2, Icc3_1: icc.ICC3, Icc1K: icc.ICC1K, Icc2K: icc.ICC2K, Icc3K: icc.ICC3K,
		Icc1_1Interval: ci(icc.CI1), Icc2_1Interval: ci(icc.CI2), Icc3_1Interval: ci(icc.CI3),
		Icc1KInterval: ci(icc.CI1K), Icc2KInterval: ci(icc.CI2K), Icc3KInterval: ci(icc.CI3K),
	}
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

func interviewerRow(who string, cs []scored, sc scales, eff effects, interval [2]float64) *feedbackv1.InterviewerCalibration {
	row := &feedbackv1.InterviewerCalibration{
		Interviewer: who, Scorecards: int32(len(cs)), Leniency: eff.effect[who],
		LeniencyLow: interval[0], LeniencyHigh: interval[1], Used: eff.used[who],
	}
	var scores, waits []float64
	tally := map[feedbackv1.Recommendation]int32{}
	for _, c := range cs {
		for _, r := range c.sc.Ratings {
			if !r.NotAssessed {
				scores = append(scores, sc.convert(c.iv.Rubric, float64(r.Score), eff.scale))
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
	// Over the same waits as the median: how many came within a day, the
	// time reminders start (services/feedback/reminders.go).
	for _, w := range waits {
		if time.Duration(w) <= 24*time.Hour {
			row.SubmittedWithinDay++
		}
	}
	if len(waits) > 0 {
		row.SubmittedWithinDayFraction = float64(row.SubmittedWithinDay) / float64(len(waits))
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
