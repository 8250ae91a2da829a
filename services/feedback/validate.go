package feedback

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

const (
	maxNameLen     = 200
	maxTextLen     = 4000
	maxInterviews  = 50
	maxRatings     = 100
	slugRule       = "must be 1-63 lower-case letters, digits or hyphens, starting with a letter or digit"
	userRule       = "must be users/{user}: 1-128 letters, digits, '.', '_', '@', '+', '|', ':' or '-'"
	rubricNameRule = "must be rubrics/{rubric}/revisions/{revision}, where the revision is a number or latest"
)

var (
	slugPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	userPattern       = regexp.MustCompile(`^users/[A-Za-z0-9._@+|:-]{1,128}$`)
	rubricPattern     = regexp.MustCompile(`^rubrics/[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	rubricNamePattern = regexp.MustCompile(`^rubrics/[a-z]([a-z0-9-]{0,61}[a-z0-9])?/revisions/([1-9][0-9]{0,17}|latest)$`)
)

// validateCandidate checks a candidate's editable fields.
func validateCandidate(c *feedbackv1.Candidate, prefix string) error {
	var v apierr.Violations
	fieldcheck.Text(&v, prefix+".display_name", c.GetDisplayName(), maxNameLen, true)
	slugField(&v, prefix+".role", c.GetRole())
	slugField(&v, prefix+".level", c.GetLevel())
	fieldcheck.Text(&v, prefix+".external_id", c.GetExternalId(), maxNameLen, false)
	if _, ok := feedbackv1.Candidate_State_name[int32(c.GetState())]; !ok {
		v.Add(prefix+".state", "unknown state %d", c.GetState())
	}
	switch u := c.GetHiredUser(); {
	case u == "":
	case !userPattern.MatchString(u):
		v.Add(prefix+".hired_user", "%s", userRule)
	case c.GetState() != feedbackv1.Candidate_STATE_HIRED:
		v.Add(prefix+".hired_user", "only a hired candidate (state STATE_HIRED) becomes a person of the directory")
	}
	return v.Err()
}

func slugField(v *apierr.Violations, field, s string) {
	switch {
	case s == "":
		v.Add(field, "required")
	case !slugPattern.MatchString(s):
		v.Add(field, "%s", slugRule)
	}
}

// validateInterview checks a new interview's fields before its rubric is read.
func validateInterview(iv *feedbackv1.Interview) error {
	var v apierr.Violations
	switch s := iv.GetInterviewer(); {
	case s == "":
		v.Add("interview.interviewer", "required")
	case !userPattern.MatchString(s):
		v.Add("interview.interviewer", "%s", userRule)
	}
	switch s := iv.GetRubric(); {
	case s == "":
		v.Add("interview.rubric", "required: a published rubric revision")
	case !rubricNamePattern.MatchString(s):
		v.Add("interview.rubric", "%s", rubricNameRule)
	}
	seen := map[string]bool{}
	for i, c := range iv.GetFocusCompetencies() {
		fieldcheck.ID(&v, fmt.Sprintf("interview.focus_competencies[%d]", i), c, seen, "competency")
	}
	return v.Err()
}

// focusOf checks focus competencies against the rubric and returns them,
// all of the rubric's when none are asked for.
func focusOf(asked []string, r *rubricv1.RubricRevision) ([]string, error) {
	var all []string
	for _, c := range r.GetSnapshot().GetCompetencies() {
		all = append(all, c.GetId())
	}
	if len(asked) == 0 {
		return all, nil
	}
	var v apierr.Violations
	for i, c := range asked {
		if !slices.Contains(all, c) {
			v.Add(fmt.Sprintf("interview.focus_competencies[%d]", i), "%s has no competency %q (it has %s)", r.GetName(), c, strings.Join(all, ", "))
		}
	}
	return asked, v.Err()
}

// validateDraft checks what a draft may hold: ratings of the interview's
// competencies, one each, scores on the scale, bounded text, a known
// recommendation. prefix names the ratings' field ("scorecard.ratings").
func validateDraft(ratings []*feedbackv1.Rating, rec feedbackv1.Recommendation, notes map[string]string, iv *interview, r *rubricv1.RubricRevision, prefix string) error {
	var v apierr.Violations
	sc := r.GetSnapshot().GetScale()
	if len(ratings) > maxRatings {
		v.Add(prefix, "at most %d ratings, got %d", maxRatings, len(ratings))
	}
	seen := map[string]bool{}
	for i, rt := range ratings {
		f := fmt.Sprintf("%s[%d]", prefix, i)
		switch c := rt.GetCompetency(); {
		case c == "":
			v.Add(f+".competency", "required")
		case !slices.Contains(iv.Focus, c):
			v.Add(f+".competency", "this interview does not assess %q (it assesses %s)", apierr.Clip(c, 100), strings.Join(iv.Focus, ", "))
		case seen[c]:
			v.Add(f+".competency", "%q is rated twice", c)
		default:
			seen[c] = true
		}
		// An unset score is a draft's evidence written before its score.
		if !rt.GetNotAssessed() && rt.Score != nil && (rt.GetScore() < sc.GetMin() || rt.GetScore() > sc.GetMax()) {
			v.Add(f+".score", "%d is off the scale %d to %d: choose a point of the scale, or mark it not assessed", rt.GetScore(), sc.GetMin(), sc.GetMax())
		}
		fieldcheck.Text(&v, f+".evidence", rt.GetEvidence(), maxTextLen, false)
	}
	if _, ok := feedbackv1.Recommendation_name[int32(rec)]; !ok {
		v.Add(strings.TrimSuffix(prefix, ".ratings")+".recommendation", "unknown recommendation %d", rec)
	}
	for _, field := range slices.Sorted(maps.Keys(notes)) {
		fieldcheck.Text(&v, field, notes[field], maxTextLen, false)
	}
	return v.Err()
}

// validateComplete checks what a submitted scorecard must hold, against its
// rubric revision: every focus competency rated or explicitly not assessed,
// evidence where the rubric requires it, a recommendation. prefix names
// the scorecard ("scorecard").
func validateComplete(sc *scorecard, iv *interview, r *rubricv1.RubricRevision, prefix string) error {
	var v apierr.Violations
	required, titles := map[string]bool{}, map[string]string{}
	for _, c := range r.GetSnapshot().GetCompetencies() {
		required[c.GetId()], titles[c.GetId()] = c.GetEvidenceRequired(), c.GetTitle()
	}
	// Messages name the competency by its title, as the interviewer reads
	// it on the form; the field path names the rating.
	for _, c := range iv.Focus {
		i := slices.IndexFunc(sc.Ratings, func(rt rating) bool { return rt.Competency == c })
		switch {
		case i < 0:
			v.Add(prefix+".ratings", "%s has no rating: choose a score, or mark it not assessed (competency %q)", titles[c], c)
		case sc.Ratings[i].Unscored:
			v.Add(fmt.Sprintf("%s.ratings[%d].score", prefix, i), "%s has no score yet: choose one, or mark it not assessed", titles[c])
		case !sc.Ratings[i].NotAssessed && required[c] && strings.TrimSpace(sc.Ratings[i].Evidence) == "":
			v.Add(fmt.Sprintf("%s.ratings[%d].evidence", prefix, i), "%s needs evidence: write what the candidate said or did that supports the score", titles[c])
		}
	}
	if sc.Recommendation == int32(feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED) {
		v.Add(prefix+".recommendation", "choose a recommendation: strong no hire, no hire, hire or strong hire")
	}
	return v.Err()
}
