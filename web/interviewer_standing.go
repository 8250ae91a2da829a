package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// standingView is the "my standing" page: the chart, the same numbers in
// words, and a table for those who prefer one; or why there is nothing to
// show yet.
type standingView struct {
	Shown         bool
	Reason        string
	Scorecards    int32
	MinScorecards int32
	Scale         string
	Chart         template.HTML
	Sentences     []string
	Rows          []standingRow
}

// standingRow is one line of the table alternative to the chart.
type standingRow struct {
	Who, Leniency, Interval string
	Mine                    bool
}

// standing shows where the signed-in interviewer stands among their peers.
func (a *App) standing(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.callReport(r, s)
	defer cancel()
	uc, err := a.feedback.GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "standing", "My standing", standingOf(uc))
}

func standingOf(uc *feedbackv1.UserCalibration) standingView {
	v := standingView{
		Shown: uc.GetShown(), Reason: uc.GetReason(),
		Scorecards: uc.GetScorecards(), MinScorecards: uc.GetMinScorecards(), Scale: uc.GetScale(),
	}
	if !v.Shown {
		return v
	}
	mine, low, high := uc.GetLeniency(), uc.GetLeniencyLow(), uc.GetLeniencyHigh()
	peers := uc.GetPeerLeniencies()
	v.Sentences = append(v.Sentences, standingLean(mine, low, high))
	if n := len(peers); n > 0 {
		less := int(math.Round(uc.GetLeniencyPercentile() * float64(n)))
		v.Sentences = append(v.Sentences, fmt.Sprintf("%d of your %d peers (%.0f%%) score less generously than you.", less, n, uc.GetLeniencyPercentile()*100))
	}
	distance := fmt.Sprintf("On average your scores sit %.2f points from the rest of each panel you were on", uc.GetPanelDistance())
	if uc.PeerPanelDistanceMiddle != nil {
		distance += fmt.Sprintf("; a typical peer's sit about %.1f points away.", uc.GetPeerPanelDistanceMiddle())
	} else {
		distance += "."
	}
	v.Sentences = append(v.Sentences, distance)
	v.Chart = standingChart{
		Mine: mine, Low: low, High: high, Peers: peers,
		Label: fmt.Sprintf("Your leniency %s points (95%% interval %s to %s) among %d peers' leniencies from %s to %s.",
			standingPoints(mine), standingPoints(low), standingPoints(high), len(peers), standingRangeEnd(peers, false), standingRangeEnd(peers, true)),
	}.svg()
	v.Rows = append(v.Rows, standingRow{Who: "You", Leniency: standingPoints(mine), Interval: standingPoints(low) + " to " + standingPoints(high), Mine: true})
	for i, p := range peers {
		v.Rows = append(v.Rows, standingRow{Who: fmt.Sprintf("A peer (%d of %d, harshest first)", i+1, len(peers)), Leniency: standingPeerPoints(p), Interval: "not shown"})
	}
	return v
}

// standingLean says which way the interviewer leans, and whether the data
// can tell: an interval that holds zero cannot.
func standingLean(mine, low, high float64) string {
	interval := fmt.Sprintf("95%% interval %s to %s", standingPoints(low), standingPoints(high))
	switch {
	case low > 0:
		return fmt.Sprintf("You score about %.2f points higher than a typical interviewer would for the same candidates (%s): you are more generous.", mine, interval)
	case high < 0:
		return fmt.Sprintf("You score about %.2f points lower than a typical interviewer would for the same candidates (%s): you are harsher.", -mine, interval)
	default:
		return fmt.Sprintf("Your scores sit %s points from a typical interviewer's for the same candidates, but the %s includes zero: no clear lean either way.", standingPoints(mine), interval)
	}
}

// standingRangeEnd is the lowest or highest of sorted values, in words.
func standingRangeEnd(sorted []float64, last bool) string {
	if len(sorted) == 0 {
		return "none"
	}
	if last {
		return standingPeerPoints(sorted[len(sorted)-1])
	}
	return standingPeerPoints(sorted[0])
}

// standingPeerPoints is a peer's leniency as the service gives it, rounded
// to a tenth of a point: shown as such, never with more digits.
func standingPeerPoints(v float64) string {
	if v > 0 {
		return "+" + strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
