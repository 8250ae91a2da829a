package ladder

import (
	"context"
	"slices"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// CompareLevels lays two levels of a framework or revision side by side.
func (s *Server) CompareLevels(ctx context.Context, req *ladderv1.CompareLevelsRequest) (*ladderv1.CompareLevelsResponse, error) {
	name, c, err := s.readContent(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	resp, err := compareLevels(c, req.GetTrack(), req.GetFromLevel(), req.GetToTrack(), req.GetToLevel())
	if err != nil {
		return nil, err
	}
	resp.Name = name
	return resp, nil
}

// compareLevels lays two levels side by side, one entry per competency of the
// framework, saying how the expectation differs from the first to the second.
// The levels may sit on different tracks (toTrack; empty means the same track).
func compareLevels(c content, trackID, fromID, toTrackID, toID string) (*ladderv1.CompareLevelsResponse, error) {
	toTrackField := "to_track"
	if toTrackID == "" {
		// Same track: an unknown track is the fault of "track" alone, not of
		// a to_track the caller never set.
		toTrackID, toTrackField = trackID, "track"
	}
	var v apierr.Violations
	from := findLevel(c, trackID, fromID, "track", "from_level", &v)
	to := findLevel(c, toTrackID, toID, toTrackField, "to_level", &v)
	v = slices.Compact(v) // the same unknown track, reported once
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp := &ladderv1.CompareLevelsResponse{
		From: &ladderv1.LevelRef{Track: trackID, Level: from.ID, Title: from.Title, Summary: from.Summary},
		To:   &ladderv1.LevelRef{Track: toTrackID, Level: to.ID, Title: to.Title, Summary: to.Summary},
	}
	for _, comp := range c.Competencies {
		fe, te := expectationOf(from, comp.ID), expectationOf(to, comp.ID)
		resp.Competencies = append(resp.Competencies, &ladderv1.CompetencyComparison{
			Competency: comp.ID,
			Title:      comp.Title,
			From:       expectationToProto(fe),
			To:         expectationToProto(te),
			Difference: difference(fe, te),
		})
	}
	return resp, nil
}

func difference(from, to *expectation) ladderv1.CompetencyComparison_Difference {
	switch {
	case from == nil && to == nil:
		return ladderv1.CompetencyComparison_DIFFERENCE_NONE
	case from == nil:
		return ladderv1.CompetencyComparison_DIFFERENCE_ADDED
	case to == nil:
		return ladderv1.CompetencyComparison_DIFFERENCE_DROPPED
	case from.Description == to.Description && slices.Equal(from.Examples, to.Examples):
		return ladderv1.CompetencyComparison_DIFFERENCE_UNCHANGED
	default:
		return ladderv1.CompetencyComparison_DIFFERENCE_CHANGED
	}
}

// findLevel returns the level, or records which request field named something
// that does not exist.
func findLevel(c content, trackID, levelID, trackField, levelField string, v *apierr.Violations) *level {
	i := slices.IndexFunc(c.Tracks, func(t track) bool { return t.ID == trackID })
	if i < 0 {
		v.Add(trackField, "unknown track %q", trackID)
		return nil
	}
	t := c.Tracks[i]
	j := slices.IndexFunc(t.Levels, func(l level) bool { return l.ID == levelID })
	if j < 0 {
		v.Add(levelField, "unknown level %q in track %q", levelID, trackID)
		return nil
	}
	return &t.Levels[j]
}

func expectationOf(l *level, competencyID string) *expectation {
	i := slices.IndexFunc(l.Expectations, func(e expectation) bool { return e.Competency == competencyID })
	if i < 0 {
		return nil
	}
	return &l.Expectations[i]
}

func expectationToProto(e *expectation) *ladderv1.Expectation {
	if e == nil {
		return nil
	}
	return &ladderv1.Expectation{Competency: e.Competency, Description: e.Description, Examples: e.Examples}
}
