package feedback

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/stats"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// minPeers is the fewest colleagues a standing compares with: fewer, and a
// peer's values could be picked out.
const minPeers = 5

// minPeersForMiddle is the fewest peers whose panel distances are summed up
// in one middle figure.
const minPeersForMiddle = 7

// peerRounding is the precision of a peer's figure, in scale points.
const peerRounding = 0.1

// GetUserCalibration shows an interviewer where they stand among their
// peers, naming no peer, from the panels both they and the reader may see.
func (s *Server) GetUserCalibration(ctx context.Context, req *feedbackv1.GetUserCalibrationRequest) (*feedbackv1.UserCalibration, error) {
	user := strings.TrimSuffix(req.GetName(), "/calibration")
	reader := viewerOf(ctx)
	if user == "users/me" {
		user = reader.user
	}
	if user != reader.user && !reader.hiring {
		return nil, apierr.New(apierr.ErrPermissionDenied, "an interviewer's standing is theirs, and the recruiters', to read")
	}
	// The interviewer as an interviewer: the panels they are on.
	viewers := []viewer{{user: user}}
	if user != reader.user {
		viewers = append(viewers, reader)
	}
	cards, _, err := s.cardsInScope(ctx, &feedbackv1.CalibrationScope{}, viewers...)
	if err != nil {
		return nil, err
	}
	sc, err := s.scalesOf(ctx, rubricsOf(cards))
	if err != nil {
		return nil, err
	}
	return userStanding(user, cards, sc, s.opts.MinScorecards), nil
}

// userStanding places one interviewer among their peers. Pure.
func userStanding(user string, cards []scored, sc scales, minScorecards int) *feedbackv1.UserCalibration {
	out := &feedbackv1.UserCalibration{Name: user + "/calibration", MinScorecards: int32(minScorecards)}
	var own []string
	perPeer := map[string]int{}
	for _, c := range cards {
		if c.iv.Interviewer == user {
			out.Scorecards++
			own = append(own, c.iv.Rubric)
		} else {
			perPeer[c.iv.Interviewer]++
		}
	}
	usual := sc.common(own)
	out.Scale = usual.words()
	out.Model = fmt.Sprintf(modelText, usual.words())
	if int(out.Scorecards) < minScorecards {
		out.Reason = fmt.Sprintf("a standing needs %d submitted scorecards, and there are %d so far", minScorecards, out.Scorecards)
		return out
	}
	// Peers count only with enough scorecards of their own, and only when
	// there are enough of them that no single one can be picked out.
	eligible := map[string]bool{}
	for who, n := range perPeer {
		if n >= minScorecards {
			eligible[who] = true
		}
	}
	if len(eligible) < minPeers {
		out.Reason = fmt.Sprintf("a standing compares you with at least %d colleagues who have %d submitted scorecards each on the panels you sat on; so far %d have", minPeers, minScorecards, len(eligible))
		return out
	}
	ratings := ratingsOn(cards, sc, usual)
	model, err := stats.FitLeniency(ratings, stats.LeniencyOptions{})
	if err != nil {
		out.Reason = "not enough overlap with other interviewers yet to compare: " + err.Error()
		return out
	}
	distances := panelDistances(ratings)
	var peerDistances, exact []float64
	for _, ie := range model.Interviewers {
		if ie.Interviewer == user {
			out.Leniency, out.LeniencyLow, out.LeniencyHigh = ie.Effect, ie.Low, ie.High
			continue
		}
		if !eligible[ie.Interviewer] {
			continue
		}
		exact = append(exact, ie.Effect)
		out.PeerLeniencies = append(out.PeerLeniencies, roundTo(ie.Effect, peerRounding))
		if d, ok := distances[ie.Interviewer]; ok {
			peerDistances = append(peerDistances, d)
		}
	}
	slices.Sort(out.PeerLeniencies)
	below := 0
	for _, p := range exact {
		if p < out.Leniency {
			below++
		}
	}
	if len(exact) > 0 {
		out.LeniencyPercentile = float64(below) / float64(len(exact))
	}
	out.PanelDistance = distances[user]
	if m, ok := middle(peerDistances); ok && len(peerDistances) >= minPeersForMiddle {
		m = roundTo(m, peerRounding)
		out.PeerPanelDistanceMiddle = &m
	}
	out.Shown = true
	return out
}

// roundTo rounds x to the nearest multiple of step (and -0 to 0).
func roundTo(x, step float64) float64 {
	r := math.Round(x/step) * step
	// Print as people write it: 0.30000000000000004 is 0.3.
	r = math.Round(r*1e9) / 1e9
	if r == 0 {
		return 0
	}
	return r
}

// middle is the mean of the middle two of an even number of values, or of
// the middle three of an odd number: the centre of the values that is
// never one of them alone. false for fewer than two values.
func middle(values []float64) (float64, bool) {
	n := len(values)
	if n < 2 {
		return 0, false
	}
	v := slices.Sorted(slices.Values(values))
	if n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2, true
	}
	return (v[n/2-1] + v[n/2] + v[n/2+1]) / 3, true
}

// panelDistances is, per interviewer, the mean absolute difference between
// their score and the other interviewers' mean score of the same candidate
// and competency.
func panelDistances(ratings []stats.Rating) map[string]float64 {
	type cell struct{ candidate, competency string }
	cells := map[cell][]stats.Rating{}
	var order []cell
	for _, r := range ratings {
		k := cell{r.Candidate, r.Competency}
		if _, ok := cells[k]; !ok {
			order = append(order, k)
		}
		cells[k] = append(cells[k], r)
	}
	// In the order of the ratings, never of the map: a sum of floats in map
	// order could differ in its last bit from one call to the next.
	sum, n := map[string]float64{}, map[string]int{}
	for _, k := range order {
		rs := cells[k]
		if len(rs) < 2 {
			continue
		}
		total := 0.0
		for _, r := range rs {
			total += r.Score
		}
		for _, r := range rs {
			others := (total - r.Score) / float64(len(rs)-1)
			sum[r.Interviewer] += math.Abs(r.Score - others)
			n[r.Interviewer]++
		}
	}
	out := map[string]float64{}
	for who := range sum {
		out[who] = sum[who] / float64(n[who])
	}
	return out
}
