package stats

import "math"

// remlProblem is the restricted (residual) likelihood of the leniency model,
// reduced to the interviewers' eigenbasis so that each evaluation costs
// O(interviewers).
//
// With the candidate × competency means absorbed (M = I − X(XᵀX)⁻¹Xᵀ), Z the
// rating-to-interviewer incidence and γ = τ²/σ², the standard identities
//
//	log|V| + log|XᵀV⁻¹X| = (N − p)·log σ² + log|I + γ·ZᵀMZ| + const
//	σ²·yᵀPy = yᵀMy − (ZᵀMy)ᵀ (ZᵀMZ + I/γ)⁻¹ (ZᵀMy)
//
// become sums over the eigenvalues λ_k of G = ZᵀMZ and the coordinates w_k of
// s = ZᵀMy in its eigenvectors. Profiling σ² out leaves one dimension, γ,
// searched directly: no EM iterations that crawl when τ² is near zero.
type remlProblem struct {
	lambda []float64 // eigenvalues of G, ≥ 0
	w      []float64 // s in the eigenbasis
	q0     float64   // yᵀMy: squared deviations from the cell means
	df     float64   // N − number of cells
}

// sigma2 is the REML estimate of σ² given γ.
func (p remlProblem) sigma2(gamma float64) float64 {
	q := p.q0
	for k, l := range p.lambda {
		q -= p.w[k] * p.w[k] * gamma / (1 + gamma*l)
	}
	// yᵀPy ≥ 0; a negative value is rounding when the interviewers explain
	// the scores almost exactly.
	return math.Max(q, p.q0*1e-12) / p.df
}

// deviance is −2 × the profiled restricted log-likelihood, up to a constant.
func (p remlProblem) deviance(gamma float64) float64 {
	d := p.df * math.Log(p.sigma2(gamma))
	for _, l := range p.lambda {
		d += math.Log1p(gamma * l)
	}
	return d
}

// fit minimises the deviance over ρ = γ/(1+γ) = τ²/(τ²+σ²) in [0, 1): a grid
// finds the basin (the profile is not guaranteed unimodal), golden-section
// search narrows it to tol. It returns γ, the golden-section iterations used
// and whether they reached tol before maxIter.
func (p remlProblem) fit(maxIter int, tol float64) (gamma float64, iters int, converged bool) {
	f := func(rho float64) float64 { return p.deviance(rho / (1 - rho)) }
	const steps = 100
	const top = 1 - 1e-9 // ρ = 1 is τ²/σ² = ∞
	best, bestF := 0, f(0)
	for i := 1; i < steps; i++ {
		if v := f(float64(i) / steps); v < bestF {
			best, bestF = i, v
		}
	}
	lo := math.Max(0, float64(best-1)/steps)
	hi := math.Min(top, float64(best+1)/steps)
	if best == steps-1 {
		hi = top
	}
	invPhi := (math.Sqrt(5) - 1) / 2
	c, d := hi-invPhi*(hi-lo), lo+invPhi*(hi-lo)
	fc, fd := f(c), f(d)
	for iters < maxIter && hi-lo > tol {
		iters++
		if fc < fd {
			hi, d, fd = d, c, fc
			c = hi - invPhi*(hi-lo)
			fc = f(c)
		} else {
			lo, c, fc = c, d, fd
			d = lo + invPhi*(hi-lo)
			fd = f(d)
		}
	}
	converged = hi-lo <= tol
	rho := (lo + hi) / 2
	// The optimum may sit on the boundary τ² = 0, which golden section
	// only approaches.
	if best == 0 && f(0) <= f(rho) {
		rho = 0
	}
	return rho / (1 - rho), iters, converged
}
