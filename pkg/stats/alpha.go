package stats

import (
	"fmt"
	"math"
	"slices"
)

// Level is the level of measurement of the values being compared; it picks
// Krippendorff's difference function δ².
type Level int

const (
	// Nominal values are labels: two values differ (δ² = 1) or not (0).
	Nominal Level = iota + 1
	// Ordinal values are ranks: the difference between c and k grows with
	// how many values were used between them, not with k − c.
	Ordinal
	// Interval values are numbers: δ² = (c − k)².
	Interval
)

func (l Level) String() string {
	switch l {
	case Nominal:
		return "nominal"
	case Ordinal:
		return "ordinal"
	case Interval:
		return "interval"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Ratings is reliability data laid out units × raters: Ratings[u][r] is the
// value rater r gave unit u, or NaN when r did not rate u. Rows may differ in
// length; a missing cell at the end of a row is simply absent.
type Ratings [][]float64

// KrippendorffAlpha is Krippendorff's α = 1 − D_o/D_e for any number of raters
// with missing values, following Krippendorff, "Computing Krippendorff's
// Alpha-Reliability" (2011). Only pairable values count: a unit rated by fewer
// than two raters says nothing about agreement and is ignored.
//
// It returns ErrTooFewValues when no unit has two values, and ErrNoVariation
// when all pairable values are equal (α is 0/0 then: perfect agreement that
// could also be chance).
//
// Rather than build the values × values coincidence matrix, it uses that both
// disagreements are sums of squared differences over pairs of values: for the
// interval metric Σ_{i≠j} (v_i − v_j)² over a unit is 2·m_u·SS_u, its sum of
// squares about its own mean; the ordinal metric is the interval metric on the
// mid-ranks of the values (see ordinalScale); the nominal one counts unequal
// pairs. So the cost is O(values · log values) whatever the number of
// distinct values — scores need not be small integers.
func KrippendorffAlpha(r Ratings, level Level) (float64, error) {
	if level != Nominal && level != Ordinal && level != Interval {
		return 0, fmt.Errorf("krippendorff alpha: unknown level %v", level)
	}
	u, err := pairableUnits(r)
	if err != nil {
		return 0, err
	}
	n := len(u.values)
	if n < 2 {
		return 0, fmt.Errorf("krippendorff alpha: %w: no unit has two ratings", ErrTooFewValues)
	}
	if level == Ordinal {
		u = ordinalScale(u)
	}
	var observed, expected float64
	if level == Nominal {
		observed, expected = nominalDisagreements(u)
	} else {
		observed, expected = intervalDisagreements(u)
	}
	if expected == 0 {
		return 0, fmt.Errorf("krippendorff alpha: %w: every pairable value is the same", ErrNoVariation)
	}
	// α = 1 − D_o/D_e with D_o = observed/n and D_e = expected/(n(n−1)).
	return 1 - float64(n-1)*observed/expected, nil
}

// units holds the pairable values of every unit rated at least twice, flat:
// unit i's values are values[ends[i-1]:ends[i]]. One slice rather than one
// per unit keeps large data sets to a couple of allocations.
type units struct {
	values []float64
	ends   []int
}

func (u units) each(f func(vals []float64)) {
	start := 0
	for _, end := range u.ends {
		f(u.values[start:end])
		start = end
	}
}

// pairableUnits keeps the values of units rated at least twice, and rejects
// infinities (NaN means missing; ±Inf is a bug upstream).
func pairableUnits(r Ratings) (units, error) {
	var u units
	for i, row := range r {
		start := len(u.values)
		for j, v := range row {
			if math.IsNaN(v) {
				continue
			}
			if math.IsInf(v, 0) {
				return units{}, fmt.Errorf("krippendorff alpha: %w: unit %d, rater %d", ErrNonFinite, i, j)
			}
			u.values = append(u.values, v)
		}
		switch len(u.values) - start {
		case 0:
		case 1:
			u.values = u.values[:start]
		default:
			u.ends = append(u.ends, len(u.values))
		}
	}
	return u, nil
}

// nominalDisagreements returns Σ_c Σ_k o_ck δ²_ck and Σ_c Σ_k n_c n_k δ²_ck
// for δ² = [c ≠ k]. Within a unit of m values, m² − Σ_c m_c² ordered pairs
// disagree, each weighted 1/(m−1) in the coincidence matrix; over all n
// pairable values, n² − Σ_c n_c² ordered pairs do.
func nominalDisagreements(u units) (observed, expected float64) {
	var scratch []float64
	u.each(func(vals []float64) {
		scratch = append(scratch[:0], vals...)
		m := float64(len(vals))
		observed += (m*m - sumSquaredRuns(scratch)) / (m - 1)
	})
	n := float64(len(u.values))
	return observed, n*n - sumSquaredRuns(slices.Clone(u.values))
}

// sumSquaredRuns sorts xs and returns Σ_c (count of value c)².
func sumSquaredRuns(xs []float64) float64 {
	slices.Sort(xs)
	var sum float64
	for i := 0; i < len(xs); {
		j := i + 1
		for j < len(xs) && xs[j] == xs[i] {
			j++
		}
		sum += float64(j-i) * float64(j-i)
		i = j
	}
	return sum
}

// intervalDisagreements returns the same two sums for δ² = (c − k)²: over m
// values, Σ_{i,j} (v_i − v_j)² = 2·m·Σ_i (v_i − mean)².
func intervalDisagreements(u units) (observed, expected float64) {
	grand := mean(u.values)
	var ssAll float64
	for _, v := range u.values {
		ssAll += (v - grand) * (v - grand)
	}
	u.each(func(vals []float64) {
		m := mean(vals)
		var ss float64
		for _, v := range vals {
			ss += (v - m) * (v - m)
		}
		observed += 2 * float64(len(vals)) * ss / float64(len(vals)-1)
	})
	return observed, 2 * float64(len(u.values)) * ssAll
}

// ordinalScale replaces each value by its mid-rank among all pairable values.
// Krippendorff's ordinal difference between values c < k is
// (Σ_{g=c..k} n_g − (n_c + n_k)/2)², and that sum is exactly the distance
// between the mid-ranks r_c = Σ_{g<c} n_g + n_c/2 and r_k: so ordinal α is
// interval α computed on mid-ranks.
func ordinalScale(u units) units {
	sorted := slices.Clone(u.values)
	slices.Sort(sorted)
	var distinct, rank []float64
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		distinct = append(distinct, sorted[i])
		rank = append(rank, float64(i)+float64(j-i)/2)
		i = j
	}
	out := units{values: make([]float64, len(u.values)), ends: u.ends}
	for i, v := range u.values {
		k, _ := slices.BinarySearch(distinct, v)
		out.values[i] = rank[k]
	}
	return out
}
