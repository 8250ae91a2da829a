package rubric

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// DeriveRubric reads a published framework revision from the ladder service,
// with the caller's credentials, and creates a draft rubric from one of its
// levels (see deriveContent).
func (s *Server) DeriveRubric(ctx context.Context, req *rubricv1.DeriveRubricRequest) (*rubricv1.Rubric, error) {
	name := req.GetFramework()
	if _, id := publishing.SplitName(name); id == "" {
		name = publishing.LatestAlias(name)
	}
	rev, err := s.ladder.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: name})
	if err != nil {
		return nil, ladderError(err, req.GetFramework())
	}
	c, err := deriveContent(rev, req)
	if err != nil {
		return nil, err
	}
	base := publishing.Slug(req.GetLevel()+"-"+req.GetInterviewType(), "rubric")
	return s.create(ctx, req.GetRubricId(), base, c, kindDerive, req.GetRequestId())
}

// ladderError turns the ladder service's answer into this service's error,
// at the call site: its status is never passed through.
func ladderError(err error, framework string) error {
	err = grpcerr.FromStatus(err)
	switch {
	case errors.Is(err, apierr.ErrNotFound):
		e := apierr.New(apierr.ErrNotFound, framework+": no such framework, or it has no published revision")
		e.Metadata = map[string]string{"resource": framework}
		return e
	case errors.Is(err, apierr.ErrUnavailable):
		return apierr.Unavailable("the ladder service is not available; retry later")
	case errors.Is(err, apierr.ErrPermissionDenied), errors.Is(err, apierr.ErrUnauthenticated):
		return err
	}
	var invalid *apierr.InvalidArgumentError
	if errors.As(err, &invalid) {
		return apierr.Invalid("framework", "the ladder service refused the name: %s", apierr.ResponseText(err))
	}
	return fmt.Errorf("read framework from the ladder service: %w", err)
}

// The anchors a derived rubric starts with, by where a point sits on the
// scale. The ladder says what each level expects; the rubric turns that
// into what an interviewer must have seen: the level below's expectation
// is "below the bar", the level's own is "meets the bar", the level above's
// is "above the bar".
const (
	scaleMin = 1
	scaleMax = 4
)

