package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Rating is one score on one scorecard: interviewer Interviewer's score for
// candidate Candidate on competency Competency.
type Rating struct {
	Candidate, Interviewer, Competency string
	Score                              float64
}

// LeniencyOptions tunes FitLeniency; the zero value is the default.
type LeniencyOptions struct {
	// MaxIterations caps the search for τ²/σ² and the sweeps of the
	// eigen-decomposition. Zero means 200.
	MaxIterations int
	// Tolerance is the width, in τ²/(τ²+σ²), at which the search stops, and
	// the relative off-diagonal mass at which the eigen-decomposition does.
	// Zero means 1e-10.
	Tolerance float64
}

// InterviewerEffect is one interviewer's estimated leniency.
type InterviewerEffect struct {
	Interviewer string
	// N is the number of ratings the interviewer gave.
	N int
	// Effect is how far the interviewer's scores sit above (positive) or
	// below the other interviewers' for the same candidates and
	// competencies, shrunk towards zero by how little evidence there is:
	// the posterior mean (BLUP) of the interviewer's random effect, relative
	// to the pool's average.
	Effect float64
	// SE is the posterior standard deviation of Effect, and Low–High the 95 %
	// interval Effect ± 1.96·SE. They take the uncertainty of the candidates'
	// levels into account, but not that of σ² and τ².
	SE, Low, High float64
	// RawDeviation is the unshrunk estimate: the interviewer's average
	// deviation from the other interviewers' scores for the same candidate
	// and competency (zero when they never shared one).
	RawDeviation float64
}

// CompetencyScore is a candidate's mean score on one competency.
type CompetencyScore struct {
	Competency string
	N          int
	// RawMean averages the scores as given; CalibratedMean averages each
	// score minus its interviewer's Effect.
	RawMean, CalibratedMean float64
}

// CandidateScore is a candidate's mean score over all ratings and per
// competency.
type CandidateScore struct {
	Candidate               string
	N                       int
	RawMean, CalibratedMean float64
	Competencies            []CompetencyScore // sorted by Competency
}

// LeniencyModel is a fitted leniency model; see FitLeniency.
type LeniencyModel struct {
	Interviewers []InterviewerEffect // sorted by Interviewer
	Candidates   []CandidateScore    // sorted by Candidate
	// Sigma2 is the residual variance σ² of a single score; Tau2 the variance
	// τ² of leniency between interviewers (REML estimates).
	Sigma2, Tau2 float64
	Ratings      int
	// Iterations of the variance search; Converged is false when it, or the
	// eigen-decomposition, stopped at MaxIterations before Tolerance.
	Iterations int
	Converged  bool
}

// Effect returns the named interviewer's effect.
func (m *LeniencyModel) Effect(interviewer string) (InterviewerEffect, bool) {
	i, ok := slices.BinarySearchFunc(m.Interviewers, interviewer, func(e InterviewerEffect, id string) int {
		return strings.Compare(e.Interviewer, id)
	})
	if !ok {
		return InterviewerEffect{}, false
	}
	return m.Interviewers[i], true
}

// Calibrate returns r's score minus its interviewer's effect; false if the
// interviewer is not in the model.
func (m *LeniencyModel) Calibrate(r Rating) (float64, bool) {
	e, ok := m.Effect(r.Interviewer)
	if !ok {
		return 0, false
	}
	return r.Score - e.Effect, true
}

