package rubric

import (
	"context"
	"slices"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// kindRederive records a draft derived again from a newer ladder.
const kindRederive = "rederive"

// RederiveRubric derives a rubric's draft again from the newest revision
// of the framework it came from, keeping what an admin wrote: see
// rederive.
func (s *Server) RederiveRubric(ctx context.Context, req *rubricv1.RederiveRubricRequest) (*rubricv1.Rubric, error) {
	cur, err := s.store.Drafts.Get(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	src := cur.Data.Content.Source
	if src == nil {
		return nil, apierr.FailedPrecondition("%s was not derived from a ladder: there is nothing to derive again", req.GetName())
	}
	framework, _ := publishing.SplitName(src.FrameworkRevision)
	rev, err := s.ladder.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: publishing.LatestAlias(framework)})
	if err != nil {
		return nil, ladderError(err, framework)
	}
	doc, err := s.store.Edit(ctx, req.GetName(), principal.User(ctx), kindRederive, versioned.Expect{ETag: req.GetEtag()}, func(c content) (content, []string, error) {
		next, err := rederive(c, rev)
		if err != nil {
			return content{}, nil, err
		}
		fields := changedFields(c, next)
		if *next.Source != *c.Source {
			// Nothing the ladder says changed, but the draft now derives
			// from the newer revision: that is a change too.
			fields = append(fields, "source")
		}
		return next, fields, nil
	})
	if err != nil {
		return nil, err
	}
	return draftToProto(doc), nil
}

// rederive merges a fresh derivation from rev into c: the same track,
// level, interview type, scale and competencies. An anchor still marked
// derived takes the new words; one an admin rewrote stays; a competency
// the level no longer expects anything of stays as it is (its anchors
// then speak of the old ladder, and an admin decides). Titles,
// descriptions, weights and questions stay: they are the admin's. Pure.
func rederive(c content, rev *ladderv1.FrameworkRevision) (content, error) {
	req := &rubricv1.DeriveRubricRequest{
		Track: c.Source.Track, Level: c.Source.Level, InterviewType: c.InterviewType, Role: c.Role, Title: c.Title,
		Scale: contentToProto(content{Scale: c.Scale}).GetScale(),
	}
	for _, comp := range c.Competencies {
		for _, l := range levelOf(rev, c.Source.Track, c.Source.Level) {
			if expectation(l, comp.ID) != nil {
				req.Competencies = append(req.Competencies, comp.ID)
			}
		}
	}
	fresh, err := deriveContent(rev, req)
	if err != nil {
		return content{}, err
	}
	next := c
	next.Source = fresh.Source
	next.Competencies = slices.Clone(c.Competencies)
	for i, comp := range next.Competencies {
		fi := slices.IndexFunc(fresh.Competencies, func(f competency) bool { return f.ID == comp.ID })
		if fi < 0 {
			continue
		}
		anchors := slices.Clone(comp.Anchors)
		for j, an := range anchors {
			if !an.Derived {
				continue // rewritten by an admin: theirs
			}
			for _, fa := range fresh.Competencies[fi].Anchors {
				if fa.Score == an.Score {
					anchors[j] = fa
				}
			}
		}
		next.Competencies[i].Anchors = anchors
	}
	return next, nil
}

// levelOf is the level of a track of rev, as a one-element list (none
// when the track or level is gone).
func levelOf(rev *ladderv1.FrameworkRevision, track, level string) []*ladderv1.Level {
	for _, t := range rev.GetSnapshot().GetTracks() {
		if t.GetId() != track {
			continue
		}
		for _, l := range t.GetLevels() {
			if l.GetId() == level {
				return []*ladderv1.Level{l}
			}
		}
	}
	return nil
}
