package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// debriefData is one candidate's debrief, as SummarizeCandidate gives it:
// only the scorecards the viewer may see are in it, so the page shows
// everything it gets and nothing else.
type debriefData struct {
	ID, Name, DisplayName string
	Scorecards            int
	MinCoverage           int
	Interviews            []debriefInterview
	Competencies          []debriefCompetency
	Recommendations       []debriefRecommendation
	Calibration           debriefCalibration
	Flagged               int // competencies with a flag, for the summary line
}

type debriefInterview struct {
	ID, Interviewer, Rubric, Focus string
	Scheduled                      debriefTime
	Submitted                      bool
}

type debriefCompetency struct {
	Competency   string
	Scores       []debriefScore
	Mean         float64
	Calibrated   float64
	HasCal       bool
	Shift        float64 // calibrated minus raw
	Spread       int
	Assessed     int
	LowCoverage  bool
	Disagreement bool
}

type debriefScore struct {
	Interviewer, Interview, Evidence string
	Score                            int
}

type debriefRecommendation struct {
	Label string
	Count int
}

type debriefCalibration struct {
	Present  bool
	Applied  bool
	Note     string
	Computed debriefTime
	Effects  []debriefEffect
}

type debriefEffect struct {
	Interviewer string
	Effect      float64
}

// debriefTime is a time as a page shows it, with its machine-readable form
// for <time datetime>.
type debriefTime struct {
	Text, ISO string
}

func debriefTimeOf(ts *timestamppb.Timestamp) debriefTime {
	if ts == nil {
		return debriefTime{}
	}
	t := ts.AsTime().UTC()
	return debriefTime{Text: t.Format("2 Jan 2006, 15:04 UTC"), ISO: t.Format(time.RFC3339)}
}

// debriefPage is the debrief of one candidate.
func (a *App) debriefPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	sum, err := a.feedback.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: debriefName(r.PathValue("id"))})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d := newDebrief(sum)
	title := d.DisplayName
	if title == "" {
		title = d.ID
	}
	a.render(w, s, http.StatusOK, "candidate", "Debrief: "+title, d)
}

func newDebrief(sum *feedbackv1.CandidateSummary) debriefData {
	d := debriefData{
		ID: debriefID(sum.GetCandidate()), Name: sum.GetCandidate(), DisplayName: sum.GetDisplayName(),
		Scorecards: int(sum.GetScorecards()), MinCoverage: int(sum.GetMinCoverage()),
	}
	for _, iv := range sum.GetInterviews() {
		name := iv.GetName()
		d.Interviews = append(d.Interviews, debriefInterview{
			ID: name[strings.LastIndex(name, "/")+1:], Interviewer: iv.GetInterviewer(), Rubric: iv.GetRubric(),
			Focus: strings.Join(iv.GetFocusCompetencies(), ", "), Scheduled: debriefTimeOf(iv.GetScheduledTime()),
			Submitted: iv.GetState() == feedbackv1.Interview_STATE_SUBMITTED,
		})
	}
	for _, c := range sum.GetCompetencies() {
		dc := debriefCompetency{
			Competency: c.GetCompetency(), Mean: c.GetMean(), Spread: int(c.GetSpread()), Assessed: int(c.GetAssessed()),
			LowCoverage: c.GetLowCoverage(), Disagreement: c.GetDisagreement(),
		}
		if c.CalibratedMean != nil {
			dc.HasCal, dc.Calibrated = true, c.GetCalibratedMean()
			dc.Shift = dc.Calibrated - dc.Mean
		}
		for _, sc := range c.GetScores() {
			iv := sc.GetInterview()
			dc.Scores = append(dc.Scores, debriefScore{
				Interviewer: sc.GetInterviewer(), Interview: iv[strings.LastIndex(iv, "/")+1:],
				Evidence: sc.GetEvidence(), Score: int(sc.GetScore()),
			})
		}
		if dc.LowCoverage || dc.Disagreement {
			d.Flagged++
		}
		d.Competencies = append(d.Competencies, dc)
	}
	for _, rc := range sum.GetRecommendations() {
		d.Recommendations = append(d.Recommendations, debriefRecommendation{Label: debriefRecLabel(rc.GetRecommendation()), Count: int(rc.GetCount())})
	}
	if cal := sum.GetCalibration(); cal != nil {
		d.Calibration = debriefCalibration{Present: true, Applied: cal.GetApplied(), Note: cal.GetNote(), Computed: debriefTimeOf(cal.GetComputeTime())}
		for who, e := range cal.GetInterviewerEffects() {
			d.Calibration.Effects = append(d.Calibration.Effects, debriefEffect{Interviewer: who, Effect: e})
		}
		sort.Slice(d.Calibration.Effects, func(i, j int) bool {
			return d.Calibration.Effects[i].Interviewer < d.Calibration.Effects[j].Interviewer
		})
	}
	return d
}

func debriefRecLabel(r feedbackv1.Recommendation) string {
	switch r {
	case feedbackv1.Recommendation_RECOMMENDATION_STRONG_NO:
		return "Strong no"
	case feedbackv1.Recommendation_RECOMMENDATION_NO:
		return "No"
	case feedbackv1.Recommendation_RECOMMENDATION_YES:
		return "Yes"
	case feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES:
		return "Strong yes"
	}
	return "None given"
}