// FitLeniency fits the linear mixed model
//
//	score = μ[candidate, competency] + u[interviewer] + ε,
//	u ~ N(0, τ²), ε ~ N(0, σ²),
//
// with a fixed level for each candidate on each competency and a random
// leniency for each interviewer; σ² and τ² are estimated by restricted maximum
// likelihood (REML) and the leniencies are their empirical-Bayes posterior
// means. See the package documentation for why this model.
//
// The cost is O(ratings) to absorb the candidate levels, plus O(m³) for the
// eigen-decomposition of the m × m interviewer information matrix, after which
// every likelihood evaluation is O(m). It is deterministic: keys are sorted,
// and no map order reaches a floating-point sum.
func FitLeniency(ratings []Rating, opts LeniencyOptions) (*LeniencyModel, error) {
	if opts.MaxIterations <= 0 {
		opts.MaxIterations = 200
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = 1e-10
	}
	for i, r := range ratings {
		if r.Candidate == "" || r.Interviewer == "" {
			return nil, fmt.Errorf("fit leniency: rating %d has no candidate or no interviewer", i)
		}
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			return nil, fmt.Errorf("fit leniency: %w: rating %d has score %v", ErrNonFinite, i, r.Score)
		}
	}
	d := newDesign(ratings)
	m := len(d.interviewers)
	if m < 2 {
		return nil, fmt.Errorf("fit leniency: %w: %d interviewers, need at least 2", ErrTooFewValues, m)
	}

	// Absorb the candidate × competency levels: work with deviations from
	// each cell's mean. G = ZᵀMZ is the interviewers' information matrix,
	// s = ZᵀMy their summed deviations.
	g, s, q0 := d.absorb(ratings)
	var trace float64
	for j := range m {
		trace += g[j*m+j]
	}
	df := float64(len(ratings) - len(d.cellCount))
	if trace == 0 || df <= 0 {
		return nil, fmt.Errorf("fit leniency: %w", ErrNoOverlap)
	}
	if q0 <= 1e-12*float64(len(ratings)) {
		return nil, fmt.Errorf("fit leniency: %w: interviewers agree exactly on every shared candidate and competency", ErrNoVariation)
	}
	gDiag := make([]float64, m)
	for j := range m {
		gDiag[j] = g[j*m+j]
	}

	lambda, q, eigOK := symEigen(g, m, opts.MaxIterations, opts.Tolerance)
	for k := range lambda {
		// Round-off can leave a zero eigenvalue slightly negative; G is
		// positive semi-definite.
		lambda[k] = math.Max(lambda[k], 0)
	}
	w := make([]float64, m)
	for k := range m {
		for j := range m {
			w[k] += q[j*m+k] * s[j]
		}
	}
	problem := remlProblem{lambda: lambda, w: w, q0: q0, df: df}
	gamma, iters, searchOK := problem.fit(opts.MaxIterations, opts.Tolerance)
	sigma2 := problem.sigma2(gamma)

	model := &LeniencyModel{
		Sigma2:     sigma2,
		Tau2:       gamma * sigma2,
		Ratings:    len(ratings),
		Iterations: iters,
		Converged:  eigOK && searchOK,
	}
	model.Interviewers = posterior(d.interviewers, d.interviewerN, lambda, q, w, s, gDiag, gamma, sigma2)
	effects := make([]float64, m)
	for j, e := range model.Interviewers {
		effects[j] = e.Effect
	}
	model.Candidates = d.candidateScores(ratings, effects)
	return model, nil
}

// posterior turns the fitted variance ratio into each interviewer's effect
// and standard error. In the eigenbasis the posterior of u is
// N(Q·D·w, σ²·Q·D·Qᵀ) with D = diag(γ/(1+γλ_k)).
func posterior(names []string, n []int, lambda, q, w, s, gDiag []float64, gamma, sigma2 float64) []InterviewerEffect {
	m := len(names)
	dk := make([]float64, m)
	h := make([]float64, m) // column sums of Q: 1ᵀq_k
	var total float64       // 1ᵀ·Cov·1 / σ²
	for k := range m {
		dk[k] = gamma / (1 + gamma*lambda[k])
		for j := range m {
			h[k] += q[j*m+k]
		}
		total += dk[k] * h[k] * h[k]
	}
	mf := float64(m)
	out := make([]InterviewerEffect, m)
	for j := range m {
		var effect, cjj, rowSum float64
		for k := range m {
			qjk := q[j*m+k]
			effect += qjk * dk[k] * w[k]
			cjj += qjk * qjk * dk[k]
			rowSum += qjk * dk[k] * h[k]
		}
		// Var(u_j − ū): the pool's average leniency cannot be told apart
		// from the candidates' levels, so effects (which sum to zero) are
		// relative to it, and so is their uncertainty.
		v := sigma2 * (cjj - 2*rowSum/mf + total/(mf*mf))
		se := math.Sqrt(math.Max(v, 0))
		raw := 0.0
		if gDiag[j] > 0 {
			raw = s[j] / gDiag[j]
		}
		out[j] = InterviewerEffect{
			Interviewer:  names[j],
			N:            n[j],
			Effect:       effect,
			SE:           se,
			Low:          effect - 1.959963984540054*se,
			High:         effect + 1.959963984540054*se,
			RawDeviation: raw,
		}
	}
	return out
}

// design indexes the ratings: sorted candidate, interviewer and competency
// names, and one cell per (candidate, competency) pair that was scored.
type design struct {
	candidates, interviewers, competencies []string
	cand, intv, cell                       []int // per rating
	interviewerN                           []int
	cellCount                              []int
	cellCand, cellComp                     []int // per cell
}

