package stats

import (
	"errors"
	"math"
	"testing"
)

var na = math.NaN()

// krippendorff2011 is the reliability data of Krippendorff, "Computing
// Krippendorff's Alpha-Reliability" (2011), section C (also Content Analysis,
// 2004, p. 230): four observers A–D, twelve units, missing values. Here one
// row per unit, one column per observer.
var krippendorff2011 = Ratings{
	{1, 1, na, 1},
	{2, 2, 3, 2},
	{3, 3, 3, 3},
	{3, 3, 3, 3},
	{2, 2, 2, 2},
	{1, 2, 3, 4},
	{4, 4, 4, 4},
	{1, 1, 2, 1},
	{2, 2, 2, 2},
	{na, 5, 5, 5},
	{na, na, 1, 1},
	{na, 3, na, na},
}

// wikipediaExample is the reliability data of the "A computational example"
// section of Wikipedia's "Krippendorff's alpha" article: three coders, fifteen
// units. Columns are coders.
var wikipediaExample = transpose(Ratings{
	{na, na, na, na, na, 3, 4, 1, 2, 1, 1, 3, 3, na, 3},
	{1, na, 2, 1, 3, 3, 4, 3, na, na, na, na, na, na, na},
	{na, na, 2, 1, 3, 4, 4, na, 2, 1, 1, 3, 3, na, 4},
})

// hayesKrippendorff2007 is the example of Hayes & Krippendorff, "Answering the
// call for a standard reliability measure for coding data", Communication
// Methods and Measures 1(1):77–89 (2007), p. 84: five observers, forty units,
// coded 0–3.
var hayesKrippendorff2007 = Ratings{
	{1, 1, 2, na, 2}, {1, 1, 0, 1, na}, {2, 3, 3, 3, na}, {na, 0, 0, na, 0},
	{0, 0, 0, na, 0}, {0, 0, 0, na, 0}, {1, 0, 2, na, 1}, {1, na, 2, 0, na},
	{2, 2, 2, na, 2}, {2, 1, 1, 1, na}, {na, 1, 0, 0, na}, {0, 0, 0, 0, na},
	{1, 2, 2, 2, na}, {3, 3, 2, 2, 3}, {1, 1, 1, na, 1}, {1, 1, 1, na, 1},
	{2, 1, 2, na, 2}, {1, 2, 3, 3, na}, {1, 1, 0, 1, na}, {0, 0, 0, na, 0},
	{0, 0, 1, 1, na}, {0, 0, na, 0, 0}, {2, 3, 3, 3, na}, {0, 0, 0, 0, na},
	{1, 2, na, 2, 2}, {0, 1, 1, 1, na}, {0, 0, 0, 1, 0}, {1, 2, 1, 2, na},
	{1, 1, 2, 2, na}, {1, 1, 2, na, 2}, {1, 1, 0, na, 0}, {2, 1, 2, 1, na},
	{2, 2, na, 2, 2}, {3, 2, 2, 2, na}, {2, 2, 2, na, 2}, {2, 2, 3, na, 2},
	{2, 2, 2, na, 2}, {2, 2, na, 1, 2}, {2, 2, 2, 2, na}, {1, 1, 1, na, 1},
}

func transpose(r Ratings) Ratings {
	out := make(Ratings, len(r[0]))
	for i := range out {
		out[i] = make([]float64, len(r))
		for j := range r {
			out[i][j] = r[j][i]
		}
	}
	return out
}

