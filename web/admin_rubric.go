package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// The rubric draft page: every competency's anchors, one textarea per point
// of the scale, saved together; what the draft changes against the last
// published revision; and publishing it.

// adminRubricData is the rubric draft page.
type adminRubricData struct {
	ID           string
	Rubric       *rubricv1.Rubric
	Etag         string
	Scale        string
	Competencies []adminRubricCompetency
	Errors       adminErrors
	Other        []string // field errors that belong to no input of the page
	Revision     string
	Diff         adminDiffView
	Changes      []adminChange
	// Derived counts the anchors still in the ladder's words, of Anchors:
	// publishing them takes an explicit choice.
	Derived, Anchors int
	// LadderMoved says the framework has a newer revision than the one
	// the rubric derives from.
	LadderMoved string
	// DeriveAgain opens the derive form for the newer revision.
	DeriveAgain string
}

// adminRubricCompetency is one competency's fieldset.
type adminRubricCompetency struct {
	ID, Title, Description string
	Error                  string
	Anchors                []adminAnchorField
}

// adminAnchorField is the textarea of one point of the scale.
type adminAnchorField struct {
	Name, HTMLID string // the form field, and the element ID its label points at
	Score        int32
	Label        string // the scale's label of the score, if any
	Value        string
	Saved        string // on a conflict: the text saved now, when it differs
	Derived      bool
	Error        string
}

// adminAnchorName is the form field of a competency's anchor for a score.
func adminAnchorName(competency string, score int32) string {
	return fmt.Sprintf("anchor/%s/%d", competency, score)
}

// loadRubric reads the draft page's data; input, when set, replaces the
// anchors' text with what the user sent.
func (a *App) loadRubric(ctx context.Context, id string) (adminRubricData, error) {
	name := "rubrics/" + id
	d := adminRubricData{ID: id}
	rb, err := a.rubrics.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: name})
	if err != nil {
		return d, err
	}
	// The history is for admins only: reading it first closes the page to
	// everyone else, who would otherwise see the published snapshot here.
	if d.Changes, err = a.rubricChanges(ctx, name, 10); err != nil {
		return d, err
	}
	d.Rubric, d.Etag = rb, rb.GetEtag()
	labels := map[int32]string{}
	var scale []string
	for _, l := range rb.GetScale().GetLabels() {
		labels[l.GetScore()] = l.GetLabel()
		scale = append(scale, fmt.Sprintf("%d %s", l.GetScore(), l.GetLabel()))
	}
	d.Scale = fmt.Sprintf("%d to %d", rb.GetScale().GetMin(), rb.GetScale().GetMax())
	if len(scale) > 0 {
		d.Scale += " (" + strings.Join(scale, ", ") + ")"
	}
	for ci, c := range rb.GetCompetencies() {
		fc := adminRubricCompetency{ID: c.GetId(), Title: c.GetTitle(), Description: c.GetDescription()}
		for score := rb.GetScale().GetMin(); score <= rb.GetScale().GetMax(); score++ {
			f := adminAnchorField{
				Name: adminAnchorName(c.GetId(), score), HTMLID: fmt.Sprintf("anchor-%d-%d", ci, score),
				Score: score, Label: labels[score],
			}
			for _, an := range c.GetAnchors() {
				if an.GetScore() == score {
					f.Value, f.Derived = an.GetDescription(), an.GetDerived()
				}
			}
			d.Anchors++
			if f.Derived {
				d.Derived++
			}
			fc.Anchors = append(fc.Anchors, f)
		}
		d.Competencies = append(d.Competencies, fc)
	}
	published := ""
	if d.Revision = rb.GetLatestRevision(); d.Revision != "" {
		rev, err := a.rubricRevision(ctx, d.Revision)
		if err != nil {
			return d, err
		}
		published = rubricText(rev.GetSnapshot())
	}
	d.Diff = newAdminDiffView(published, rubricText(rb))
	d.Diff.Name = "The draft against the latest revision, line by line"
	if src := rb.GetSource(); src.GetFrameworkRevision() != "" {
		fwName, _, _ := strings.Cut(src.GetFrameworkRevision(), "/revisions/")
		fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: fwName})
		if err == nil && fw.GetLatestRevision() != "" && fw.GetLatestRevision() != src.GetFrameworkRevision() {
			d.LadderMoved = fmt.Sprintf("The ladder moved on: %s has a newer revision (%s) than the one this rubric derives from (%s). Its expectations may have changed.",
				fw.GetTitle(), strings.TrimPrefix(fw.GetLatestRevision(), fwName+"/"), strings.TrimPrefix(src.GetFrameworkRevision(), fwName+"/"))
			d.DeriveAgain = "/admin/rubrics/derive?" + url.Values{"framework": {fwName}, "track": {src.GetTrack()}, "level": {src.GetLevel()}, "interview_type": {rb.GetInterviewType()}}.Encode()
		}
	}
	return d, nil
}

