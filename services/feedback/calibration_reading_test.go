package feedback

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/stats"
)

// unitsAsRatings turns a units × observers table (NaN: not rated) into one
// competency's ratings.
func unitsAsRatings(table [][]float64) []stats.Rating {
	var out []stats.Rating
	for u, row := range table {
		for o, v := range row {
			if !math.IsNaN(v) {
				out = append(out, stats.Rating{Candidate: fmt.Sprint("candidates/u", u), Interviewer: fmt.Sprint("users/o", o), Competency: "craft", Score: v})
			}
		}
	}
	return out
}

// Alpha is read on Krippendorff's own standard, and on its ordinal form;
// an ICC is read on Koo & Li's grades of its 95 % interval.
func TestAgreementReadings(t *testing.T) {
	na := math.NaN()
	// Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011):
	// ordinal alpha .815.
	krippendorff2011 := [][]float64{
		{1, 1, na, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2}, {1, 2, 3, 4},
		{4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {na, 5, 5, 5}, {na, na, 1, 1}, {na, 3, na, na},
	}
	// The same with one more disagreement (unit 11: 1 and 3, not 1 and 1):
	// ordinal alpha .711.
	disagreeing := [][]float64{
		{1, 1, na, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2}, {1, 2, 3, 4},
		{4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {na, 5, 5, 5}, {na, na, 1, 3}, {na, 3, na, na},
	}
	// Shrout & Fleiss (1979), Table 2: a complete design, ICC(2,1) .29 with
	// 95 % interval (.02, .76).
	shroutFleiss := [][]float64{{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8}, {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}}
	tests := []struct {
		name      string
		table     [][]float64
		ordinal   float64
		want      string
		basisWord string
	}{
		{"krippendorff2011", krippendorff2011, 0.815, "reliable", "ordinal alpha"},
		{"one more disagreement", disagreeing, 0.711, "tentative", "ordinal alpha"},
		{"shrout-fleiss", shroutFleiss, math.NaN(), "poor to good", "ICC(2,1)"},
	}
	for _, tt := range tests {
		got := agreementByCompetency(unitsAsRatings(tt.table))
		if len(got) != 1 {
			t.Fatalf("%s: %d competencies, want 1", tt.name, len(got))
		}
		a := got[0]
		if !math.IsNaN(tt.ordinal) && math.Abs(a.GetKrippendorffAlpha().GetOrdinal()-tt.ordinal) > 0.0005 {
			t.Errorf("%s: ordinal alpha = %.4f, want %.3f", tt.name, a.GetKrippendorffAlpha().GetOrdinal(), tt.ordinal)
		}
		if a.GetAgreement() != tt.want || !strings.Contains(a.GetAgreementBasis(), tt.basisWord) {
			t.Errorf("%s: agreement %q (%s), want %q on %s", tt.name, a.GetAgreement(), a.GetAgreementBasis(), tt.want, tt.basisWord)
		}
	}
	sf := agreementByCompetency(unitsAsRatings(shroutFleiss))[0].GetIcc()
	for _, c := range []struct {
		name             string
		value, low, high float64
		want             [3]string
	}{
		{"ICC(2,1)", sf.GetIcc2_1(), sf.GetIcc2_1Interval().GetLow(), sf.GetIcc2_1Interval().GetHigh(), [3]string{"0.29", "0.02", "0.76"}},
		{"ICC(3,1)", sf.GetIcc3_1(), sf.GetIcc3_1Interval().GetLow(), sf.GetIcc3_1Interval().GetHigh(), [3]string{"0.71", "0.34", "0.95"}},
	} {
		got := [3]string{fmt.Sprintf("%.2f", c.value), fmt.Sprintf("%.2f", c.low), fmt.Sprintf("%.2f", c.high)}
		if got != c.want {
			t.Errorf("Shrout & Fleiss %s = %s (%s, %s), want %s (%s, %s)", c.name, got[0], got[1], got[2], c.want[0], c.want[1], c.want[2])
		}
	}
}

// Rubrics with different scales pool on one: a standing over scorecards of
// a 1–5 rubric and of a 1–9 one (the same judgements, stretched) gives the
// same leniencies as over the 1–5 scorecards alone, in points of the scale
// most of the interviewer's scorecards use.
func TestStandingPoolsScales(t *testing.T) {
	five, nine := "rubrics/five/revisions/1", "rubrics/nine/revisions/1"
	sc := scales{five: {min: 1, max: 5, known: true}, nine: {min: 1, max: 9, known: true}}
	base, _, _ := synthetic(120, 3)
	var onFive, mixed []scored
	for i, c := range base {
		fiveCard, mixedCard := *c.sc, *c.sc
		fiveCard.Ratings, mixedCard.Ratings = nil, nil
		stretched := i%8 < 3 // three in eight scorecards on the 1–9 rubric
		for _, r := range c.sc.Ratings {
			s5 := (r.Score + 1) / 2
			fiveCard.Ratings = append(fiveCard.Ratings, rating{Competency: r.Competency, Score: s5})
			if stretched {
				s5 = 2*s5 - 1
			}
			mixedCard.Ratings = append(mixedCard.Ratings, rating{Competency: r.Competency, Score: s5})
		}
		ivFive, ivMixed := *c.iv, *c.iv
		ivFive.Rubric, ivMixed.Rubric = five, five
		if stretched {
			ivMixed.Rubric = nine
		}
		onFive = append(onFive, scored{candidate: c.candidate, iv: &ivFive, sc: &fiveCard})
		mixed = append(mixed, scored{candidate: c.candidate, iv: &ivMixed, sc: &mixedCard})
	}
	want := userStanding("users/i04", onFive, sc, 3)
	got := userStanding("users/i04", mixed, sc, 3)
	if !got.GetShown() || math.Abs(got.GetLeniency()-want.GetLeniency()) > 1e-9 || got.GetScale() != "points of a 1–5 scale" {
		t.Errorf("standing over mixed scales: leniency %v in %q, want %v in points of a 1–5 scale", got.GetLeniency(), got.GetScale(), want.GetLeniency())
	}
	naive := userStanding("users/i04", mixed, nil, 3) // every score taken as it is
	if math.Abs(naive.GetLeniency()-want.GetLeniency()) < 1e-3 {
		t.Errorf("without the scales the standing is the same (%v): the test cannot tell", naive.GetLeniency())
	}
}
