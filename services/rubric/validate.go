package rubric

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Limits keep one rubric well inside a MongoDB document and a gRPC message,
// and a scale small enough to anchor every point.
const (
	maxContentBytes   = 1 << 20
	maxTitleLen       = 200
	maxDescriptionLen = 4000
	maxLabelLen       = 40
	maxCompetencies   = 50
	maxQuestions      = 20
	maxFollowUps      = 10
	minPoints         = 2
	maxPoints         = 10
	// maxScore bounds the top of a scale: scores are small numbers, and
	// loops over a scale must never meet the end of int32.
	maxScore = 100
)

// slugPattern is the format of roles, levels and interview types, the same
// rule as yardstick.type.v1.slug in the protos.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

const slugRule = "must be 1-63 lower-case letters, digits or hyphens, starting with a letter or digit"

// validateContent checks the editable content of a rubric: what a draft may
// hold. A draft may still lack anchors (publishable checks that), but never
// holds an anchor off its scale or two anchors for one score. prefix is the
// path of the rubric in the request ("rubric"), used to name fields.
func validateContent(r *rubricv1.Rubric, prefix string) error {
	var v apierr.Violations
	field := func(format string, args ...any) string { return prefix + "." + fmt.Sprintf(format, args...) }

	if n := proto.Size(r); n > maxContentBytes {
		v.Add(prefix, "rubric is %d bytes, at most %d", n, maxContentBytes)
	}
	fieldcheck.Text(&v, field("title"), r.GetTitle(), maxTitleLen, true)
	fieldcheck.Text(&v, field("description"), r.GetDescription(), maxDescriptionLen, false)
	checkSlug(&v, field("role"), r.GetRole())
	checkSlug(&v, field("level"), r.GetLevel())
	checkSlug(&v, field("interview_type"), r.GetInterviewType())

	sc := r.GetScale()
	scaleOK := validateScale(&v, sc, field("scale"))

	if n := len(r.GetCompetencies()); n > maxCompetencies {
		v.Add(field("competencies"), "at most %d competencies, got %d", maxCompetencies, n)
	}
	ids := map[string]bool{}
	for i, c := range r.GetCompetencies() {
		cf := fmt.Sprintf("competencies[%d]", i)
		fieldcheck.ID(&v, field("%s.id", cf), c.GetId(), ids, "competency")
		fieldcheck.Text(&v, field("%s.title", cf), c.GetTitle(), maxTitleLen, true)
		fieldcheck.Text(&v, field("%s.description", cf), c.GetDescription(), maxDescriptionLen, false)
		if w := c.GetWeight(); w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			v.Add(field("%s.weight", cf), "must be a number more than 0 (0 or unset means 1)")
		}
		if n := len(c.GetQuestions()); n > maxQuestions {
			v.Add(field("%s.questions", cf), "at most %d questions, got %d", maxQuestions, n)
		}
		for qi, q := range c.GetQuestions() {
			qf := fmt.Sprintf("%s.questions[%d]", cf, qi)
			fieldcheck.Text(&v, field("%s.text", qf), q.GetText(), maxDescriptionLen, true)
			fieldcheck.Text(&v, field("%s.what_good_looks_like", qf), q.GetWhatGoodLooksLike(), maxDescriptionLen, false)
			if n := len(q.GetFollowUps()); n > maxFollowUps {
				v.Add(field("%s.follow_ups", qf), "at most %d follow-up questions, got %d", maxFollowUps, n)
			}
			for fi, f := range q.GetFollowUps() {
				fieldcheck.Text(&v, field("%s.follow_ups[%d]", qf, fi), f, maxDescriptionLen, true)
			}
		}
		scores := map[int32]bool{}
		for ai, a := range c.GetAnchors() {
			af := fmt.Sprintf("%s.anchors[%d]", cf, ai)
			switch s := a.GetScore(); {
			case scaleOK && (s < sc.GetMin() || s > sc.GetMax()):
				v.Add(field("%s.score", af), "%d is off the scale %d to %d", s, sc.GetMin(), sc.GetMax())
			case scores[s]:
				v.Add(field("%s.score", af), "score %d already has an anchor: one anchor per point of the scale", s)
			default:
				scores[s] = true
			}
			fieldcheck.Text(&v, field("%s.description", af), a.GetDescription(), maxDescriptionLen, true)
		}
	}
	return v.Err()
}

// validateScale checks a scale and says whether its range can be used to
// check scores.
func validateScale(v *apierr.Violations, sc *rubricv1.Scale, field string) bool {
	if sc == nil {
		v.Add(field, "required: the lowest and highest score (min, max)")
		return false
	}
	ok := true
	if sc.GetMin() < 0 {
		v.Add(field+".min", "must be 0 or more")
		ok = false
	}
	if sc.GetMax() > maxScore {
		v.Add(field+".max", "must be %d or less", maxScore)
		ok = false
	}
	if points := int64(sc.GetMax()) - int64(sc.GetMin()) + 1; points < minPoints || points > maxPoints {
		v.Add(field+".max", "the scale must have %d to %d points, %d to %d has %d", minPoints, maxPoints, sc.GetMin(), sc.GetMax(), max(points, 0))
		ok = false
	}
	labelled := map[int32]bool{}
	for i, l := range sc.GetLabels() {
		lf := fmt.Sprintf("%s.labels[%d]", field, i)
		switch s := l.GetScore(); {
		case ok && (s < sc.GetMin() || s > sc.GetMax()):
			v.Add(lf+".score", "%d is off the scale %d to %d", s, sc.GetMin(), sc.GetMax())
		case labelled[s]:
			v.Add(lf+".score", "score %d already has a label", s)
		default:
			labelled[s] = true
		}
		fieldcheck.Text(v, lf+".label", l.GetLabel(), maxLabelLen, true)
	}
	return ok
}

func checkSlug(v *apierr.Violations, field, s string) {
	switch {
	case s == "":
		v.Add(field, "required")
	case !slugPattern.MatchString(s):
		v.Add(field, "%s", slugRule)
	}
}

// publishable says what a draft lacks to be published, naming the fields: a
// revision is what interviewers score against, so every competency needs an
// anchor for every point of the scale.
func publishable(c content) error {
	var v apierr.Violations
	if len(c.Competencies) == 0 {
		v.Add("competencies", "a rubric needs at least one competency to be published")
	}
	for i, comp := range c.Competencies {
		var missing []string
		for s := c.Scale.Min; s <= c.Scale.Max; s++ {
			if !slices.ContainsFunc(comp.Anchors, func(a anchor) bool { return a.Score == s }) {
				missing = append(missing, fmt.Sprint(s))
			}
		}
		if len(missing) > 0 {
			v.Add(fmt.Sprintf("competencies[%d].anchors", i), "no anchor for score %s: every point of the scale needs one before publishing", strings.Join(missing, ", "))
		}
	}
	return v.Err()
}