func TestKrippendorffAlphaPublishedExamples(t *testing.T) {
	tests := []struct {
		name  string
		data  Ratings
		level Level
		want  float64
	}{
		// Krippendorff (2011), section C: α_nominal = .743.
		{"krippendorff2011", krippendorff2011, Nominal, 0.743},
		// Same data, ordinal and interval metrics: α = .815 and .849
		// (Krippendorff 2011, section C; Content Analysis 2004, pp. 230ff.).
		// DKPro Statistics and the krippendorff Python package test against
		// the same two values.
		{"krippendorff2011", krippendorff2011, Ordinal, 0.815},
		{"krippendorff2011", krippendorff2011, Interval, 0.849},
		// Wikipedia, "Krippendorff's alpha", A computational example:
		// α_nominal = 0.691, α_interval = 0.811.
		{"wikipedia", wikipediaExample, Nominal, 0.691},
		{"wikipedia", wikipediaExample, Interval, 0.811},
		// Hayes & Krippendorff (2007) report ordinal α = .7598 for their
		// p. 84 data.
		{"hayesKrippendorff2007", hayesKrippendorff2007, Ordinal, 0.760},
	}
	for _, tt := range tests {
		got, err := KrippendorffAlpha(tt.data, tt.level)
		if err != nil {
			t.Fatalf("KrippendorffAlpha(%s, %v) error: %v", tt.name, tt.level, err)
		}
		if math.Abs(got-tt.want) > 0.0005 {
			t.Errorf("KrippendorffAlpha(%s, %v) = %.4f, want %.3f", tt.name, tt.level, got, tt.want)
		}
	}
}

func TestKrippendorffAlphaProperties(t *testing.T) {
	perfect := Ratings{{1, 1, 1}, {2, 2, na}, {3, 3, 3}}
	for _, level := range []Level{Nominal, Ordinal, Interval} {
		got, err := KrippendorffAlpha(perfect, level)
		if err != nil || got != 1 {
			t.Errorf("KrippendorffAlpha(perfect agreement, %v) = %v, %v, want 1", level, got, err)
		}
	}
	// Ordinal alpha depends on the order of the values only: any increasing
	// relabelling leaves it unchanged.
	relabelled := make(Ratings, len(krippendorff2011))
	for i, row := range krippendorff2011 {
		relabelled[i] = make([]float64, len(row))
		for j, v := range row {
			relabelled[i][j] = math.Exp(v) * 10
		}
	}
	a, errA := KrippendorffAlpha(krippendorff2011, Ordinal)
	b, errB := KrippendorffAlpha(relabelled, Ordinal)
	if errA != nil || errB != nil || math.Abs(a-b) > 1e-12 {
		t.Errorf("KrippendorffAlpha(exp relabelling, Ordinal) = %v (%v), want %v (%v)", b, errB, a, errA)
	}
	// Raters are interchangeable: reversing the columns changes nothing.
	reversed := make(Ratings, len(krippendorff2011))
	for i, row := range krippendorff2011 {
		for j := len(row) - 1; j >= 0; j-- {
			reversed[i] = append(reversed[i], row[j])
		}
	}
	c, errC := KrippendorffAlpha(reversed, Interval)
	d, errD := KrippendorffAlpha(krippendorff2011, Interval)
	if errC != nil || errD != nil || math.Abs(c-d) > 1e-12 {
		t.Errorf("KrippendorffAlpha(reversed raters, Interval) = %v (%v), want %v (%v)", c, errC, d, errD)
	}
}

func TestKrippendorffAlphaErrors(t *testing.T) {
	tests := []struct {
		name  string
		data  Ratings
		level Level
		want  error
	}{
		{"empty", nil, Nominal, ErrTooFewValues},
		{"one rating per unit", Ratings{{1, na}, {na, 2}}, Interval, ErrTooFewValues},
		{"no variation", Ratings{{3, 3}, {3, 3, 3}, {3, na}}, Nominal, ErrNoVariation},
		{"infinite", Ratings{{1, math.Inf(1)}}, Interval, ErrNonFinite},
	}
	for _, tt := range tests {
		got, err := KrippendorffAlpha(tt.data, tt.level)
		if !errors.Is(err, tt.want) {
			t.Errorf("KrippendorffAlpha(%s) = %v, %v, want error %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := KrippendorffAlpha(krippendorff2011, Level(0)); err == nil {
		t.Errorf("KrippendorffAlpha(Level(0)) error = nil, want an error")
	}
}
