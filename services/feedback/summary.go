package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// SummarizeCandidate is the debrief view, built from the scorecards the
// caller may see (visibility.go): submitted ones, and an interviewer's own.
func (s *Server) SummarizeCandidate(ctx context.Context, req *feedbackv1.SummarizeCandidateRequest) (*feedbackv1.CandidateSummary, error) {
	p, err := s.panelOf(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	v := viewerOf(ctx)
	var cards []card
	for i := range p.candidate.Data.Interviews {
		iv := &p.candidate.Data.Interviews[i]
		sc := p.scorecards[iv.ID]
		// The debrief counts submitted judgements only: the viewer's own
		// draft is theirs to read, not yet the panel's view.
		if sc == nil || !sc.Data.Submitted || v.seeScorecard(p, &sc.Data) == hidden {
			continue
		}
		cards = append(cards, card{interview: iv, scorecard: &sc.Data})
	}
	sum := summarize(cards, s.opts.MinCoverage)
	sum.Candidate, sum.DisplayName = p.candidate.Name, p.candidate.Data.DisplayName
	// Calibrated scores beside the raw ones, from the role's kept report
	// (one read by _id), for those who may see them (keptCalibration).
	var means map[string]float64
	if sum.Calibration, means, err = s.panelCalibration(ctx, v, p.candidate.Data.Role, cards); err != nil {
		return nil, err
	}
	for _, cs := range sum.Competencies {
		if m, ok := means[cs.Competency]; ok {
			cs.CalibratedMean = &m
		}
	}
	for i := range p.candidate.Data.Interviews {
		iv := &p.candidate.Data.Interviews[i]
		sum.Interviews = append(sum.Interviews, interviewToProto(p.candidate, iv, v.seesSubmitted(p, iv)))
	}
	return sum, nil
}

// card is one visible submitted scorecard with its interview.
type card struct {
	interview *interview
	scorecard *scorecard
}

// summarize builds the per-competency view of a panel. Pure.
func summarize(cards []card, minCoverage int) *feedbackv1.CandidateSummary {
	sum := &feedbackv1.CandidateSummary{MinCoverage: int32(minCoverage), Scorecards: int32(len(cards))}
	var order []string
	scores := map[string][]*feedbackv1.Score{}
	tally := map[feedbackv1.Recommendation]int32{}
	for _, c := range cards {
		for _, f := range c.interview.Focus {
			if !slices.Contains(order, f) {
				order = append(order, f)
			}
		}
		for _, r := range c.scorecard.Ratings {
			if r.NotAssessed {
				continue
			}
			scores[r.Competency] = append(scores[r.Competency], &feedbackv1.Score{
				Interviewer: c.interview.Interviewer, Interview: c.interview.ID, Score: r.Score, Evidence: r.Evidence,
			})
		}
		tally[feedbackv1.Recommendation(c.scorecard.Recommendation)]++
	}
	for _, comp := range order {
		cs := &feedbackv1.CompetencySummary{Competency: comp, Scores: scores[comp], Assessed: int32(len(scores[comp]))}
		if n := len(cs.Scores); n > 0 {
			lo, hi, total := cs.Scores[0].Score, cs.Scores[0].Score, 0.0
			for _, s := range cs.Scores {
				lo, hi, total = min(lo, s.Score), max(hi, s.Score), total+float64(s.Score)
			}
			cs.Mean, cs.Spread = total/float64(n), hi-lo
			cs.Disagreement = cs.Spread >= 2
		}
		cs.LowCoverage = int(cs.Assessed) < minCoverage
		sum.Competencies = append(sum.Competencies, cs)
	}
	for _, r := range []feedbackv1.Recommendation{
		feedbackv1.Recommendation_RECOMMENDATION_STRONG_NO, feedbackv1.Recommendation_RECOMMENDATION_NO,
		feedbackv1.Recommendation_RECOMMENDATION_YES, feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES,
	} {
		sum.Recommendations = append(sum.Recommendations, &feedbackv1.RecommendationCount{Recommendation: r, Count: tally[r]})
	}
	return sum
}

// maxCompared bounds a comparison by role.
const maxCompared = 200

// CompareCandidates lays candidates side by side: competency means from
// their submitted scorecards, and an overall score weighted by the rubrics.
func (s *Server) CompareCandidates(ctx context.Context, req *feedbackv1.CompareCandidatesRequest) (*feedbackv1.CompareCandidatesResponse, error) {
	names := req.GetNames()
	if len(names) == 0 {
		if req.GetRole() == "" {
			return nil, apierr.Invalid("names", "name the candidates to compare, or give a role")
		}
		docs, _, err := s.listCandidates(ctx, "", "compare", maxCompared, req.GetRole())
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			names = append(names, d.Name)
		}
	}
	resp := &feedbackv1.CompareCandidatesResponse{Calibrations: map[string]*feedbackv1.Calibration{}}
	v := viewerOf(ctx)
	type keptOf struct {
		doc      *calibrationDoc
		withheld *feedbackv1.Calibration
	}
	kept := map[string]keptOf{}
	var rowParts []overallParts
	// The panels are independent reads by _id: a few at a time.
	panels := make([]*panel, len(names))
	err := readEach(ctx, len(names), func(ctx context.Context, i int) error {
		var err error
		panels[i], err = s.listedPanel(ctx, names[i], true)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range panels {
		role := p.candidate.Data.Role
		k, ok := kept[role]
		if !ok {
			if k.doc, k.withheld, err = s.keptCalibration(ctx, v, role); err != nil {
				return nil, err
			}
			kept[role] = k
			if k.doc == nil {
				resp.Calibrations[role] = k.withheld
			}
		}
		row, comps, parts, err := s.compareRow(ctx, p, k.doc, resp.Calibrations)
		if err != nil {
			return nil, err
		}
		rowParts = append(rowParts, parts)
		for _, c := range comps {
			if !slices.Contains(resp.Competencies, c) {
				resp.Competencies = append(resp.Competencies, c)
			}
		}
		resp.Candidates = append(resp.Candidates, row)
	}
	shareOverall(resp, rowParts)
	return resp, nil
}

// overallParts are what a row's overall score is made of, per competency:
// its weight and its calibrated mean (when calibrated).
type overallParts struct {
	weight, calibrated map[string]float64
	applied            bool
}

// shareOverall finds the competencies every candidate with a submitted
// scorecard was assessed on, and scores each row over those only.
func shareOverall(resp *feedbackv1.CompareCandidatesResponse, parts []overallParts) {
	var shared []string
	for _, c := range resp.Competencies {
		all, some := true, false
		for _, row := range resp.Candidates {
			if row.GetScorecards() == 0 {
				continue
			}
			some = true
			if _, ok := row.GetCompetencyMeans()[c]; !ok {
				all = false
				break
			}
		}
		if all && some {
			shared = append(shared, c)
		}
	}
	resp.SharedCompetencies = shared
	if len(shared) == 0 {
		return
	}
	for i, row := range resp.Candidates {
		if row.GetScorecards() == 0 {
			continue
		}
		var raw, cal, total float64
		for _, c := range shared {
			w := parts[i].weight[c]
			raw += w * row.GetCompetencyMeans()[c]
			cal += w * parts[i].calibrated[c]
			total += w
		}
		if total == 0 {
			continue
		}
		row.SharedOverall = proto.Float64(raw / total)
		if parts[i].applied {
			row.CalibratedSharedOverall = proto.Float64(cal / total)
		}
	}
}

// compareRow is one candidate's row: the means of the submitted scorecards
// the caller may see, and their mean weighted by the rubrics' weights.
func (s *Server) compareRow(ctx context.Context, p *panel, kept *calibrationDoc, notes map[string]*feedbackv1.Calibration) (*feedbackv1.CandidateComparison, []string, overallParts, error) {
	parts := overallParts{weight: map[string]float64{}}
	v := viewerOf(ctx)
	var cards []card
	weights := map[string][]float64{}
	for i := range p.candidate.Data.Interviews {
		iv := &p.candidate.Data.Interviews[i]
		sc := p.scorecards[iv.ID]
		if sc == nil || !sc.Data.Submitted || v.seeScorecard(p, &sc.Data) == hidden {
			continue
		}
		cards = append(cards, card{interview: iv, scorecard: &sc.Data})
		rev, err := s.rubrics.get(ctx, iv.Rubric, "rubric")
		var gone *apierr.InvalidArgumentError
		if errors.As(err, &gone) {
			continue // the revision is gone from the rubric service: weigh 1
		}
		if err != nil {
			return nil, nil, parts, err
		}
		for _, c := range rev.GetSnapshot().GetCompetencies() {
			weights[c.GetId()] = append(weights[c.GetId()], weightOf(c))
		}
	}
	sum := summarize(cards, 1)
	row := &feedbackv1.CandidateComparison{
		Candidate: p.candidate.Name, DisplayName: p.candidate.Data.DisplayName,
		CompetencyMeans: map[string]float64{}, Scorecards: sum.Scorecards,
	}
	cal, calibrated := &feedbackv1.Calibration{}, map[string]float64{}
	if kept != nil {
		sc, err := s.scalesOf(ctx, cardRubrics(cards))
		if err != nil {
			return nil, nil, parts, err
		}
		cal, calibrated = calibrate(kept, p.candidate.Data.Role, cards, sc)
		if notes[p.candidate.Data.Role] == nil {
			// The role's note: when and over how many scorecards, not one
			// panel's effects.
			notes[p.candidate.Data.Role] = &feedbackv1.Calibration{
				Applied: true, ComputeTime: cal.ComputeTime, ReportScorecards: cal.ReportScorecards,
				Note: fmt.Sprintf("calibrated with the report of role %s computed at %s over %d scorecards", p.candidate.Data.Role, kept.ComputeTime.Format(time.RFC3339), kept.Scorecards),
			}
		}
	}
	var comps []string
	var weighted, calWeighted, total float64
	for _, cs := range sum.Competencies {
		comps = append(comps, cs.Competency)
		if cs.Assessed == 0 {
			continue
		}
		row.CompetencyMeans[cs.Competency] = cs.Mean
		w := mean(weights[cs.Competency], 1)
		parts.weight[cs.Competency] = w
		weighted += w * cs.Mean
		calWeighted += w * calibrated[cs.Competency]
		total += w
	}
	if total > 0 {
		row.Overall = weighted / total
		if cal.Applied {
			v := calWeighted / total
			row.CalibratedOverall = &v
		}
	}
	parts.calibrated, parts.applied = calibrated, cal.Applied
	return row, comps, parts, nil
}

func weightOf(c *rubricv1.Competency) float64 {
	if w := c.GetWeight(); w > 0 {
		return w
	}
	return 1
}

// mean of xs, or otherwise when there are none.
func mean(xs []float64, otherwise float64) float64 {
	if len(xs) == 0 {
		return otherwise
	}
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total / float64(len(xs))
}
