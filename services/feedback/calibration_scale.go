package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Rubrics may have different scales (1–4, 1–5, 0–9): a leniency of 0.3
// points means something else on each. So before scorecards from several
// rubrics are pooled into one model, every rating is put on one scale — the
// fraction of its own rubric's range, then stretched onto the scale most of
// the scorecards use — and figures are reported in points of that scale. A
// role's kept report stores each interviewer's effect as a fraction of the
// range, and a summary turns it back into points of the rubric each
// scorecard was scored on.

// ratingScale is a rubric revision's scale.
type ratingScale struct {
	min, max int32
	known    bool // false: the revision could not be read; scores are taken as they are
}

func (r ratingScale) span() float64 {
	if !r.known || r.max <= r.min {
		return 1
	}
	return float64(r.max - r.min)
}

// words names the scale for people: "points of a 1–4 scale".
func (r ratingScale) words() string {
	if !r.known {
		return "scale points"
	}
	return fmt.Sprintf("points of a %d–%d scale", r.min, r.max)
}

// scales are the scales of rubric revisions, by revision name
// (rubrics/{r}/revisions/{n}).
type scales map[string]ratingScale

// common is the scale most of the scorecards use; ties go to the widest,
// then the lowest, so that the choice never depends on map order.
func (sc scales) common(rubrics []string) ratingScale {
	count := map[ratingScale]int{}
	for _, r := range rubrics {
		if s, ok := sc[r]; ok {
			count[s]++
		}
	}
	var best ratingScale
	for s, n := range count {
		b := count[best]
		if !best.known || n > b || (n == b && (s.span() > best.span() || (s.span() == best.span() && s.min < best.min))) {
			best = s
		}
	}
	return best
}

// convert puts a score given on rubric's scale onto scale to.
func (sc scales) convert(rubric string, score float64, to ratingScale) float64 {
	from, ok := sc[rubric]
	if !ok || !to.known {
		return score // unknown: taken to be on the common scale already
	}
	return float64(to.min) + (score-float64(from.min))/from.span()*to.span()
}

// span is the range of rubric's scale, or of fallback when it is unknown.
func (sc scales) span(rubric string, fallback ratingScale) float64 {
	if s, ok := sc[rubric]; ok {
		return s.span()
	}
	return fallback.span()
}

// scalesOf reads the scales of the rubric revisions named (immutable, so
// cached). A revision the rubric service no longer has is left out: its
// scores are taken as they are.
func (s *Server) scalesOf(ctx context.Context, rubrics []string) (scales, error) {
	out := scales{}
	for _, name := range rubrics {
		if _, done := out[name]; done {
			continue
		}
		rev, err := s.rubrics.get(ctx, name, "rubric")
		var gone *apierr.InvalidArgumentError
		if errors.As(err, &gone) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[name] = scaleOf(rev)
	}
	return out, nil
}

// rubricsOf lists the rubric revisions of cards, each once, in order.
func rubricsOf(cards []scored) []string {
	var out []string
	for _, c := range cards {
		if !slices.Contains(out, c.iv.Rubric) {
			out = append(out, c.iv.Rubric)
		}
	}
	return out
}
