package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// scorecardInput is the scorecard form's values, from the saved draft or
// from a post: what the page re-renders so that nothing typed is lost.
type scorecardInput struct {
	Ratings        map[string]ratingInput // by competency ID
	Recommendation feedbackv1.Recommendation
	NoteToPanel    string
	PrivateNote    string
	Etag           string
	RequestID      string
}

type ratingInput struct {
	Score       int32
	Scored      bool // a score was chosen (0 may be a point of the scale)
	Evidence    string
	NotAssessed bool
}

// inputOf is the saved draft as form values.
func inputOf(sc *feedbackv1.Scorecard) scorecardInput {
	in := scorecardInput{
		Ratings:        map[string]ratingInput{},
		Recommendation: sc.GetRecommendation(),
		NoteToPanel:    sc.GetNoteToPanel(),
		PrivateNote:    sc.GetPrivateNote(),
		Etag:           sc.GetEtag(),
	}
	for _, rt := range sc.GetRatings() {
		in.Ratings[rt.GetCompetency()] = ratingInput{
			Score: rt.GetScore(), Scored: !rt.GetNotAssessed(), Evidence: rt.GetEvidence(), NotAssessed: rt.GetNotAssessed(),
		}
	}
	return in
}

// Form field names, per competency ID (IDs are lower-case slugs, safe in
// names and element IDs).
func scoreField(id string) string    { return "score-" + id }
func evidenceField(id string) string { return "evidence-" + id }
func naField(id string) string       { return "na-" + id }

// postedInput reads the posted form for the interview's competencies.
func postedInput(form url.Values, x *interviewRubric) scorecardInput {
	in := scorecardInput{
		Ratings:     map[string]ratingInput{},
		NoteToPanel: form.Get("note_to_panel"),
		PrivateNote: form.Get("private_note"),
		Etag:        form.Get("etag"),
		RequestID:   form.Get("request_id"),
	}
	for _, c := range x.focus() {
		id := c.GetId()
		rt := ratingInput{Evidence: form.Get(evidenceField(id)), NotAssessed: form.Get(naField(id)) != ""}
		if v := form.Get(scoreField(id)); v != "" {
			// A value that is no number is treated as no choice: only a
			// tampered form sends one.
			if n, err := strconv.ParseInt(v, 10, 32); err == nil {
				rt.Score, rt.Scored = int32(n), true
			}
		}
		in.Ratings[id] = rt
	}
	if n, err := strconv.ParseInt(form.Get("recommendation"), 10, 32); err == nil {
		in.Recommendation = feedbackv1.Recommendation(n)
	}
	return in
}

// scorecard is the input as the API's scorecard, with the competency of
// each rating in the order sent (field violations name ratings by index).
// A rating can only be saved with a score or marked not assessed: evidence
// typed before either is returned in pending, for the page to ask for a
// score rather than drop the text.
func (in scorecardInput) scorecard(name string, x *interviewRubric) (sc *feedbackv1.Scorecard, order []string, pending []pendingRating) {
	sc = &feedbackv1.Scorecard{
		Name: name, Recommendation: in.Recommendation,
		NoteToPanel: in.NoteToPanel, PrivateNote: in.PrivateNote, Etag: in.Etag,
	}
	for _, c := range x.focus() {
		rt := in.Ratings[c.GetId()]
		switch {
		case rt.Scored || rt.NotAssessed:
			sc.Ratings = append(sc.Ratings, &feedbackv1.Rating{
				Competency: c.GetId(), Score: rt.Score, Evidence: rt.Evidence, NotAssessed: rt.NotAssessed,
			})
			order = append(order, c.GetId())
		case strings.TrimSpace(rt.Evidence) != "":
			pending = append(pending, pendingRating{c.GetId(), fmt.Sprintf("Choose a score for %s, or mark it not assessed, so that its evidence can be saved.", c.GetTitle())})
		}
	}
	return sc, order, pending
}

// scorecardConflictMessage explains an ABORTED save: the etag the form carried is
// not the draft's any more.
const scorecardConflictMessage = "Someone — probably you in another tab — saved this draft after you opened it. " +
	"Your input is below, not saved yet: check it, then save again to keep it."

