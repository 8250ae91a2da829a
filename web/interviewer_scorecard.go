package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// scorecardView is the scorecard page: the form while the scorecard is a
// draft, the scorecard read-only once submitted, and below either the
// panel's scorecards the API lets the user see.
type scorecardView struct {
	Action      string // the page's own URL: the form posts back to it
	Candidate   string
	RubricTitle string
	RubricName  string
	When, ISO   string

	Etag      string
	RequestID string // one per rendered form: a double click submits once

	Competencies    []competencyView
	Recommendations []scoreChoice
	RecError        string
	NoteToPanel     string
	NoteError       string
	PrivateNote     string
	PrivateError    string

	Errors     []scorecardError // the summary at the top, each linked to its field
	Conflict   bool
	DraftSaved bool // a submit was refused, but its draft was saved

	Submitted bool
	Own       scorecardCard // the interview's scorecard, read-only, once submitted
	// OwnTitle heads it: "Your scorecard", or whose it is when the reader
	// is a colleague on the panel.
	OwnTitle string
	// Unsent is what a form posted after the scorecard was submitted from
	// elsewhere (another tab): shown back, as it was not saved.
	Unsent []unsentText
	Panel  []scorecardCard
}

// unsentText is one text of a form that arrived too late to be saved.
type unsentText struct{ Field, Text string }

// competencyView is one focus competency of the form.
type competencyView struct {
	ID, Title, Description string
	EvidenceRequired       bool
	Questions              []*rubricv1.Question
	Choices                []scoreChoice // every point of the scale, with its anchor
	Evidence               string
	NotAssessed            bool
	ScoreError             string
	EvidenceError          string
	Warnings               []string // the evidence checks' findings: advice, never blocking
}

// scoreChoice is one radio button: a score with its anchor, or a
// recommendation.
type scoreChoice struct {
	Value   int32
	Label   string
	Anchor  string
	Checked bool
}

// scorecardError is one line of the error summary.
type scorecardError struct {
	Text, Href string
}

// scorecardCard is a submitted scorecard, read-only.
type scorecardCard struct {
	Interviewer    string
	Recommendation string
	Submitted      string
	Lines          []scorecardLine
	NoteToPanel    string
	PrivateNote    string
}

// scorecardLine is one competency of a read-only scorecard.
type scorecardLine struct {
	Title       string
	Score       string
	Anchor      string
	Evidence    string
	NotAssessed bool
}

// recommendationChoices are the four points, in the order the form offers them.
var recommendationChoices = []struct {
	value feedbackv1.Recommendation
	label string
}{
	{feedbackv1.Recommendation_RECOMMENDATION_STRONG_NO, "Strong no hire"},
	{feedbackv1.Recommendation_RECOMMENDATION_NO, "No hire"},
	{feedbackv1.Recommendation_RECOMMENDATION_YES, "Hire"},
	{feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES, "Strong hire"},
}

func recommendationWords(r feedbackv1.Recommendation) string {
	for _, x := range recommendationChoices {
		if x.value == r {
			return x.label
		}
	}
	return "No recommendation"
}

// interviewRubric is what every scorecard page needs: the interview and the
// rubric revision it is scored against.
type interviewRubric struct {
	iv  *feedbackv1.Interview
	rev *rubricv1.RubricRevision
}

func (a *App) loadInterviewRubric(ctx context.Context, name string) (*interviewRubric, error) {
	iv, err := a.feedback.GetInterview(ctx, &feedbackv1.GetInterviewRequest{Name: name})
	if err != nil {
		return nil, err
	}
	rev, err := a.rubricRevision(ctx, iv.GetRubric())
	if err != nil {
		return nil, err
	}
	return &interviewRubric{iv: iv, rev: rev}, nil
}

// focus is the interview's competencies in rubric order; all of the
// rubric's when the interview names none.
func (x *interviewRubric) focus() []*rubricv1.Competency {
	var out []*rubricv1.Competency
	asked := x.iv.GetFocusCompetencies()
	for _, c := range x.rev.GetSnapshot().GetCompetencies() {
		if len(asked) == 0 || slices.Contains(asked, c.GetId()) {
			out = append(out, c)
		}
	}
	return out
}

func interviewPathName(r *http.Request) string {
	return "candidates/" + r.PathValue("candidate") + "/interviews/" + r.PathValue("interview")
}

// scorecardPage shows the form for a draft, or the submitted scorecard.
func (a *App) scorecardPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	x, err := a.loadInterviewRubric(ctx, interviewPathName(r))
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	sc, err := a.feedback.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: x.iv.GetName() + "/scorecard"})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	v := x.view(r)
	if sc.GetState() == feedbackv1.Scorecard_STATE_SUBMITTED {
		v.Submitted = true
		v.Own = submittedCard(sc, x.rev)
		v.OwnTitle = "Your scorecard"
		if who := x.iv.GetInterviewer(); who != s.user {
			v.OwnTitle = a.people.lookup(ctx, who).of(who) + "'s scorecard"
			v.Own.Interviewer = a.people.lookup(ctx, who).of(who)
		}
	} else {
		x.fill(&v, inputOf(sc))
		v.RequestID = randomToken()
	}
	if err := a.addPanel(ctx, &v, x.iv.GetName()); err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "scorecard", "Scorecard: "+v.Candidate, v)
}

