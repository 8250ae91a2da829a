package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The hiring decision at the top of the debrief: what was decided, by
// whom, why (the scorecards and competencies it cites, by name), and its
// amendments; and the form to make or change it. Who may is the API's
// answer (recruiters and the role's hiring team; admins read it): the form
// shows its refusal beside the fields.

func (a *App) routesDecision() {
	a.mux.HandleFunc("POST /candidates/{id}/decision", a.form(a.decisionPost))
}

// debriefDecision is the decision as the page shows it.
type debriefDecision struct {
	Outcome, Rationale, EarlyReason string
	Decider                         string
	Decided                         debriefTime
	LoopComplete                    bool
	Scorecards, Competencies        []string // by name: "Ivan Petrov's (Senior Engineer: coding)", "Technical skill"
	Amendments                      []debriefAmendment
}

type debriefAmendment struct {
	Before        debriefDecision
	Reason, Actor string
	When          debriefTime
}

// decisionForm is the form's state: what is stored, or what was typed when
// the API refused it, with the choices it offers.
type decisionForm struct {
	Etag, Outcome, Level, Rationale, EarlyReason, Reason string
	Exists                                               bool
	Scorecards                                           []decisionChoice // the submitted ones
	Competencies                                         []decisionChoice
	Errors                                               adminErrors
}

type decisionChoice struct {
	Value, Label string
	Checked      bool
}

var outcomeWords = map[feedbackv1.Decision_Outcome]string{
	feedbackv1.Decision_OUTCOME_HIRE: "Hire", feedbackv1.Decision_OUTCOME_NO_HIRE: "No hire", feedbackv1.Decision_OUTCOME_HOLD: "Hold",
}

// readDecision reads a candidate's decision: nil when none was made or the
// caller may not see it.
func (a *App) readDecision(ctx context.Context, candidate string) (*feedbackv1.Decision, error) {
	d, err := a.feedback.GetDecision(ctx, &feedbackv1.GetDecisionRequest{Name: candidate + "/decision"})
	if c := status.Code(err); c == codes.NotFound || c == codes.PermissionDenied {
		return nil, nil
	}
	return d, err
}

// decisionPeople are the people a decision names.
func decisionPeople(d *feedbackv1.Decision) []string {
	if d == nil {
		return nil
	}
	out := []string{d.GetDecider()}
	for _, am := range d.GetAmendments() {
		out = append(out, am.GetActor(), am.GetBefore().GetDecider())
	}
	return out
}

// newDebriefDecision words a decision; scorecardLabel names a cited
// scorecard by its interview.
func newDebriefDecision(d *feedbackv1.Decision, t titles, scorecardLabel func(string) string) debriefDecision {
	out := debriefDecision{
		Outcome: outcomeWords[d.GetOutcome()], Rationale: d.GetRationale(), EarlyReason: d.GetEarlyReason(),
		Decider: t.people.of(d.GetDecider()), Decided: debriefTimeOf(d.GetDecideTime()), LoopComplete: d.GetLoopComplete(),
	}
	if d.GetLevel() != "" {
		out.Outcome += " at " + readableID(d.GetLevel())
	}
	for _, sc := range d.GetCitedScorecards() {
		out.Scorecards = append(out.Scorecards, scorecardLabel(sc))
	}
	for _, c := range d.GetCitedCompetencies() {
		out.Competencies = append(out.Competencies, t.competency(c))
	}
	for _, am := range d.GetAmendments() {
		out.Amendments = append(out.Amendments, debriefAmendment{
			Before: newDebriefDecision(am.GetBefore(), t, scorecardLabel), Reason: am.GetReason(),
			Actor: t.people.of(am.GetActor()), When: debriefTimeOf(am.GetAmendTime()),
		})
	}
	return out
}

// scorecardLabels names each submitted scorecard of a debrief by its
// interviewer and rubric.
func scorecardLabels(d *debriefData) map[string]string {
	out := map[string]string{}
	for _, iv := range d.Interviews {
		out[d.Name+"/interviews/"+iv.ID+"/scorecard"] = iv.Interviewer + " (" + iv.Rubric + ")"
	}
	return out
}

// newDecisionForm fills the form from the stored decision (nil: none yet).
func newDecisionForm(dec *feedbackv1.Decision, d *debriefData) decisionForm {
	f := decisionForm{Exists: dec != nil}
	if dec != nil {
		f.Etag, f.Outcome, f.Level = dec.GetEtag(), dec.GetOutcome().String(), dec.GetLevel()
		f.Rationale, f.EarlyReason = dec.GetRationale(), dec.GetEarlyReason()
	}
	labels := scorecardLabels(d)
	for _, iv := range d.Interviews {
		if iv.Submitted {
			name := d.Name + "/interviews/" + iv.ID + "/scorecard"
			f.Scorecards = append(f.Scorecards, decisionChoice{Value: name, Label: labels[name], Checked: slices.Contains(dec.GetCitedScorecards(), name)})
		}
	}
	for _, c := range d.Competencies {
		f.Competencies = append(f.Competencies, decisionChoice{Value: c.Competency, Label: c.Title, Checked: slices.Contains(dec.GetCitedCompetencies(), c.Competency)})
	}
	return f
}

// decisionPost makes or amends the decision, then shows the debrief; a
// refusal shows the debrief with what was typed and why.
func (a *App) decisionPost(w http.ResponseWriter, r *http.Request, s *session) {
	candidate := debriefName(r.PathValue("id"))
	f := r.PostForm
	in := &feedbackv1.Decision{
		Name: candidate + "/decision", Etag: f.Get("etag"), Level: strings.TrimSpace(f.Get("level")),
		Outcome:   feedbackv1.Decision_Outcome(feedbackv1.Decision_Outcome_value[f.Get("outcome")]),
		Rationale: strings.TrimSpace(f.Get("rationale")), EarlyReason: strings.TrimSpace(f.Get("early_reason")),
		CitedScorecards: f["scorecards"], CitedCompetencies: f["competencies"],
	}
	if in.GetOutcome() != feedbackv1.Decision_OUTCOME_HIRE {
		in.Level = "" // the field stays on the form for every outcome
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	_, err := a.feedback.UpdateDecision(ctx, &feedbackv1.UpdateDecisionRequest{
		Decision: in, AllowMissing: in.GetEtag() == "", Reason: strings.TrimSpace(f.Get("reason")),
	})
	if err == nil {
		http.Redirect(w, r, "/candidates/"+url.PathEscape(debriefID(candidate))+"#decision", http.StatusSeeOther)
		return
	}
	a.debrief(w, r, s, func(d *debriefData) {
		errs, status := adminErrorsOf(err)
		if d.Form == nil { // an admin's: refused, shown with why
			d.Form = &decisionForm{}
		}
		d.ShowDecision = true
		d.Status = status
		d.Form.Errors = errs
		if !errs.Conflict {
			d.Form.Etag = in.GetEtag()
		}
		d.Form.Outcome, d.Form.Level, d.Form.Rationale = f.Get("outcome"), in.GetLevel(), in.GetRationale()
		d.Form.EarlyReason, d.Form.Reason = in.GetEarlyReason(), strings.TrimSpace(f.Get("reason"))
		for i := range d.Form.Scorecards {
			d.Form.Scorecards[i].Checked = slices.Contains(in.GetCitedScorecards(), d.Form.Scorecards[i].Value)
		}
		for i := range d.Form.Competencies {
			d.Form.Competencies[i].Checked = slices.Contains(in.GetCitedCompetencies(), d.Form.Competencies[i].Value)
		}
	})
}
