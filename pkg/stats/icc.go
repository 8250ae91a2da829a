package stats

import (
	"fmt"
	"math"
)

// ICCs holds the six intraclass correlations of Shrout & Fleiss (1979),
// "Intraclass correlations: uses in assessing rater reliability", Psychol Bull
// 86(2):420–428, for n targets each rated by the same k judges, with the
// two-way ANOVA mean squares they are computed from.
//
// The digit says which study the ratings come from: 1, each target rated by
// its own random judges (one-way); 2, a random sample of judges rates every
// target and the judges' levels count as disagreement (absolute agreement);
// 3, these particular judges, whose levels do not count (consistency). The
// plain fields are the reliability of one judge's rating, the K fields of the
// mean of the k judges.
type ICCs struct {
	Targets, Judges int

	// Mean squares: between targets, within targets, between judges, and
	// residual (BMS, WMS, JMS, EMS in Shrout & Fleiss's Table 2).
	BMS, WMS, JMS, EMS float64

	ICC1, ICC2, ICC3    float64 // ICC(1,1), ICC(2,1), ICC(3,1)
	ICC1K, ICC2K, ICC3K float64 // ICC(1,k), ICC(2,k), ICC(3,k)

	// The 95 % confidence interval of each correlation (see ICC).
	CI1, CI2, CI3    Bounds
	CI1K, CI2K, CI3K Bounds
}

// Bounds is a two-sided confidence interval.
type Bounds struct{ Low, High float64 }

// iccLevel is the confidence of the intervals ICC gives.
const iccLevel = 0.95

// ICC computes the six intraclass correlations of a complete design:
// scores[i][j] is judge j's score for target i. Every row must have the same
// length and no value may be missing (NaN): for incomplete designs use
// KrippendorffAlpha, which was made for them.
func ICC(scores [][]float64) (ICCs, error) {
	n := len(scores)
	if n < 2 {
		return ICCs{}, fmt.Errorf("icc: %w: %d targets, need at least 2", ErrTooFewValues, n)
	}
	k := len(scores[0])
	if k < 2 {
		return ICCs{}, fmt.Errorf("icc: %w: %d judges, need at least 2", ErrTooFewValues, k)
	}
	var sum float64
	for i, row := range scores {
		if len(row) != k {
			return ICCs{}, fmt.Errorf("icc: %w: target %d has %d scores, target 0 has %d", ErrShape, i, len(row), k)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return ICCs{}, fmt.Errorf("icc: %w: target %d, judge %d is %v", ErrNonFinite, i, j, v)
			}
			sum += v
		}
	}
	nf, kf := float64(n), float64(k)
	grand := sum / (nf * kf)

	targetMean := make([]float64, n)
	judgeMean := make([]float64, k)
	for i, row := range scores {
		for j, v := range row {
			targetMean[i] += v / kf
			judgeMean[j] += v / nf
		}
	}
	var ssTotal, ssTargets, ssJudges float64
	for i, row := range scores {
		for _, v := range row {
			ssTotal += (v - grand) * (v - grand)
		}
		ssTargets += kf * (targetMean[i] - grand) * (targetMean[i] - grand)
	}
	for j := range judgeMean {
		ssJudges += nf * (judgeMean[j] - grand) * (judgeMean[j] - grand)
	}
	ssWithin := ssTotal - ssTargets
	ssError := ssWithin - ssJudges

	r := ICCs{
		Targets: n,
		Judges:  k,
		BMS:     ssTargets / (nf - 1),
		WMS:     ssWithin / (nf * (kf - 1)),
		JMS:     ssJudges / (kf - 1),
		EMS:     ssError / ((nf - 1) * (kf - 1)),
	}
	if r.BMS == 0 {
		// Every target has the same mean: the correlations are 0/0 or
		// meaningless negatives, not a reliability.
		return ICCs{}, fmt.Errorf("icc: %w: all targets have the same mean score", ErrNoVariation)
	}
	// Shrout & Fleiss (1979), equations 2–6 and the k-judge forms of Table 4.
	b, w, j, e := r.BMS, r.WMS, r.JMS, r.EMS
	ratios := []struct {
		dst      *float64
		num, den float64
	}{
		{&r.ICC1, b - w, b + (kf-1)*w},
		{&r.ICC2, b - e, b + (kf-1)*e + kf*(j-e)/nf},
		{&r.ICC3, b - e, b + (kf-1)*e},
		{&r.ICC1K, b - w, b},
		{&r.ICC2K, b - e, b + (j-e)/nf},
		{&r.ICC3K, b - e, b},
	}
	for _, q := range ratios {
		if q.den <= 0 {
			// Possible only for pathological data (residual variance far
			// above the between-target variance); a ratio with a
			// non-positive denominator is not a correlation.
			return ICCs{}, fmt.Errorf("icc: %w: a variance estimate is not positive", ErrNoVariation)
		}
		*q.dst = q.num / q.den
	}
	r.intervals(iccLevel)
	return r, nil
}