// scorecardPost saves the draft (action=save) or saves and submits it
// (action=submit). The autosave (X-Autosave: 1) gets short answers
// instead of pages: 204 with the new etag, 409 on a conflict, 400 with
// the reason on invalid input.
func (a *App) scorecardPost(w http.ResponseWriter, r *http.Request, s *session) {
	autosave := r.Header.Get("X-Autosave") == "1"
	action := r.PostFormValue("action")
	if autosave {
		action = "save"
	}
	if action != "save" && action != "submit" {
		a.fail(w, s, apiError{status: http.StatusBadRequest, message: "the form asked for neither save nor submit"})
		return
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	x, err := a.loadInterviewRubric(ctx, interviewPathName(r))
	if err != nil {
		if autosave {
			autosaveFailed(w, err)
			return
		}
		a.failErr(w, s, err)
		return
	}
	name := x.iv.GetName() + "/scorecard"
	in := postedInput(r.PostForm, x)
	card, order, pending := in.scorecard(name, x)
	if len(pending) > 0 {
		if autosave {
			http.Error(w, pending[0].message, http.StatusBadRequest)
			return
		}
		v := x.view(r)
		x.fill(&v, in)
		v.markPending(pending)
		a.renderScorecard(w, r, s, http.StatusBadRequest, v)
		return
	}
	saved, err := a.feedback.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{
		Scorecard: card, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"*"}},
	})
	if code := status.Code(err); action == "submit" && in.RequestID != "" && (code == codes.Aborted || code == codes.FailedPrecondition) {
		// Perhaps the first of a double click submitted already: its
		// request ID replays that submission, whatever the etag now.
		if _, rerr := a.feedback.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: in.Etag, RequestId: in.RequestID}); rerr == nil {
			http.Redirect(w, r, a.flashURL(r.URL.Path, "Scorecard submitted."), http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		if autosave {
			autosaveFailed(w, err)
			return
		}
		a.scorecardFailed(w, r, s, x, in, order, err, false)
		return
	}
	if autosave {
		w.Header().Set("X-Etag", saved.GetEtag())
		w.WriteHeader(http.StatusNoContent)
		return
	}
	in.Etag = saved.GetEtag()
	if action == "save" {
		http.Redirect(w, r, a.flashURL(r.URL.Path, "Draft saved."), http.StatusSeeOther)
		return
	}
	_, err = a.feedback.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: saved.GetEtag(), RequestId: in.RequestID})
	if err != nil {
		a.scorecardFailed(w, r, s, x, in, order, err, true) // the draft was saved on the way
		return
	}
	http.Redirect(w, r, a.flashURL(r.URL.Path, "Scorecard submitted: the panel's submitted scorecards are below."), http.StatusSeeOther)
}

// unsent lists the texts of a form that could not be saved, titled as on
// the form.
func (x *interviewRubric) unsent(in scorecardInput) []unsentText {
	var out []unsentText
	for _, c := range x.focus() {
		if e := strings.TrimSpace(in.Ratings[c.GetId()].Evidence); e != "" {
			out = append(out, unsentText{"Evidence for " + c.GetTitle(), e})
		}
	}
	if n := strings.TrimSpace(in.NoteToPanel); n != "" {
		out = append(out, unsentText{"Note to the panel", n})
	}
	if n := strings.TrimSpace(in.PrivateNote); n != "" {
		out = append(out, unsentText{"Private note", n})
	}
	return out
}

// scorecardFailed re-renders the form with what was posted and the
// service's objections at their fields; errors that are not about the
// input get the error page. draftSaved says the input was saved as the
// draft before the refusal (a submit's).
func (a *App) scorecardFailed(w http.ResponseWriter, r *http.Request, s *session, x *interviewRubric, in scorecardInput, order []string, err error, draftSaved bool) {
	e := explain(err)
	if e.status != http.StatusBadRequest && e.code != codes.Aborted {
		a.failErr(w, s, err)
		return
	}
	v := x.view(r)
	if e.code == codes.Aborted {
		// The form's etag is stale: carry the current one, so that saving
		// again keeps this input over the other save, knowingly.
		ctx, cancel := a.call(r, s)
		defer cancel()
		cur, gerr := a.feedback.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: x.iv.GetName() + "/scorecard"})
		if gerr != nil {
			a.failErr(w, s, gerr)
			return
		}
		if cur.GetState() == feedbackv1.Scorecard_STATE_SUBMITTED {
			// Submitted meanwhile, from another tab: this form can no longer
			// save. Show the submitted scorecard, and what was typed here.
			v.Submitted, v.Own, v.Unsent = true, submittedCard(cur, x.rev), x.unsent(in)
			a.renderScorecard(w, r, s, http.StatusConflict, v)
			return
		}
		in.Etag = cur.GetEtag()
		x.fill(&v, in)
		v.Conflict = true
		v.Errors = append(v.Errors, scorecardError{Text: scorecardConflictMessage})
		a.renderScorecard(w, r, s, http.StatusConflict, v)
		return
	}
	x.fill(&v, in)
	v.DraftSaved = draftSaved
	v.markViolations(fieldViolationsOf(err), order, e.message)
	a.renderScorecard(w, r, s, http.StatusBadRequest, v)
}

