package stats

import (
	"errors"
	"math"
	"testing"
)

// shroutFleissTable2 is the data of Shrout & Fleiss (1979), Table 2: six
// targets (rows) rated by four judges (columns).
var shroutFleissTable2 = [][]float64{
	{9, 2, 5, 8},
	{6, 1, 3, 2},
	{8, 4, 6, 8},
	{7, 1, 2, 6},
	{10, 5, 6, 9},
	{6, 2, 4, 7},
}

func TestICCShroutFleiss(t *testing.T) {
	got, err := ICC(shroutFleissTable2)
	if err != nil {
		t.Fatalf("ICC(Table 2) error: %v", err)
	}
	tests := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		// The mean squares of Shrout & Fleiss's Table 2 analysis of variance,
		// published to two decimals.
		{"BMS", got.BMS, 11.24, 0.005},
		{"WMS", got.WMS, 6.26, 0.005},
		{"JMS", got.JMS, 32.49, 0.005},
		{"EMS", got.EMS, 1.02, 0.005},
		// The six correlations, published to two decimals in Shrout & Fleiss
		// (1979), p. 426 (ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71,
		// ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91), here to three from
		// the formulas and the data of Table 2.
		{"ICC(1,1)", got.ICC1, 0.166, 0.0005},
		{"ICC(2,1)", got.ICC2, 0.290, 0.0005},
		{"ICC(3,1)", got.ICC3, 0.715, 0.0005},
		{"ICC(1,4)", got.ICC1K, 0.443, 0.0005},
		{"ICC(2,4)", got.ICC2K, 0.620, 0.0005},
		{"ICC(3,4)", got.ICC3K, 0.909, 0.0005},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > tt.tol {
			t.Errorf("ICC(Table 2).%s = %.4f, want %.3f", tt.name, tt.got, tt.want)
		}
	}
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"ICC(1,1)", got.ICC1, 0.17}, {"ICC(2,1)", got.ICC2, 0.29}, {"ICC(3,1)", got.ICC3, 0.71},
		{"ICC(1,4)", got.ICC1K, 0.44}, {"ICC(2,4)", got.ICC2K, 0.62}, {"ICC(3,4)", got.ICC3K, 0.91},
	} {
		if math.Round(p.got*100)/100 != p.want {
			t.Errorf("ICC(Table 2).%s = %.4f, rounds differently from the published %.2f", p.name, p.got, p.want)
		}
	}
	if got.Targets != 6 || got.Judges != 4 {
		t.Errorf("ICC(Table 2) = %d targets × %d judges, want 6 × 4", got.Targets, got.Judges)
	}
}

func TestICCErrors(t *testing.T) {
	tests := []struct {
		name   string
		scores [][]float64
		want   error
	}{
		{"no targets", nil, ErrTooFewValues},
		{"one target", [][]float64{{1, 2}}, ErrTooFewValues},
		{"one judge", [][]float64{{1}, {2}}, ErrTooFewValues},
		{"ragged", [][]float64{{1, 2}, {2}}, ErrShape},
		{"missing", [][]float64{{1, 2}, {2, math.NaN()}}, ErrNonFinite},
		{"same targets", [][]float64{{1, 2}, {1, 2}}, ErrNoVariation},
	}
	for _, tt := range tests {
		got, err := ICC(tt.scores)
		if !errors.Is(err, tt.want) {
			t.Errorf("ICC(%s) = %+v, %v, want error %v", tt.name, got, err, tt.want)
		}
	}
}