// deriveContent builds a draft rubric from a level of a framework revision.
// Pure: no I/O, so every rule is unit-tested.
func deriveContent(rev *ladderv1.FrameworkRevision, req *rubricv1.DeriveRubricRequest) (content, error) {
	f := rev.GetSnapshot()
	ti := slices.IndexFunc(f.GetTracks(), func(t *ladderv1.Track) bool { return t.GetId() == req.GetTrack() })
	if ti < 0 {
		return content{}, apierr.Invalid("track", "%s has no track %q (tracks: %s)", rev.GetName(), req.GetTrack(), ids(f.GetTracks(), (*ladderv1.Track).GetId))
	}
	levels := f.GetTracks()[ti].GetLevels()
	li := slices.IndexFunc(levels, func(l *ladderv1.Level) bool { return l.GetId() == req.GetLevel() })
	if li < 0 {
		return content{}, apierr.Invalid("level", "track %q has no level %q (levels: %s)", req.GetTrack(), req.GetLevel(), ids(levels, (*ladderv1.Level).GetId))
	}
	level := levels[li]
	var below, above *ladderv1.Level
	if li > 0 {
		below = levels[li-1]
	}
	if li+1 < len(levels) {
		above = levels[li+1]
	}

	wanted := map[string]bool{}
	for i, id := range req.GetCompetencies() {
		if expectation(level, id) == nil {
			return content{}, apierr.Invalid(fmt.Sprintf("competencies[%d]", i), "level %q expects nothing of competency %q", level.GetId(), id)
		}
		wanted[id] = true
	}
	sc := scale{Min: scaleMin, Max: scaleMax, Labels: []scaleLabel{
		{1, "Well below the bar"}, {2, "Below the bar"}, {3, "Meets the bar"}, {4, "Above the bar"},
	}}
	if p := req.GetScale(); p != nil {
		var v apierr.Violations
		if validateScale(&v, p, "scale"); v.Err() != nil {
			return content{}, v.Err()
		}
		sc = scale{Min: p.GetMin(), Max: p.GetMax()}
		for _, l := range p.GetLabels() {
			sc.Labels = append(sc.Labels, scaleLabel{Score: l.GetScore(), Label: l.GetLabel()})
		}
	}

	c := content{
		Title:         req.GetTitle(),
		Role:          req.GetRole(),
		Level:         level.GetId(),
		InterviewType: req.GetInterviewType(),
		Scale:         sc,
		Competencies:  []competency{},
		Source:        &source{FrameworkRevision: rev.GetName(), Track: req.GetTrack(), Level: level.GetId()},
	}
	if c.Title == "" {
		c.Title = clip(fmt.Sprintf("%s: %s", level.GetTitle(), strings.ReplaceAll(req.GetInterviewType(), "-", " ")), maxTitleLen)
	}
	if c.Role == "" {
		c.Role = req.GetTrack()
	}
	c.Description = clip(fmt.Sprintf("Derived from %s, track %q, level %q (%s). %s", rev.GetName(), req.GetTrack(), level.GetId(), level.GetTitle(), level.GetSummary()), maxDescriptionLen)
	for _, comp := range f.GetCompetencies() {
		e := expectation(level, comp.GetId())
		if e == nil || (len(wanted) > 0 && !wanted[comp.GetId()]) {
			continue
		}
		c.Competencies = append(c.Competencies, competency{
			ID: comp.GetId(), Title: comp.GetTitle(), Description: comp.GetDescription(),
			Weight: 1, EvidenceRequired: true,
			Questions: []question{{
				Text:              clip("Tell me about a piece of your work that shows this: "+e.GetDescription(), maxDescriptionLen),
				FollowUps:         []string{"What was your part, and what did others do?", "What would you do differently now?"},
				WhatGoodLooksLike: clip(strings.Join(append([]string{e.GetDescription()}, e.GetExamples()...), " For example: "), maxDescriptionLen),
			}},
			Anchors: anchors(sc, comp.GetId(), below, level, above),
		})
	}
	if len(c.Competencies) == 0 {
		return content{}, apierr.Invalid("level", "level %q expects nothing of any competency: there is nothing to assess", level.GetId())
	}
	return c, nil
}

// anchors spreads the ladder's three reference points over the scale: the
// top point is above the bar, the one below it meets the bar, and every
// lower point is below it (a two-point scale: below and meets).
func anchors(sc scale, competency string, below, level, above *ladderv1.Level) []anchor {
	meets := expectation(level, competency).GetDescription()
	belowText := "Does not yet show what " + level.GetTitle() + " expects: " + meets
	if e := expectation(below, competency); e != nil {
		belowText = fmt.Sprintf("Shows what %s expects (%s) but not yet what %s expects: %s", below.GetTitle(), e.GetDescription(), level.GetTitle(), meets)
	}
	aboveText := "Clearly exceeds what " + level.GetTitle() + " expects: " + meets
	if e := expectation(above, competency); e != nil {
		aboveText = fmt.Sprintf("Already shows what %s expects: %s", above.GetTitle(), e.GetDescription())
	}
	meetsText := "Meets the bar for " + level.GetTitle() + ": " + meets
	span := sc.Max - sc.Min
	var out []anchor
	for s := sc.Min; s <= sc.Max; s++ {
		var text string
		switch {
		case span >= 2 && s == sc.Max:
			text = aboveText
		case (span >= 2 && s == sc.Max-1) || (span == 1 && s == sc.Max):
			text = meetsText
		case span >= 3 && s == sc.Min:
			text = "Well below the bar. " + belowText
		default:
			text = belowText
		}
		// Marked derived (not in the text, which interviewers read): the
		// mark clears when an admin rewrites the anchor.
		out = append(out, anchor{Score: s, Description: clip(text, maxDescriptionLen), Derived: true})
	}
	return out
}

// clip keeps at most n characters of s: derived text joins ladder text,
// and must stay within what an anchor may hold.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func expectation(l *ladderv1.Level, competency string) *ladderv1.Expectation {
	for _, e := range l.GetExpectations() {
		if e.GetCompetency() == competency {
			return e
		}
	}
	return nil
}

func ids[T any](items []T, id func(T) string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return strings.Join(out, ", ")
}
