package stats

import (
	"errors"
	"math"
	"testing"
)

// numAcc builds NIST's StRD univariate datasets NumAcc2–4: first the centre,
// then 500 pairs centre−0.1, centre+0.1 (1001 values). Certified mean: the
// centre; certified standard deviation: 0.1. They exist to catch the
// one-pass variance formula losing digits when the mean is large.
func numAcc(centre float64) []float64 {
	xs := []float64{centre}
	for range 500 {
		xs = append(xs, centre-0.1, centre+0.1)
	}
	return xs
}

// Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 187f.: the
// data of R's cor.test example, with Pearson's r = 0.5711816 and Kendall's
// τ = 0.4444444.
var (
	hollanderWolfeX = []float64{44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1}
	hollanderWolfeY = []float64{2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8}
)

func TestMeanAndStdDevNIST(t *testing.T) {
	tests := []struct {
		name             string
		xs               []float64
		wantMean, wantSD float64
	}{
		// NIST StRD, Univariate Summary Statistics, certified values.
		{"NumAcc1", []float64{10000001, 10000003, 10000002}, 10000002, 1},
		{"NumAcc2", numAcc(1.2), 1.2, 0.1},
		{"NumAcc3", numAcc(1000000.2), 1000000.2, 0.1},
		{"NumAcc4", numAcc(10000000.2), 10000000.2, 0.1},
	}
	for _, tt := range tests {
		m, err := Mean(tt.xs)
		if err != nil || math.Abs(m-tt.wantMean) > 1e-6*math.Max(1, math.Abs(tt.wantMean)) {
			t.Errorf("Mean(%s) = %v, %v, want %v", tt.name, m, err, tt.wantMean)
		}
		sd, err := StdDev(tt.xs)
		if err != nil || math.Abs(sd-tt.wantSD) > 1e-6 {
			t.Errorf("StdDev(%s) = %v, %v, want %v", tt.name, sd, err, tt.wantSD)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{hollanderWolfeX, 45.2},
	}
	for _, tt := range tests {
		got, err := Median(tt.xs)
		if err != nil || got != tt.want {
			t.Errorf("Median(%v) = %v, %v, want %v", tt.xs, got, err, tt.want)
		}
	}
	xs := []float64{3, 1, 2}
	if _, err := Median(xs); err != nil || xs[0] != 3 {
		t.Errorf("Median(%v) sorted its input (err %v)", xs, err)
	}
}

func TestCorrelationsHollanderWolfe(t *testing.T) {
	r, err := Pearson(hollanderWolfeX, hollanderWolfeY)
	if err != nil || math.Abs(r-0.5711816) > 1e-6 {
		t.Errorf("Pearson(Hollander & Wolfe) = %v, %v, want 0.5711816", r, err)
	}
	tau, err := KendallTau(hollanderWolfeX, hollanderWolfeY)
	if err != nil || math.Abs(tau-0.4444444) > 1e-6 {
		t.Errorf("KendallTau(Hollander & Wolfe) = %v, %v, want 0.4444444", tau, err)
	}
}

func TestKendallTauTies(t *testing.T) {
	tests := []struct {
		xs, ys []float64
		want   float64
	}{
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 1},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		// τ-b: pairs (1,2) concordant, (1,3) concordant, (2,3) tied in y;
		// (2 − 0)/√(3·2).
		{[]float64{1, 2, 3}, []float64{1, 2, 2}, 2 / math.Sqrt(6)},
	}
	for _, tt := range tests {
		got, err := KendallTau(tt.xs, tt.ys)
		if err != nil || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("KendallTau(%v, %v) = %v, %v, want %v", tt.xs, tt.ys, got, err, tt.want)
		}
	}
}

func TestDescribeErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"Mean(nil)", second(Mean(nil)), ErrTooFewValues},
		{"Mean(NaN)", second(Mean([]float64{1, math.NaN()})), ErrNonFinite},
		{"StdDev(one)", second(StdDev([]float64{1})), ErrTooFewValues},
		{"Median(nil)", second(Median(nil)), ErrTooFewValues},
		{"Pearson(lengths)", second(Pearson([]float64{1, 2}, []float64{1})), ErrShape},
		{"Pearson(constant)", second(Pearson([]float64{1, 1}, []float64{1, 2})), ErrNoVariation},
		{"KendallTau(constant)", second(KendallTau([]float64{1, 2}, []float64{3, 3})), ErrNoVariation},
		{"KendallTau(Inf)", second(KendallTau([]float64{1, math.Inf(-1)}, []float64{3, 4})), ErrNonFinite},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s error = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

func second(_ float64, err error) error { return err }

// cor.test(1:10, c(2,1,4,3,6,5,8,7,10,9)) in R, by its formula (Fisher z,
// qnorm(0.975)): r = 0.9393939, interval 0.7582441 to 0.9858955.
func TestPearsonInterval(t *testing.T) {
	lo, hi, err := PearsonInterval(0.9393939393939394, 10)
	if err != nil || math.Abs(lo-0.7582441) > 1e-6 || math.Abs(hi-0.9858955) > 1e-6 {
		t.Errorf("PearsonInterval(0.939, 10) = %v, %v, %v; want 0.7582441, 0.9858955", lo, hi, err)
	}
	if _, _, err := PearsonInterval(0.5, 3); !errors.Is(err, ErrTooFewValues) {
		t.Errorf("PearsonInterval over 3 pairs: %v, want ErrTooFewValues", err)
	}
}