// rubricText writes a rubric as lines of text, one fact a line, so that
// the line diff compares rubrics field by field.
func rubricText(r *rubricv1.Rubric) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("title: %s", r.GetTitle())
	line("description: %s", r.GetDescription())
	line("role: %s, level: %s, interview type: %s", r.GetRole(), r.GetLevel(), r.GetInterviewType())
	line("scale: %d to %d", r.GetScale().GetMin(), r.GetScale().GetMax())
	for _, l := range r.GetScale().GetLabels() {
		line("scale label %d: %s", l.GetScore(), l.GetLabel())
	}
	for _, c := range r.GetCompetencies() {
		line("competency %s: %s", c.GetId(), c.GetTitle())
		line("  %s description: %s", c.GetId(), c.GetDescription())
		line("  %s weight: %g, evidence required: %t", c.GetId(), c.GetWeight(), c.GetEvidenceRequired())
		for _, q := range c.GetQuestions() {
			line("  %s question: %s", c.GetId(), q.GetText())
			for _, f := range q.GetFollowUps() {
				line("  %s   follow-up: %s", c.GetId(), f)
			}
			if q.GetWhatGoodLooksLike() != "" {
				line("  %s   what good looks like: %s", c.GetId(), q.GetWhatGoodLooksLike())
			}
		}
		for _, an := range c.GetAnchors() {
			line("  %s anchor %d: %s", c.GetId(), an.GetScore(), an.GetDescription())
		}
	}
	return b.String()
}

func (a *App) adminRubricPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, err := a.loadRubric(ctx, r.PathValue("id"))
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "admin_rubric", "Rubric draft: "+d.Rubric.GetTitle(), d)
}

// adminRubricSave saves the anchors of every competency at once, against
// the etag the form was opened with.
func (a *App) adminRubricSave(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := a.call(r, s)
	defer cancel()
	current, err := a.rubrics.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: "rubrics/" + id})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	// The competencies are the saved ones with the anchors the form sent:
	// a stale form is refused by the etag, so nothing else is overwritten.
	comps := make([]*rubricv1.Competency, 0, len(current.GetCompetencies()))
	for _, c := range current.GetCompetencies() {
		c = proto.CloneOf(c)
		var anchors []*rubricv1.Anchor
		for score := current.GetScale().GetMin(); score <= current.GetScale().GetMax(); score++ {
			text, sent := r.PostForm[adminAnchorName(c.GetId(), score)]
			var old *rubricv1.Anchor
			for _, an := range c.GetAnchors() {
				if an.GetScore() == score {
					old = an
				}
			}
			switch {
			case sent:
				anchors = append(anchors, &rubricv1.Anchor{Score: score, Description: strings.TrimSpace(adminText(text[0]))})
			case old != nil:
				anchors = append(anchors, old)
			}
		}
		c.Anchors = anchors
		comps = append(comps, c)
	}
	_, err = a.rubrics.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{
		Rubric:     &rubricv1.Rubric{Name: "rubrics/" + id, Etag: r.PostFormValue("etag"), Competencies: comps},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"competencies"}},
	})
	if err == nil {
		a.adminRedirect(w, r, "/admin/rubrics/"+url.PathEscape(id), "Anchors saved.")
		return
	}
	a.renderRubricError(w, r, s, id, err, comps, true)
}

func (a *App) adminRubricPublish(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := a.call(r, s)
	defer cancel()
	// Anchors still in the ladder's words publish only by choice: the form
	// shows how many, and asks.
	if r.PostFormValue("derived") == "" {
		cur, err := a.rubrics.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: "rubrics/" + id})
		if err != nil {
			a.failErr(w, s, err)
			return
		}
		if n := derivedAnchors(cur); n > 0 {
			msg := fmt.Sprintf("%d anchors are still the ladder's words, marked derived: edit them, or choose to publish them as they are.", n)
			a.renderRubricError(w, r, s, id, formError("derived", msg), nil, false)
			return
		}
	}
	rev, err := a.rubrics.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: "rubrics/" + id, Etag: r.PostFormValue("etag")})
	if err == nil {
		a.adminRedirect(w, r, "/admin/rubrics/"+url.PathEscape(id), "Published "+rev.GetName()+".")
		return
	}
	a.renderRubricError(w, r, s, id, err, nil, false)
}

