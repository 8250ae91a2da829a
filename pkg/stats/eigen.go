package stats

import "math"

// symEigen diagonalises the symmetric m×m matrix a (row-major; overwritten)
// by cyclic Jacobi rotations, returning its eigenvalues and a row-major
// matrix whose columns are the matching orthonormal eigenvectors.
//
// Jacobi is slower than tridiagonal QR by a constant factor but short,
// unconditionally stable and accurate for small eigenvalues, which matter
// here: the zero eigenvalues of the interviewer information matrix are the
// directions the scorecards cannot resolve. The matrix is interviewers ×
// interviewers, so m is an interviewer pool (tens to hundreds), not a count
// of ratings.
func symEigen(a []float64, m, maxSweeps int, tol float64) (vals, vecs []float64, converged bool) {
	vecs = make([]float64, m*m)
	for i := range m {
		vecs[i*m+i] = 1
	}
	var total float64
	for _, x := range a {
		total += x * x
	}
	for range maxSweeps {
		var off float64
		for p := range m {
			for q := p + 1; q < m; q++ {
				off += 2 * a[p*m+q] * a[p*m+q]
			}
		}
		if off <= tol*tol*total {
			converged = true
			break
		}
		for p := range m {
			for q := p + 1; q < m; q++ {
				rotate(a, vecs, m, p, q)
			}
		}
	}
	vals = make([]float64, m)
	for i := range m {
		vals[i] = a[i*m+i]
	}
	return vals, vecs, converged
}

// rotate applies the Jacobi rotation that zeroes a[p][q]: a ← JᵀaJ,
// vecs ← vecs·J, with J the identity except J_pp = J_qq = c, J_pq = s,
// J_qp = −s and cot 2φ = (a_qq − a_pp)/(2a_pq).
func rotate(a, vecs []float64, m, p, q int) {
	apq := a[p*m+q]
	if apq == 0 {
		return
	}
	theta := (a[q*m+q] - a[p*m+p]) / (2 * apq)
	// The smaller root of t² + 2tθ − 1 = 0, so that |φ| ≤ π/4.
	t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
	if theta < 0 {
		t = -t
	}
	c := 1 / math.Sqrt(t*t+1)
	s := t * c
	for k := range m {
		akp, akq := a[k*m+p], a[k*m+q]
		a[k*m+p] = c*akp - s*akq
		a[k*m+q] = s*akp + c*akq
	}
	for k := range m {
		apk, aqk := a[p*m+k], a[q*m+k]
		a[p*m+k] = c*apk - s*aqk
		a[q*m+k] = s*apk + c*aqk
	}
	for k := range m {
		vkp, vkq := vecs[k*m+p], vecs[k*m+q]
		vecs[k*m+p] = c*vkp - s*vkq
		vecs[k*m+q] = s*vkp + c*vkq
	}
}
