package stats

import "math"

// Readings of a reliability value, for the report. They are words for people,
// not thresholds to act on: both sources warn that the cut-offs are
// conventions, and an interval around the value matters as much as the value.
const (
	ReadingUndefined = "undefined"

	// Koo & Li (2016) for intraclass correlations.
	ReadingPoor      = "poor"
	ReadingModerate  = "moderate"
	ReadingGood      = "good"
	ReadingExcellent = "excellent"

	// Krippendorff (2004, p. 241; 2011) for alpha.
	ReadingReliable   = "reliable"
	ReadingTentative  = "tentative"
	ReadingUnreliable = "unreliable"
)

// AgreementICC reads an intraclass correlation with the guideline of Koo & Li
// (2016), "A guideline of selecting and reporting intraclass correlation
// coefficients for reliability research", J Chiropr Med 15(2):155–163:
// below 0.5 poor, 0.5 to 0.75 moderate, 0.75 to 0.9 good, above 0.9
// excellent.
func AgreementICC(v float64) string {
	switch {
	case math.IsNaN(v):
		return ReadingUndefined
	case v < 0.5:
		return ReadingPoor
	case v < 0.75:
		return ReadingModerate
	case v <= 0.9:
		return ReadingGood
	}
	return ReadingExcellent
}

// AgreementAlpha reads Krippendorff's alpha with Krippendorff's own standard
// (Content Analysis, 2nd ed. 2004, p. 241; "Computing Krippendorff's
// Alpha-Reliability", 2011): rely on variables with α ≥ .800; consider those
// with .667 ≤ α < .800 only for tentative conclusions; below .667 the data are
// not reliable enough to draw conclusions from.
func AgreementAlpha(v float64) string {
	switch {
	case math.IsNaN(v):
		return ReadingUndefined
	case v >= 0.8:
		return ReadingReliable
	case v >= 0.667:
		return ReadingTentative
	}
	return ReadingUnreliable
}

// AgreementICCInterval reads the confidence interval of an intraclass
// correlation, as Koo & Li ask: "the 95 % confident interval of the ICC
// estimate" is what their thresholds grade, not the point estimate. An
// interval that spans several grades reads as the range, "poor to good".
func AgreementICCInterval(low, high float64) string {
	lo, hi := AgreementICC(low), AgreementICC(high)
	if lo == hi {
		return lo
	}
	if lo == ReadingUndefined || hi == ReadingUndefined {
		return ReadingUndefined
	}
	return lo + " to " + hi
}
