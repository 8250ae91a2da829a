package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/principal"
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
	// Decision is the hiring decision (nil: none, or not the viewer's to
	// see); Form makes or changes it.
	Decision     *debriefDecision
	ShowDecision bool
	Form         *decisionForm // nil: not the viewer's to make
	Status       int           // the page's HTTP status: 200, or a refused form's
}

type debriefInterview struct {
	ID, Interviewer, Rubric, Focus string
	Scheduled                      debriefTime
	Submitted                      bool
}

type debriefCompetency struct {
	Competency   string // the ID, for anchors
	Title        string
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
	Present bool
	Applied bool
	Note    string // why there are no calibrated scores, in words
	// Scorecards is how many scorecards the role's report rests on; Since,
	// how many of this panel's came after it.
	Scorecards, Since int
	Computed          debriefTime
	Effects           []debriefEffect
}

type debriefEffect struct {
	Interviewer string
	Effect      float64
	Words       string // the effect in plain words
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
	a.debrief(w, r, s, nil)
}

// debrief renders a candidate's debrief, with the decision on top; tweak,
// when set, changes the page before it is rendered (a refused form).
func (a *App) debrief(w http.ResponseWriter, r *http.Request, s *session, tweak func(*debriefData)) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	name := debriefName(r.PathValue("id"))
	sum, err := a.feedback.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: name})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	// Decisions are the recruiters' and the hiring team's; admins read
	// them. The debrief is the recruiters' page: others see no section.
	recruiter := slices.Contains(s.roles, principal.Recruiter)
	var dec *feedbackv1.Decision
	if recruiter || slices.Contains(s.roles, principal.Admin) {
		if dec, err = a.readDecision(ctx, name); err != nil {
			a.failErr(w, s, err)
			return
		}
	}
	t := a.titlesFor(ctx, append(debriefPeople(sum), decisionPeople(dec)...), debriefRubrics(sum))
	d := newDebrief(sum, t)
	d.Status = http.StatusOK
	labels := scorecardLabels(&d)
	if dec != nil {
		dd := newDebriefDecision(dec, t, func(sc string) string {
			if l := labels[sc]; l != "" {
				return l
			}
			return "a scorecard no longer on the panel"
		})
		d.Decision = &dd
	}
	d.ShowDecision = recruiter || dec != nil
	if recruiter {
		f := newDecisionForm(dec, &d)
		d.Form = &f
	}
	if tweak != nil {
		tweak(&d)
	}
	title := d.DisplayName
	if title == "" {
		title = d.ID
	}
	a.render(w, s, d.Status, "candidate", "Debrief: "+title, d)
}

// debriefPeople are the people a summary names.
func debriefPeople(sum *feedbackv1.CandidateSummary) []string {
	var out []string
	for _, iv := range sum.GetInterviews() {
		out = append(out, iv.GetInterviewer())
	}
	for who := range sum.GetCalibration().GetInterviewerEffects() {
		out = append(out, who)
	}
	return out
}

// debriefRubrics are the rubric revisions a summary's interviews use.
func debriefRubrics(sum *feedbackv1.CandidateSummary) []string {
	var out []string
	for _, iv := range sum.GetInterviews() {
		out = append(out, iv.GetRubric())
	}
	return out
}

func newDebrief(sum *feedbackv1.CandidateSummary, t titles) debriefData {
	d := debriefData{
		ID: debriefID(sum.GetCandidate()), Name: sum.GetCandidate(), DisplayName: sum.GetDisplayName(),
		Scorecards: int(sum.GetScorecards()), MinCoverage: int(sum.GetMinCoverage()),
	}
	for _, iv := range sum.GetInterviews() {
		name := iv.GetName()
		d.Interviews = append(d.Interviews, debriefInterview{
			ID: name[strings.LastIndex(name, "/")+1:], Interviewer: t.people.of(iv.GetInterviewer()), Rubric: t.rubric(iv.GetRubric()),
			Focus: t.competencyList(iv.GetFocusCompetencies()), Scheduled: debriefTimeOf(iv.GetScheduledTime()),
			Submitted: iv.GetState() == feedbackv1.Interview_STATE_SUBMITTED,
		})
	}
	for _, c := range sum.GetCompetencies() {
		dc := debriefCompetency{
			Competency: c.GetCompetency(), Title: t.competency(c.GetCompetency()), Mean: c.GetMean(), Spread: int(c.GetSpread()), Assessed: int(c.GetAssessed()),
			LowCoverage: c.GetLowCoverage(), Disagreement: c.GetDisagreement(),
		}
		if c.CalibratedMean != nil {
			dc.HasCal, dc.Calibrated = true, c.GetCalibratedMean()
			dc.Shift = dc.Calibrated - dc.Mean
		}
		rubricOf := map[string]string{}
		for _, iv := range sum.GetInterviews() {
			rubricOf[iv.GetName()] = t.rubric(iv.GetRubric())
		}
		for _, sc := range c.GetScores() {
			dc.Scores = append(dc.Scores, debriefScore{
				Interviewer: t.people.of(sc.GetInterviewer()), Interview: rubricOf[sc.GetInterview()],
				Evidence: sc.GetEvidence(), Score: int(sc.GetScore()),
			})
		}
		if dc.LowCoverage || dc.Disagreement {
			d.Flagged++
		}
		d.Competencies = append(d.Competencies, dc)
	}
	for _, rc := range sum.GetRecommendations() {
		d.Recommendations = append(d.Recommendations, debriefRecommendation{Label: recommendationWords(rc.GetRecommendation()), Count: int(rc.GetCount())})
	}
	if cal := sum.GetCalibration(); cal != nil {
		d.Calibration = debriefCalibration{Present: true, Applied: cal.GetApplied(), Note: calibrationWords(cal.GetNote()),
			Computed: debriefTimeOf(cal.GetComputeTime()), Scorecards: int(cal.GetReportScorecards()), Since: int(cal.GetPanelScorecardsSince())}
		for who, e := range cal.GetInterviewerEffects() {
			d.Calibration.Effects = append(d.Calibration.Effects, debriefEffect{Interviewer: t.people.of(who), Effect: e, Words: leniencyWords(e)})
		}
		sort.Slice(d.Calibration.Effects, func(i, j int) bool {
			return d.Calibration.Effects[i].Interviewer < d.Calibration.Effects[j].Interviewer
		})
	}
	return d
}
