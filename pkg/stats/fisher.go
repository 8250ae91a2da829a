package stats

import (
	"fmt"
	"math"
)

// FisherExact is the two-sided p-value of Fisher's exact test of a 2×2
// table
//
//	a b
//	c d
//
// (for adverse impact: one group's selected and not selected, then the
// other's). With the margins fixed, a is hypergeometric; the p-value sums
// the probabilities of every table no more likely than the observed one,
// with R's relative tolerance of 1e-7 for ties (fisher.test). Counts must
// not be negative, and the table not empty.
func FisherExact(a, b, c, d int) (float64, error) {
	if a < 0 || b < 0 || c < 0 || d < 0 {
		return math.NaN(), fmt.Errorf("%w: negative count in the table %d %d / %d %d", ErrInvalid, a, b, c, d)
	}
	row1, col1, n := a+b, a+c, a+b+c+d
	if n == 0 {
		return math.NaN(), fmt.Errorf("%w: the table is empty", ErrInvalid)
	}
	lo, hi := max(0, row1+col1-n), min(row1, col1)
	logP := func(x int) float64 { // log P(a = x) with the margins fixed
		return logChoose(col1, x) + logChoose(n-col1, row1-x) - logChoose(n, row1)
	}
	observed := logP(a)
	p := 0.0
	for x := lo; x <= hi; x++ {
		if lp := logP(x); lp <= observed+math.Log1p(1e-7) {
			p += math.Exp(lp)
		}
	}
	return math.Min(1, p), nil
}

// logChoose is log(n choose k).
func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
