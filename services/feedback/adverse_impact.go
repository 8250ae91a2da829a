package feedback

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/stats"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Adverse-impact monitoring (compliance.proto): pure functions of what
// each candidate of a role reached, the answer they gave in one category,
// and their submitted ratings. The handler (self_identification.go) reads
// those; nothing here does I/O.

// minCell is the smallest count a report shows: a group with fewer
// selected or not selected at a stage is suppressed there, and a group
// with fewer rated candidates shows no competency means. Small cells
// identify people and mislead.
const minCell = 5

// fourFifths is the Uniform Guidelines' threshold (29 CFR 1607.4(D)).
const fourFifths = 0.8

// impactCandidate is what the report needs of one candidate.
type impactCandidate struct {
	Answer       string // the answer in the category, "" when none
	Interviewed  bool   // at least one interview
	LoopComplete bool   // every interview's scorecard submitted
	Hired        bool   // the decision is a hire
	// Ratings are the scores of their submitted scorecards, by competency.
	Ratings map[string][]float64
}

const impactBasis = "Each group's selection rate at a stage is how many of those who reached it went on. " +
	"By the four-fifths rule of the US Uniform Guidelines on Employee Selection Procedures (29 CFR 1607.4(D)), " +
	"a rate under 80 %% of the highest group's is evidence of adverse impact. With small groups that ratio swings " +
	"by chance, so Fisher's exact test of each group against the highest is beside it (two-sided): a small p-value " +
	"(under 0.05) says the difference is unlikely to be chance alone; a large one does not say there is no difference. " +
	"Groups are the candidates' voluntary answers; those who gave none are in no group. A cell (selected, or not " +
	"selected) under %d is suppressed, as are competency means over fewer than %d candidates. Neither measure says " +
	"why a difference exists: look at the stage, the rubric and the interviews behind it."

// buildAdverseImpact computes the report of a role in a category.
func buildAdverseImpact(role string, cat *feedbackv1.SelfIdentificationCategory, cands []impactCandidate, competencies []string, now time.Time) *feedbackv1.AdverseImpactReport {
	rep := &feedbackv1.AdverseImpactReport{
		Role: "roles/" + role, Category: cat, ComputeTime: timestamppb.New(now), Candidates: int32(len(cands)),
		MinCell: minCell, Basis: fmt.Sprintf(impactBasis, minCell, minCell),
	}
	answered := map[string]bool{}
	for _, c := range cands {
		if c.Answer == "" {
			rep.Unanswered++
		} else {
			answered[c.Answer] = true
		}
	}
	var groups []*feedbackv1.SelfIdentificationAnswer
	for _, a := range cat.GetAnswers() {
		if answered[a.GetId()] {
			groups = append(groups, a)
		}
	}
	stages := []struct {
		id, title     string
		reached, onTo func(impactCandidate) bool
	}{
		{"loop_completed", "Interviewed → every scorecard submitted",
			func(c impactCandidate) bool { return c.Interviewed }, func(c impactCandidate) bool { return c.LoopComplete }},
		{"hired", "Every scorecard submitted → hire decision",
			func(c impactCandidate) bool { return c.LoopComplete }, func(c impactCandidate) bool { return c.Hired }},
	}
	for _, st := range stages {
		stage := &feedbackv1.AdverseImpactStage{Stage: st.id, Title: st.title}
		for _, g := range groups {
			row := &feedbackv1.AdverseImpactGroup{Answer: g}
			for _, c := range cands {
				if c.Answer == g.GetId() && st.reached(c) {
					row.Candidates++
					if st.onTo(c) {
						row.Selected++
					}
				}
			}
			stage.Groups = append(stage.Groups, row)
		}
		compareGroups(stage.Groups)
		rep.Stages = append(rep.Stages, stage)
	}
	for _, comp := range competencies {
		row := &feedbackv1.AdverseImpactCompetency{Competency: comp}
		for _, g := range groups {
			var scores []float64
			rated := 0
			for _, c := range cands {
				if c.Answer == g.GetId() && len(c.Ratings[comp]) > 0 {
					rated++
					scores = append(scores, c.Ratings[comp]...)
				}
			}
			m := &feedbackv1.AdverseImpactMean{Answer: g, Suppressed: rated < minCell}
			if !m.Suppressed {
				m.Ratings = int32(len(scores))
				m.Mean, _ = stats.Mean(scores)
			}
			row.Groups = append(row.Groups, m)
		}
		rep.Competencies = append(rep.Competencies, row)
	}
	return rep
}

// compareGroups suppresses the small groups of a stage, finds the highest
// rate among the others, and compares each with it.
func compareGroups(rows []*feedbackv1.AdverseImpactGroup) {
	var highest *feedbackv1.AdverseImpactGroup
	for _, r := range rows {
		if r.GetSelected() < minCell || r.GetCandidates()-r.GetSelected() < minCell {
			*r = feedbackv1.AdverseImpactGroup{Answer: r.GetAnswer(), Suppressed: true}
			continue
		}
		r.SelectionRate = float64(r.GetSelected()) / float64(r.GetCandidates())
		if highest == nil || r.GetSelectionRate() > highest.GetSelectionRate() {
			highest = r
		}
	}
	if highest == nil {
		return
	}
	highest.Highest = true
	for _, r := range rows {
		if r.GetSuppressed() {
			continue
		}
		r.ImpactRatio = r.GetSelectionRate() / highest.GetSelectionRate()
		r.BelowFourFifths = r.GetImpactRatio() < fourFifths
		p, err := stats.FisherExact(int(r.GetSelected()), int(r.GetCandidates()-r.GetSelected()),
			int(highest.GetSelected()), int(highest.GetCandidates()-highest.GetSelected()))
		if err == nil {
			r.FisherP = p
		}
	}
}