func newDesign(ratings []Rating) *design {
	d := &design{}
	var candIdx, intvIdx, compIdx map[string]int
	d.candidates, candIdx = sortedKeys(ratings, func(r Rating) string { return r.Candidate })
	d.interviewers, intvIdx = sortedKeys(ratings, func(r Rating) string { return r.Interviewer })
	d.competencies, compIdx = sortedKeys(ratings, func(r Rating) string { return r.Competency })
	d.cand = make([]int, len(ratings))
	d.intv = make([]int, len(ratings))
	d.cell = make([]int, len(ratings))
	d.interviewerN = make([]int, len(d.interviewers))
	// Cells are numbered in (candidate, competency) order so that the
	// per-candidate output can walk them in order.
	nComp := len(d.competencies)
	cellOf := make(map[int]int)
	keys := make([]int, 0)
	for i, r := range ratings {
		d.cand[i] = candIdx[r.Candidate]
		d.intv[i] = intvIdx[r.Interviewer]
		d.interviewerN[d.intv[i]]++
		key := d.cand[i]*nComp + compIdx[r.Competency]
		if _, ok := cellOf[key]; !ok {
			cellOf[key] = 0
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for c, key := range keys {
		cellOf[key] = c
		d.cellCand = append(d.cellCand, key/nComp)
		d.cellComp = append(d.cellComp, key%nComp)
	}
	d.cellCount = make([]int, len(keys))
	for i, r := range ratings {
		d.cell[i] = cellOf[d.cand[i]*nComp+compIdx[r.Competency]]
		d.cellCount[d.cell[i]]++
	}
	return d
}

// absorb returns G = ZᵀMZ (row-major m×m), s = ZᵀMy and yᵀMy, where M takes
// deviations from the cell means. For a cell of n ratings with n_j by
// interviewer j, G gains n_j on its diagonal and loses n_j·n_l/n at (j, l).
func (d *design) absorb(ratings []Rating) (g, s []float64, q0 float64) {
	m := len(d.interviewers)
	nCells := len(d.cellCount)
	cellMean := make([]float64, nCells)
	for i, r := range ratings {
		cellMean[d.cell[i]] += r.Score
	}
	for c := range cellMean {
		cellMean[c] /= float64(d.cellCount[c])
	}
	s = make([]float64, m)
	for i, r := range ratings {
		e := r.Score - cellMean[d.cell[i]]
		q0 += e * e
		s[d.intv[i]] += e
	}

	// Group rating indices by cell (counting sort), then count each
	// interviewer within the cell; cells hold a handful of interviewers.
	start := make([]int, nCells+1)
	for c, n := range d.cellCount {
		start[c+1] = start[c] + n
	}
	order := make([]int, len(ratings))
	next := slices.Clone(start[:nCells])
	for i := range ratings {
		order[next[d.cell[i]]] = i
		next[d.cell[i]]++
	}
	g = make([]float64, m*m)
	type count struct{ intv, n int }
	var counts []count
	for c := range nCells {
		counts = counts[:0]
		for _, i := range order[start[c]:start[c+1]] {
			found := false
			for k := range counts {
				if counts[k].intv == d.intv[i] {
					counts[k].n++
					found = true
					break
				}
			}
			if !found {
				counts = append(counts, count{d.intv[i], 1})
			}
		}
		n := float64(d.cellCount[c])
		for _, a := range counts {
			g[a.intv*m+a.intv] += float64(a.n)
			for _, b := range counts {
				g[a.intv*m+b.intv] -= float64(a.n) * float64(b.n) / n
			}
		}
	}
	return g, s, q0
}

// candidateScores averages each candidate's raw and calibrated scores,
// overall and per competency.
func (d *design) candidateScores(ratings []Rating, effects []float64) []CandidateScore {
	nCells := len(d.cellCount)
	raw := make([]float64, nCells)
	cal := make([]float64, nCells)
	for i, r := range ratings {
		raw[d.cell[i]] += r.Score
		cal[d.cell[i]] += r.Score - effects[d.intv[i]]
	}
	out := make([]CandidateScore, len(d.candidates))
	for c := range out {
		out[c].Candidate = d.candidates[c]
	}
	for c := range nCells {
		cs := &out[d.cellCand[c]]
		n := d.cellCount[c]
		cs.Competencies = append(cs.Competencies, CompetencyScore{
			Competency:     d.competencies[d.cellComp[c]],
			N:              n,
			RawMean:        raw[c] / float64(n),
			CalibratedMean: cal[c] / float64(n),
		})
		cs.N += n
		cs.RawMean += raw[c]
		cs.CalibratedMean += cal[c]
	}
	for c := range out {
		out[c].RawMean /= float64(out[c].N)
		out[c].CalibratedMean /= float64(out[c].N)
	}
	return out
}

func sortedKeys(ratings []Rating, key func(Rating) string) ([]string, map[string]int) {
	idx := make(map[string]int)
	for _, r := range ratings {
		idx[key(r)] = 0
	}
	names := make([]string, 0, len(idx))
	for k := range idx {
		names = append(names, k)
	}
	slices.Sort(names)
	for i, k := range names {
		idx[k] = i
	}
	return names, idx
}
