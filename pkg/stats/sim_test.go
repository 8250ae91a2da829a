package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// panel is a synthetic hiring panel with known truth: each candidate has an
// ability, each interviewer a leniency, and every score is
// 3 + ability + competency offset + candidate-by-competency wobble +
// leniency + noise.
type panel struct {
	ratings   []Rating
	ability   map[string]float64
	leniency  map[string]float64
	interview int // interviews held
}

type panelSpec struct {
	candidates, interviewers, competencies int
	minMeet, maxMeet                       int     // interviewers per candidate
	tau, sigma                             float64 // true leniency and noise SDs
	round                                  bool    // integer scores clamped to 1–5
}

func simulatePanel(seed uint64, spec panelSpec) panel {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	p := panel{ability: map[string]float64{}, leniency: map[string]float64{}}
	interviewers := make([]string, spec.interviewers)
	for j := range interviewers {
		interviewers[j] = fmt.Sprintf("interviewer-%03d", j)
		p.leniency[interviewers[j]] = spec.tau * rng.NormFloat64()
	}
	offsets := make([]float64, spec.competencies)
	for q := range offsets {
		offsets[q] = 0.3 * rng.NormFloat64()
	}
	for c := range spec.candidates {
		cand := fmt.Sprintf("candidate-%05d", c)
		ability := 0.8 * rng.NormFloat64()
		p.ability[cand] = ability
		wobble := make([]float64, spec.competencies)
		for q := range wobble {
			wobble[q] = 0.3 * rng.NormFloat64()
		}
		meet := spec.minMeet + rng.IntN(spec.maxMeet-spec.minMeet+1)
		for _, j := range rng.Perm(spec.interviewers)[:meet] {
			p.interview++
			for q := range spec.competencies {
				score := 3 + ability + offsets[q] + wobble[q] + p.leniency[interviewers[j]] + spec.sigma*rng.NormFloat64()
				if spec.round {
					score = math.Max(1, math.Min(5, math.Round(score)))
				}
				p.ratings = append(p.ratings, Rating{
					Candidate:   cand,
					Interviewer: interviewers[j],
					Competency:  fmt.Sprintf("competency-%d", q),
					Score:       score,
				})
			}
		}
	}
	return p
}

// alphaData lays the panel out for KrippendorffAlpha: one unit per candidate
// and competency, one column per interviewer.
func (p panel) alphaData(interviewers int) Ratings {
	unit := map[[2]string]int{}
	var r Ratings
	col := map[string]int{}
	for _, x := range p.ratings {
		key := [2]string{x.Candidate, x.Competency}
		u, ok := unit[key]
		if !ok {
			u = len(r)
			unit[key] = u
			row := make([]float64, interviewers)
			for i := range row {
				row[i] = math.NaN()
			}
			r = append(r, row)
		}
		c, ok := col[x.Interviewer]
		if !ok {
			c = len(col)
			col[x.Interviewer] = c
		}
		r[u][c] = x.Score
	}
	return r
}
