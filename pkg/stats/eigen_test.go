package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// symEigen must return A = QΛQᵀ with Q orthonormal, including for the
// singular, rank-deficient matrices interviewer designs produce.
func TestSymEigenReconstructs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, m := range []int{1, 2, 5, 30} {
		a := make([]float64, m*m)
		for i := range m {
			for j := i; j < m; j++ {
				a[i*m+j] = rng.NormFloat64()
				a[j*m+i] = a[i*m+j]
			}
		}
		// Make the rows sum to zero, as in an information matrix.
		for i := range m {
			var sum float64
			for j := range m {
				sum += a[i*m+j]
			}
			if m > 1 {
				a[i*m+i] -= sum
			}
		}
		orig := slices.Clone(a)
		vals, vecs, ok := symEigen(a, m, 100, 1e-12)
		if !ok {
			t.Fatalf("symEigen(%d×%d) did not converge", m, m)
		}
		for i := range m {
			for j := range m {
				var rec, dot float64
				for k := range m {
					rec += vecs[i*m+k] * vals[k] * vecs[j*m+k]
					dot += vecs[k*m+i] * vecs[k*m+j]
				}
				if math.Abs(rec-orig[i*m+j]) > 1e-9 {
					t.Errorf("symEigen(%d×%d): (QΛQᵀ)[%d][%d] = %v, want %v", m, m, i, j, rec, orig[i*m+j])
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-9 {
					t.Errorf("symEigen(%d×%d): (QᵀQ)[%d][%d] = %v, want %v", m, m, i, j, dot, want)
				}
			}
		}
	}
}