// adminRubricRederive derives the draft again from its ladder's newest
// revision, keeping the anchors the admin rewrote.
func (a *App) adminRubricRederive(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := a.call(r, s)
	defer cancel()
	rb, err := a.rubrics.RederiveRubric(ctx, &rubricv1.RederiveRubricRequest{Name: "rubrics/" + id, Etag: r.PostFormValue("etag")})
	if err == nil {
		a.adminRedirect(w, r, "/admin/rubrics/"+url.PathEscape(id),
			"Derived again from "+rb.GetSource().GetFrameworkRevision()+": the anchors you rewrote are kept; those still marked derived use the ladder's new words. Check them, then publish.")
		return
	}
	a.renderRubricError(w, r, s, id, err, nil, false)
}

// adminRubricField reads a BadRequest field path of a rubric:
// competencies[i], optionally followed by .anchors[j]; j is -1 without one.
var adminRubricField = regexp.MustCompile(`^(?:rubric\.)?competencies\[(\d+)\](?:\.anchors(?:\[(\d+)\])?)?`)

// renderRubricError re-renders the draft page after a refused post, with
// the anchors the user sent (sent, when keepInput) and each error at its
// competency or anchor.
func (a *App) renderRubricError(w http.ResponseWriter, r *http.Request, s *session, id string, err error, sent []*rubricv1.Competency, keepInput bool) {
	errs, status := adminErrorsOf(err)
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, lerr := a.loadRubric(ctx, id)
	if lerr != nil {
		a.failErr(w, s, lerr)
		return
	}
	d.Errors = errs
	if keepInput {
		if !errs.Conflict {
			d.Etag = r.PostFormValue("etag") // the fresh etag only once the user has seen what changed
		}
		for ci := range d.Competencies {
			for ai := range d.Competencies[ci].Anchors {
				f := &d.Competencies[ci].Anchors[ai]
				if v, ok := r.PostForm[f.Name]; ok {
					if errs.Conflict && strings.TrimSpace(adminText(v[0])) != f.Value {
						f.Saved = f.Value
					}
					f.Value = adminText(v[0])
				}
			}
		}
	}
	for field, msg := range errs.Fields {
		if field == "derived" {
			continue // the publish form's own question: shown there
		}
		m := adminRubricField.FindStringSubmatch(field)
		if m == nil {
			d.Other = append(d.Other, field+": "+msg)
			continue
		}
		// The index is of the competencies sent, which are the saved ones
		// in the same order, or of the draft itself (on publish).
		ci, cerr := strconv.Atoi(m[1])
		if cerr != nil || ci >= len(d.Competencies) {
			d.Other = append(d.Other, field+": "+msg)
			continue
		}
		fc := &d.Competencies[ci]
		if m[2] == "" {
			fc.Error = msg
			continue
		}
		ai, aerr := strconv.Atoi(m[2])
		anchors := d.Rubric.GetCompetencies()[ci].GetAnchors()
		if sent != nil && ci < len(sent) {
			anchors = sent[ci].GetAnchors()
		}
		placed := false
		if aerr == nil && ai < len(anchors) {
			for k := range fc.Anchors {
				if fc.Anchors[k].Score == anchors[ai].GetScore() {
					fc.Anchors[k].Error, placed = msg, true
				}
			}
		}
		if !placed {
			fc.Error = msg
		}
	}
	slices.Sort(d.Other) // maps have no order; pages must not flicker
	a.render(w, s, status, "admin_rubric", "Rubric draft: "+d.Rubric.GetTitle(), d)
}

// derivedAnchors counts a rubric's anchors still marked derived.
func derivedAnchors(rb *rubricv1.Rubric) int {
	n := 0
	for _, c := range rb.GetCompetencies() {
		for _, an := range c.GetAnchors() {
			if an.GetDerived() {
				n++
			}
		}
	}
	return n
}

// formError is an objection of the web app's own to a form field, in the
// shape of the services' (INVALID_ARGUMENT naming the field), so that the
// pages show it the same way.
func formError(field, msg string) error {
	st, err := status.New(codes.InvalidArgument, msg).WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: msg}},
	})
	if err != nil {
		return status.Error(codes.InvalidArgument, msg)
	}
	return st.Err()
}