// intervals sets the confidence intervals of the six correlations: the
// F-based bounds of McGraw & Wong ("Forming inferences about some intraclass
// correlation coefficients", Psychological Methods 1(1):30–46, 1996, Table 7),
// as R's psych::ICC computes them. ICC(1,1) and ICC(3,1) come from exact F
// ratios; ICC(2,1), whose ratio mixes three mean squares, from
// Satterthwaite's approximate degrees of freedom. The k-judge intervals are
// the single-judge bounds stepped up by Spearman–Brown, k·x/(1+(k−1)·x),
// which for ICC(1,k) and ICC(3,k) equals McGraw & Wong's 1 − 1/F bounds.
func (r *ICCs) intervals(level float64) {
	q := 1 - (1-level)/2
	n, k := float64(r.Targets), float64(r.Judges)
	b, w, j, e := r.BMS, r.WMS, r.JMS, r.EMS
	up := func(x float64) float64 { return k * x / (1 + (k-1)*x) }

	// One-way: F = BMS/WMS on (n−1, n(k−1)) degrees of freedom.
	f1 := b / w
	f1L, f1U := f1/FQuantile(q, n-1, n*(k-1)), f1*FQuantile(q, n*(k-1), n-1)
	r.CI1 = Bounds{(f1L - 1) / (f1L + k - 1), (f1U - 1) / (f1U + k - 1)}

	// Consistency: F = BMS/EMS on (n−1, (n−1)(k−1)).
	f3 := b / e
	f3L, f3U := f3/FQuantile(q, n-1, (n-1)*(k-1)), f3*FQuantile(q, (n-1)*(k-1), n-1)
	r.CI3 = Bounds{(f3L - 1) / (f3L + k - 1), (f3U - 1) / (f3U + k - 1)}

	// Absolute agreement: Satterthwaite's degrees of freedom v for the
	// denominator mixing judges' and residual mean squares.
	fj, icc := j/e, r.ICC2
	a := n*(1+(k-1)*icc) - k*icc
	v := (k - 1) * (n - 1) * (k*icc*fj + a) * (k*icc*fj + a) / ((n-1)*k*k*icc*icc*fj*fj + a*a)
	fU, fL := FQuantile(q, n-1, v), FQuantile(q, v, n-1)
	r.CI2 = Bounds{
		n * (b - fU*e) / (fU*(k*j+(k*n-k-n)*e) + n*b),
		n * (fL*b - e) / (k*j + (k*n-k-n)*e + n*fL*b),
	}

	r.CI1K = Bounds{up(r.CI1.Low), up(r.CI1.High)}
	r.CI2K = Bounds{up(r.CI2.Low), up(r.CI2.High)}
	r.CI3K = Bounds{up(r.CI3.Low), up(r.CI3.High)}
}
