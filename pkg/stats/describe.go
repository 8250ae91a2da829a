package stats

import (
	"fmt"
	"math"
	"slices"
)

// Mean is the arithmetic mean of xs.
func Mean(xs []float64) (float64, error) {
	if err := checkFinite(xs, 1); err != nil {
		return 0, err
	}
	return mean(xs), nil
}

// StdDev is the sample standard deviation of xs (denominator n-1).
func StdDev(xs []float64) (float64, error) {
	if err := checkFinite(xs, 2); err != nil {
		return 0, err
	}
	// Two passes rather than the one-pass sum of squares: the one-pass form
	// loses every digit when the mean is large next to the spread (NIST's
	// NumAcc datasets are built to catch exactly that).
	m := mean(xs)
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1)), nil
}

// Median is the middle value of xs, or the mean of the two middle values when
// len(xs) is even. xs is not modified.
func Median(xs []float64) (float64, error) {
	if err := checkFinite(xs, 1); err != nil {
		return 0, err
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], nil
	}
	return (s[n/2-1] + s[n/2]) / 2, nil
}

// Pearson is the product-moment correlation of xs and ys.
func Pearson(xs, ys []float64) (float64, error) {
	if err := checkPair(xs, ys); err != nil {
		return 0, err
	}
	mx, my := mean(xs), mean(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, ErrNoVariation
	}
	return sxy / math.Sqrt(sxx*syy), nil
}

// KendallTau is Kendall's rank correlation τ-b of xs and ys: concordant minus
// discordant pairs, over the geometric mean of the pairs untied in x and in y
// (τ-b, so that tied scores — common on a 1–5 scorecard — do not pull τ
// towards zero). It counts every pair, O(n²); the report ranks at most a few
// thousand candidates, and the simple count is easy to check by hand.
func KendallTau(xs, ys []float64) (float64, error) {
	if err := checkPair(xs, ys); err != nil {
		return 0, err
	}
	var concordant, discordant, tiedX, tiedY, pairs float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			pairs++
			dx, dy := cmpFloat(xs[i], xs[j]), cmpFloat(ys[i], ys[j])
			switch {
			case dx == 0 && dy == 0:
				tiedX++
				tiedY++
			case dx == 0:
				tiedX++
			case dy == 0:
				tiedY++
			case dx == dy:
				concordant++
			default:
				discordant++
			}
		}
	}
	den := math.Sqrt((pairs - tiedX) * (pairs - tiedY))
	if den == 0 {
		return 0, ErrNoVariation
	}
	return (concordant - discordant) / den, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func checkFinite(xs []float64, min int) error {
	if len(xs) < min {
		return fmt.Errorf("%w: %d values, need at least %d", ErrTooFewValues, len(xs), min)
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: value %d is %v", ErrNonFinite, i, x)
		}
	}
	return nil
}

func checkPair(xs, ys []float64) error {
	if len(xs) != len(ys) {
		return fmt.Errorf("%w: %d values against %d", ErrShape, len(xs), len(ys))
	}
	if err := checkFinite(xs, 2); err != nil {
		return err
	}
	return checkFinite(ys, 2)
}

// PearsonInterval is the 95 % confidence interval of a Pearson correlation
// r over n pairs, by Fisher's z transformation, as R's cor.test gives it:
// tanh(atanh(r) ± 1.959964/√(n−3)). It needs at least four pairs.
func PearsonInterval(r float64, n int) (low, high float64, err error) {
	if n < 4 {
		return math.NaN(), math.NaN(), fmt.Errorf("%w: a correlation's interval needs 4 pairs, got %d", ErrTooFewValues, n)
	}
	if math.IsNaN(r) || r < -1 || r > 1 {
		return math.NaN(), math.NaN(), fmt.Errorf("%w: %v is not a correlation", ErrNonFinite, r)
	}
	z, half := math.Atanh(r), 1.959963984540054/math.Sqrt(float64(n-3))
	return math.Tanh(z - half), math.Tanh(z + half), nil
}