// renderScorecard renders the form with the panel below it.
func (a *App) renderScorecard(w http.ResponseWriter, r *http.Request, s *session, code int, v scorecardView) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	if err := a.addPanel(ctx, &v, interviewPathName(r)); err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, code, "scorecard", "Scorecard: "+v.Candidate, v)
}

// fieldViolation is one field the service objected to.
type fieldViolation struct{ field, description string }

// fieldViolationsOf lists every field violation of an error, in order (a field
// may be named more than once: several missing ratings, for instance).
func fieldViolationsOf(err error) []fieldViolation {
	var out []fieldViolation
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, fv := range br.GetFieldViolations() {
				out = append(out, fieldViolation{fv.GetField(), fv.GetDescription()})
			}
		}
	}
	return out
}

var ratingFieldPattern = regexp.MustCompile(`^scorecard\.ratings\[(\d+)\]\.(\w+)$`)

// markViolations puts each violation at its field, and lists all of them
// at the top, linked to the fields. order maps a rating's index, as sent,
// to its competency.
func (v *scorecardView) markViolations(vs []fieldViolation, order []string, message string) {
	comp := func(id string) *competencyView {
		for i := range v.Competencies {
			if v.Competencies[i].ID == id {
				return &v.Competencies[i]
			}
		}
		return nil
	}
	for _, fv := range vs {
		if m := ratingFieldPattern.FindStringSubmatch(fv.field); m != nil {
			i, err := strconv.Atoi(m[1])
			if err == nil && i < len(order) {
				if c := comp(order[i]); c != nil {
					if m[2] == "evidence" {
						c.EvidenceError = fv.description
						v.Errors = append(v.Errors, scorecardError{Text: c.Title + ", evidence: " + fv.description, Href: "#" + evidenceField(c.ID)})
					} else {
						c.ScoreError = fv.description
						v.Errors = append(v.Errors, scorecardError{Text: c.Title + ", score: " + fv.description, Href: "#" + scoreField(c.ID) + "-legend"})
					}
					continue
				}
			}
		}
		switch fv.field {
		case "scorecard.recommendation":
			v.RecError = fv.description
			v.Errors = append(v.Errors, scorecardError{Text: "Recommendation: " + fv.description, Href: "#recommendation-legend"})
		case "scorecard.note_to_panel":
			v.NoteError = fv.description
			v.Errors = append(v.Errors, scorecardError{Text: "Note to the panel: " + fv.description, Href: "#note_to_panel"})
		case "scorecard.private_note":
			v.PrivateError = fv.description
			v.Errors = append(v.Errors, scorecardError{Text: "Private note: " + fv.description, Href: "#private_note"})
		default: // missing ratings, the etag: about the scorecard as a whole
			v.Errors = append(v.Errors, scorecardError{Text: fv.description})
		}
	}
	if len(v.Errors) == 0 {
		v.Errors = append(v.Errors, scorecardError{Text: message})
	}
}

// pendingRating is evidence typed for a competency with no score yet.
type pendingRating struct{ competency, message string }

// markPending asks for a score where evidence was typed without one.
func (v *scorecardView) markPending(pending []pendingRating) {
	for _, p := range pending {
		for i := range v.Competencies {
			if c := &v.Competencies[i]; c.ID == p.competency {
				c.ScoreError = p.message
				v.Errors = append(v.Errors, scorecardError{Text: p.message, Href: "#" + scoreField(c.ID) + "-legend"})
			}
		}
	}
}

// autosaveFailed answers the autosave in a few words.
func autosaveFailed(w http.ResponseWriter, err error) {
	e := explain(err)
	msg := e.message
	switch {
	case e.code == codes.Aborted:
		msg = "someone — probably you in another tab — saved this draft: reload to compare (your text stays here)"
	case e.status == http.StatusBadRequest:
		if vs := fieldViolationsOf(err); len(vs) > 0 {
			msg = vs[0].description
		}
	}
	http.Error(w, msg, e.status)
}
