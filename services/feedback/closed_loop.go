package feedback

import (
	"context"
	"fmt"
	"sort"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/stats"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The closed loop (compliance.proto, ClosedLoopReport): for every hired
// candidate linked to the person they became (candidate.HiredUser), their
// mean interview score per competency against the rating of the same
// competency in that person's first reviewed ladder assessment, read from
// the ladder service with the caller's (an admin's) rights. The
// computation is pure (closedLoopReport); the handler gathers.

// GrowthReader is what the closed loop needs of the ladder service: a
// ladderv1.LadderServiceClient is one.
type GrowthReader interface {
	ListAssessments(ctx context.Context, in *ladderv1.ListAssessmentsRequest, opts ...grpc.CallOption) (*ladderv1.ListAssessmentsResponse, error)
}

// DefaultClosedLoopMinN is the least number of people a competency's
// correlation is shown for: fewer say little, and single people could be
// recognised.
const DefaultClosedLoopMinN = 10

const closedLoopCaveats = "Only hires are seen: candidates who were not hired have no job performance to compare, so the " +
	"range of interview scores is narrowed, and correlations here are usually smaller than over everyone who " +
	"interviewed (range restriction). The ratings come from a first assessment, its manager's view where they differ, " +
	"on three points, months after the interview; a person's circumstances, team and manager shape them too. With " +
	"n near the minimum the interval is wide: read its ends, not only the middle. A correlation is not a cause, and a " +
	"competency that does not predict here may still matter for reasons a first assessment does not show."

// closedLoopHire is what the report needs of one linked hire.
type closedLoopHire struct {
	interview map[string]float64 // competency → mean interview score
	job       map[string]float64 // competency → first reviewed assessment's rating (1..3)
}

// jobScore is an assessment entry's rating that counts, as a number;
// 0 when there is none.
func jobScore(e *ladderv1.AssessmentEntry) float64 {
	r := e.GetRating()
	if e.GetReview() == ladderv1.AssessmentEntry_REVIEW_DIFFER {
		r = e.GetManagerRating()
	}
	switch r {
	case ladderv1.AssessmentEntry_RATING_NOT_YET:
		return 1
	case ladderv1.AssessmentEntry_RATING_MEETING:
		return 2
	case ladderv1.AssessmentEntry_RATING_EXCEEDING:
		return 3
	}
	return 0
}

// closedLoopReport correlates, per competency, over the hires that have
// both figures.
func closedLoopReport(hires []closedLoopHire, linked, minN int, now time.Time) *feedbackv1.ClosedLoopReport {
	rep := &feedbackv1.ClosedLoopReport{ComputeTime: timestamppb.New(now), MinN: int32(minN), HiresLinked: int32(linked),
		HiresAssessed: int32(len(hires)), Caveats: closedLoopCaveats}
	comps := map[string]bool{}
	for _, h := range hires {
		for c := range h.interview {
			if _, ok := h.job[c]; ok {
				comps[c] = true
			}
		}
	}
	ids := make([]string, 0, len(comps))
	for c := range comps {
		ids = append(ids, c)
	}
	sort.Strings(ids)
	for _, c := range ids {
		var xs, ys []float64
		for _, h := range hires {
			x, okx := h.interview[c]
			y, oky := h.job[c]
			if okx && oky {
				xs, ys = append(xs, x), append(ys, y)
			}
		}
		row := &feedbackv1.ClosedLoopCompetency{Competency: c, N: int32(len(xs)), Shown: len(xs) >= minN}
		if row.Shown {
			r, err := stats.Pearson(xs, ys)
			if err == nil {
				row.Correlation = r
				row.Low, row.High, _ = stats.PearsonInterval(r, len(xs))
			} else {
				row.Shown = false // no variation: nothing to correlate
			}
		}
		rep.Competencies = append(rep.Competencies, row)
	}
	return rep
}

// ComputeClosedLoop gathers the linked hires and builds the report.
func (s *Server) ComputeClosedLoop(ctx context.Context, _ *feedbackv1.ComputeClosedLoopRequest) (*feedbackv1.ClosedLoopReport, error) {
	if s.opts.Growth == nil {
		return nil, apierr.Unavailable("the closed loop needs the ladder service, which this process does not reach")
	}
	names, err := s.store.members.all(ctx, allCandidatesKey)
	if err != nil {
		return nil, err
	}
	docs := make([]*candidate, len(names))
	err = readEach(ctx, len(names), func(ctx context.Context, i int) error {
		d, err := s.store.candidates.Stored(ctx, names[i].Name)
		if err == nil && d.Live() {
			docs[i] = &d.Data
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var hires []closedLoopHire
	linked := 0
	for i, c := range docs {
		if c == nil || c.HiredUser == "" || c.State != int32(feedbackv1.Candidate_STATE_HIRED) {
			continue
		}
		linked++
		job, err := s.firstReviewed(ctx, c.HiredUser)
		if err != nil {
			return nil, err
		}
		if job == nil {
			continue
		}
		interview, err := s.interviewMeans(ctx, names[i].Name, c)
		if err != nil {
			return nil, err
		}
		hires = append(hires, closedLoopHire{interview: interview, job: job})
	}
	return closedLoopReport(hires, linked, s.opts.ClosedLoopMinN, time.Now().UTC()), nil
}

// firstReviewed is a person's first reviewed assessment's ratings of their
// own level, by competency; nil when they have none.
func (s *Server) firstReviewed(ctx context.Context, user string) (map[string]float64, error) {
	resp, err := s.opts.Growth.ListAssessments(ctx, &ladderv1.ListAssessmentsRequest{Parent: user})
	if err != nil {
		return nil, fmt.Errorf("read the assessments of %s: %w", user, err)
	}
	list := resp.GetAssessments() // newest first
	for i := len(list) - 1; i >= 0; i-- {
		a := list[i]
		if a.GetState() != ladderv1.Assessment_STATE_REVIEWED {
			continue
		}
		out := map[string]float64{}
		for _, e := range a.GetEntries() {
			if e.GetLevel() == a.GetLevel() {
				if v := jobScore(e); v > 0 {
					out[e.GetCompetency()] = v
				}
			}
		}
		return out, nil
	}
	return nil, nil
}

// interviewMeans is a candidate's mean submitted score per competency.
func (s *Server) interviewMeans(ctx context.Context, name string, c *candidate) (map[string]float64, error) {
	var cards []string
	for _, iv := range c.Interviews {
		cards = append(cards, scorecardName(name, iv.ID))
	}
	submitted, err := s.submittedScorecards(ctx, cards, false)
	if err != nil {
		return nil, err
	}
	sums, counts := map[string]float64{}, map[string]float64{}
	for _, sc := range submitted {
		for _, r := range sc.Ratings {
			if !r.NotAssessed {
				sums[r.Competency] += float64(r.Score)
				counts[r.Competency]++
			}
		}
	}
	out := map[string]float64{}
	for c, n := range counts {
		out[c] = sums[c] / n
	}
	return out, nil
}
