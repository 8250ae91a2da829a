package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// Warnings are the evidence checks' findings on the saved draft.
	Warnings []string
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
		ri := ratingInput{
			Score: rt.GetScore(), Scored: rt.Score != nil && !rt.GetNotAssessed(), Evidence: rt.GetEvidence(), NotAssessed: rt.GetNotAssessed(),
		}
		for _, w := range rt.GetEvidenceWarnings() {
			ri.Warnings = append(ri.Warnings, w.GetMessage())
		}
		in.Ratings[rt.GetCompetency()] = ri
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
// Every focus competency is sent, scored or not: a draft keeps evidence
// written before its score, and a submit's objections then name each
// competency's own field.
func (in scorecardInput) scorecard(name string, x *interviewRubric) (sc *feedbackv1.Scorecard, order []string) {
	sc = &feedbackv1.Scorecard{
		Name: name, Recommendation: in.Recommendation,
		NoteToPanel: in.NoteToPanel, PrivateNote: in.PrivateNote, Etag: in.Etag,
	}
	for _, c := range x.focus() {
		rt := in.Ratings[c.GetId()]
		r := &feedbackv1.Rating{Competency: c.GetId(), Evidence: rt.Evidence, NotAssessed: rt.NotAssessed}
		if rt.Scored && !rt.NotAssessed {
			r.Score = &rt.Score
		}
		sc.Ratings = append(sc.Ratings, r)
		order = append(order, c.GetId())
	}
	return sc, order
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
	card, order := in.scorecard(name, x)
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
			v.Submitted, v.Own, v.OwnTitle, v.Unsent = true, submittedCard(cur, x.rev), "Your scorecard", x.unsent(in)
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
// at the top, linked to the fields (the error-summary pattern of the GOV.UK
// Design System: the page opens focused on the list). The service's words
// name the competency by its title already; order maps a rating's index,
// as sent, to its competency.
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
					text := sentence(fv.description)
					if !strings.Contains(text, c.Title) {
						text = c.Title + ": " + fv.description
					}
					if m[2] == "evidence" {
						c.EvidenceError = text
						v.Errors = append(v.Errors, scorecardError{Text: text, Href: "#" + evidenceField(c.ID)})
					} else {
						c.ScoreError = text
						v.Errors = append(v.Errors, scorecardError{Text: text, Href: "#" + scoreField(c.ID) + "-" + firstChoice(c)})
					}
					continue
				}
			}
		}
		switch fv.field {
		case "scorecard.recommendation":
			v.RecError = sentence(fv.description)
			v.Errors = append(v.Errors, scorecardError{Text: v.RecError, Href: "#recommendation-" + strconv.Itoa(int(recommendationChoices[0].value))})
		case "scorecard.note_to_panel":
			v.NoteError = "Note to the panel: " + fv.description
			v.Errors = append(v.Errors, scorecardError{Text: v.NoteError, Href: "#note_to_panel"})
		case "scorecard.private_note":
			v.PrivateError = "Private note: " + fv.description
			v.Errors = append(v.Errors, scorecardError{Text: v.PrivateError, Href: "#private_note"})
		default: // the etag, a rating missing: about the scorecard as a whole
			v.Errors = append(v.Errors, scorecardError{Text: sentence(fv.description)})
		}
	}
	if len(v.Errors) == 0 {
		v.Errors = append(v.Errors, scorecardError{Text: sentence(message)})
	}
}

// firstChoice is the value of a competency's first score choice: an error
// links to the first radio button of the group, which takes the focus (a
// legend cannot).
func firstChoice(c *competencyView) string {
	if len(c.Choices) == 0 {
		return "legend"
	}
	return strconv.Itoa(int(c.Choices[0].Value))
}

// sentence starts a service's message with a capital letter, as a line of
// its own on the page.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
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
