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
	units, err := pairableUnits(r)
	if err != nil {
		return 0, err
	}
	var n int
	for _, u := range units {
		n += len(u)
	}
	if n < 2 {
		return 0, fmt.Errorf("krippendorff alpha: %w: no unit has two ratings", ErrTooFewValues)
	}
	if level == Ordinal {
		units = ordinalScale(units)
	}
	var observed, expected float64
	if level == Nominal {
		observed, expected = nominalDisagreements(units, n)
	} else {
		observed, expected = intervalDisagreements(units, n)
	}
	if expected == 0 {
		return 0, fmt.Errorf("krippendorff alpha: %w: every pairable value is the same", ErrNoVariation)
	}
	// α = 1 − D_o/D_e with D_o = observed/n and D_e = expected/(n(n−1)).
	return 1 - float64(n-1)*observed/expected, nil
}

// pairableUnits keeps the values of units rated at least twice, and rejects
// infinities (NaN means missing; ±Inf is a bug upstream).
func pairableUnits(r Ratings) ([][]float64, error) {
	units := make([][]float64, 0, len(r))
	for i, row := range r {
		var vals []float64
		for j, v := range row {
			if math.IsNaN(v) {
				continue
			}
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("krippendorff alpha: %w: unit %d, rater %d", ErrNonFinite, i, j)
			}
			vals = append(vals, v)
		}
		if len(vals) >= 2 {
			units = append(units, vals)
		}
	}
	return units, nil
}

// nominalDisagreements returns Σ_c Σ_k o_ck δ²_ck and Σ_c Σ_k n_c n_k δ²_ck
// for δ² = [c ≠ k]. Within a unit of m values, m² − Σ_c m_c² ordered pairs
// disagree, each weighted 1/(m−1) in the coincidence matrix; over all pairable
// values, n² − Σ_c n_c² ordered pairs do.
func nominalDisagreements(units [][]float64, n int) (observed, expected float64) {
	total := make(map[float64]float64)
	for _, u := range units {
		counts := make(map[float64]float64, len(u))
		for _, v := range u {
			counts[v]++
			total[v]++
		}
		m := float64(len(u))
		var same float64
		for _, c := range counts {
			same += c * c
		}
		observed += (m*m - same) / (m - 1)
	}
	var same float64
	for _, c := range total {
		same += c * c
	}
	return observed, float64(n)*float64(n) - same
}

// intervalDisagreements returns the same two sums for δ² = (c − k)²: over m
// values, Σ_{i,j} (v_i − v_j)² = 2·m·Σ_i (v_i − mean)².
func intervalDisagreements(units [][]float64, n int) (observed, expected float64) {
	var sum float64
	for _, u := range units {
		sum += mean(u) * float64(len(u))
	}
	grand := sum / float64(n)
	var ssAll float64
	for _, u := range units {
		m := mean(u)
		var ss float64
		for _, v := range u {
			ss += (v - m) * (v - m)
			ssAll += (v - grand) * (v - grand)
		}
		observed += 2 * float64(len(u)) * ss / float64(len(u)-1)
	}
	return observed, 2 * float64(n) * ssAll
}

// ordinalScale replaces each value by its mid-rank among all pairable values.
// Krippendorff's ordinal difference between values c < k is
// (Σ_{g=c..k} n_g − (n_c + n_k)/2)², and that sum is exactly the distance
// between the mid-ranks r_c = Σ_{g<c} n_g + n_c/2 and r_k: so ordinal α is
// interval α computed on mid-ranks.
func ordinalScale(units [][]float64) [][]float64 {
	counts := make(map[float64]float64)
	for _, u := range units {
		for _, v := range u {
			counts[v]++
		}
	}
	values := make([]float64, 0, len(counts))
	for v := range counts {
		values = append(values, v)
	}
	slices.Sort(values)
	rank := make(map[float64]float64, len(values))
	var below float64
	for _, v := range values {
		rank[v] = below + counts[v]/2
		below += counts[v]
	}
	out := make([][]float64, len(units))
	for i, u := range units {
		out[i] = make([]float64, len(u))
		for j, v := range u {
			out[i][j] = rank[v]
		}
	}
	return out
}