// view is the page's frame: what the interview is, without any values.
func (x *interviewRubric) view(r *http.Request) scorecardView {
	snap := x.rev.GetSnapshot()
	v := scorecardView{
		Action:      r.URL.Path,
		Candidate:   x.iv.GetCandidateDisplayName(),
		RubricTitle: snap.GetTitle(),
		RubricName:  x.rev.GetName(),
	}
	if v.Candidate == "" {
		v.Candidate = candidateOfName(x.iv.GetName())
	}
	if t := x.iv.GetScheduledTime(); t != nil {
		v.When, v.ISO = t.AsTime().UTC().Format("Mon 2 Jan 2006, 15:04 MST"), t.AsTime().UTC().Format(time.RFC3339)
	}
	return v
}

// fill puts the form's values in: the saved draft, or what was posted.
func (x *interviewRubric) fill(v *scorecardView, in scorecardInput) {
	scale := x.rev.GetSnapshot().GetScale()
	labels := map[int32]string{}
	for _, l := range scale.GetLabels() {
		labels[l.GetScore()] = l.GetLabel()
	}
	v.Competencies = nil
	for _, c := range x.focus() {
		got := in.Ratings[c.GetId()]
		cv := competencyView{
			ID: c.GetId(), Title: c.GetTitle(), Description: c.GetDescription(),
			EvidenceRequired: c.GetEvidenceRequired(), Questions: c.GetQuestions(),
			Evidence: got.Evidence, NotAssessed: got.NotAssessed, Warnings: got.Warnings,
		}
		for p := scale.GetMin(); p <= scale.GetMax(); p++ {
			cv.Choices = append(cv.Choices, scoreChoice{
				Value: p, Label: scorePointLabel(p, labels), Anchor: anchorText(c, p),
				Checked: got.Scored && got.Score == p,
			})
		}
		v.Competencies = append(v.Competencies, cv)
	}
	v.Recommendations = nil
	for _, rc := range recommendationChoices {
		v.Recommendations = append(v.Recommendations, scoreChoice{Value: int32(rc.value), Label: rc.label, Checked: in.Recommendation == rc.value})
	}
	v.NoteToPanel, v.PrivateNote, v.Etag, v.RequestID = in.NoteToPanel, in.PrivateNote, in.Etag, in.RequestID
}

func scorePointLabel(p int32, labels map[int32]string) string {
	if l := labels[p]; l != "" {
		return fmt.Sprintf("%d · %s", p, l)
	}
	return fmt.Sprint(p)
}

func anchorText(c *rubricv1.Competency, p int32) string {
	for _, an := range c.GetAnchors() {
		if an.GetScore() == p {
			return an.GetDescription()
		}
	}
	return ""
}

// submittedCard shows a submitted scorecard against its rubric revision; rev may
// be nil when the revision cannot be read (then IDs stand for titles).
func submittedCard(sc *feedbackv1.Scorecard, rev *rubricv1.RubricRevision) scorecardCard {
	c := scorecardCard{
		Interviewer:    sc.GetInterviewer(),
		Recommendation: recommendationWords(sc.GetRecommendation()),
		NoteToPanel:    sc.GetNoteToPanel(),
		PrivateNote:    sc.GetPrivateNote(),
	}
	if t := sc.GetSubmitTime(); t != nil {
		c.Submitted = t.AsTime().UTC().Format("2 Jan 2006, 15:04 MST")
	}
	labels := map[int32]string{}
	comps := map[string]*rubricv1.Competency{}
	for _, l := range rev.GetSnapshot().GetScale().GetLabels() {
		labels[l.GetScore()] = l.GetLabel()
	}
	for _, comp := range rev.GetSnapshot().GetCompetencies() {
		comps[comp.GetId()] = comp
	}
	for _, rt := range sc.GetRatings() {
		line := scorecardLine{Title: readableID(rt.GetCompetency()), Evidence: rt.GetEvidence(), NotAssessed: rt.GetNotAssessed()}
		if comp := comps[rt.GetCompetency()]; comp != nil {
			line.Title = comp.GetTitle()
			if !rt.GetNotAssessed() {
				line.Anchor = anchorText(comp, rt.GetScore())
			}
		}
		if !rt.GetNotAssessed() {
			line.Score = scorePointLabel(rt.GetScore(), labels)
		}
		c.Lines = append(c.Lines, line)
	}
	return c
}
