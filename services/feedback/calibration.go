package feedback

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/stats"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// ComputeCalibration computes a calibration report over the submitted
// scorecards in scope. A report over a whole role is kept: summaries and
// comparisons of that role's candidates calibrate with it.
func (s *Server) ComputeCalibration(ctx context.Context, req *feedbackv1.ComputeCalibrationRequest) (*feedbackv1.CalibrationReport, error) {
	scope := req.GetScope()
	if err := validateScope(scope); err != nil {
		return nil, err
	}
	cards, left, err := s.cardsInScope(ctx, scope, viewerOf(ctx))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	rep, eff := buildReport(cards, s.opts.MinScorecards, now)
	rep.Scope = scope
	// Only a report over the whole role, and only one that left nothing
	// out for its caller, is kept for everyone's summaries.
	if left == 0 && scope.GetLevel() == "" && scope.GetRubric() == "" && scope.GetStartTime() == nil && scope.GetEndTime() == nil {
		if err := s.store.saveCalibration(ctx, scope.GetRole(), calibrationDoc{ComputeTime: now, Effects: eff.effect, Used: eff.used, MinScorecards: s.opts.MinScorecards}); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func validateScope(sc *feedbackv1.CalibrationScope) error {
	var v apierr.Violations
	slugField(&v, "scope.role", sc.GetRole())
	if l := sc.GetLevel(); l != "" && !slugPattern.MatchString(l) {
		v.Add("scope.level", "%s", slugRule)
	}
	if r := sc.GetRubric(); r != "" && !rubricPattern.MatchString(r) {
		v.Add("scope.rubric", "must be rubrics/{rubric}, with a lower-case ID")
	}
	if a, b := sc.GetStartTime(), sc.GetEndTime(); a != nil && b != nil && !a.AsTime().Before(b.AsTime()) {
		v.Add("scope.end_time", "must be after start_time")
	}
	return v.Err()
}

// cardsInScope reads the submitted scorecards in scope: every candidate in
// one list (one scan on the embedded store, whatever the filter — paging
// would scan once per page — a report is an occasional, deliberate read),
// then the scope's scorecards (see submittedScorecards). Candidates the
// viewer is blind on (on the panel, their own scorecard not submitted) are
// left out: a report must not show a colleague's scores before the
// viewer's own judgement. It also returns how many candidates it left out
// so.
func (s *Server) cardsInScope(ctx context.Context, scope *feedbackv1.CalibrationScope, v viewer) ([]scored, int, error) {
	// Every role's candidates, not only the scope's: their interviews
	// count the scorecards stored, which decides how to read the scope's.
	docs, err := s.listCandidates(ctx, "", 0, "") // 0: no limit
	if err != nil {
		return nil, 0, err
	}
	var wanted []scored // the scorecard still to read
	var names []string
	left, stored := 0, 0
	for i := range docs {
		d := &docs[i]
		stored += len(d.Data.Interviews)
		if (scope.GetRole() != "" && d.Data.Role != scope.GetRole()) || (scope.GetLevel() != "" && d.Data.Level != scope.GetLevel()) {
			continue
		}
		blind, err := s.blindOn(ctx, v, d)
		if err != nil {
			return nil, 0, err
		}
		if blind {
			left++
			continue
		}
		for j := range d.Data.Interviews {
			iv := &d.Data.Interviews[j]
			if scope.GetRubric() != "" && !strings.HasPrefix(iv.Rubric, scope.GetRubric()+"/revisions/") {
				continue
			}
			wanted = append(wanted, scored{candidate: d.Name, iv: iv})
			names = append(names, scorecardName(d.Name, iv.ID))
		}
	}
	submitted, err := s.submittedScorecards(ctx, names, len(names)*lookupsPerScanned > stored)
	if err != nil {
		return nil, 0, err
	}
	var cards []scored
	for i, c := range wanted {
		if sc := submitted[names[i]]; sc != nil && inWindow(sc.SubmitTime, scope) {
			c.sc = sc
			cards = append(cards, c)
		}
	}
	return cards, left, nil
}

// lookupsPerScanned is what one lookup of a scorecard by _id costs in
// scorecards scanned, on the embedded store: about 0.6 ms against 0.2 ms
// (BenchmarkCalibrationReport). A read that wants more than a third of the
// stored scorecards scans them all; a role's report over most of the
// scorecards (the common case: few roles) reads at a third of the cost, one
// over a small role still reads by _id.
const lookupsPerScanned = 3

// submittedScorecards returns the submitted scorecards among names, by
// name: each by _id, or, with scan, in one scan of the submitted
// scorecards, keeping only those named (see lookupsPerScanned).
func (s *Server) submittedScorecards(ctx context.Context, names []string, scan bool) (map[string]*scorecard, error) {
	out := make(map[string]*scorecard, len(names))
	if !scan {
		for _, name := range names {
			sc, err := s.store.scorecards.Find(ctx, name)
			if err != nil {
				return nil, err
			}
			if sc.Live() && sc.Data.Submitted {
				out[name] = &sc.Data
			}
		}
		return out, nil
	}
	want := make(map[string]bool, len(names))
	for _, name := range names {
		want[name] = true
	}
	err := s.store.scorecards.Scan(ctx, bson.D{{Key: "data.submitted", Value: true}}, func(d *versioned.Doc[scorecard]) error {
		if want[d.Name] {
			out[d.Name] = &d.Data
		}
		return nil
	})
	return out, err
}

// blindOn reports whether v is on a candidate's panel with a scorecard of
// their own not submitted, reading only v's own scorecards.
func (s *Server) blindOn(ctx context.Context, v viewer, d *versioned.Doc[candidate]) (bool, error) {
	for _, id := range v.interviews(&d.Data) {
		sc, err := s.store.scorecards.Find(ctx, scorecardName(d.Name, id))
		if err != nil {
			return false, err
		}
		if !sc.Live() || !sc.Data.Submitted {
			return true, nil
		}
	}
	return false, nil
}

func inWindow(t time.Time, scope *feedbackv1.CalibrationScope) bool {
	if a := scope.GetStartTime(); a != nil && t.Before(a.AsTime()) {
		return false
	}
	if b := scope.GetEndTime(); b != nil && !t.Before(b.AsTime()) {
		return false
	}
	return true
}

// GetUserCalibration shows an interviewer where they stand among their
// peers, over every submitted scorecard, naming no peer.
func (s *Server) GetUserCalibration(ctx context.Context, req *feedbackv1.GetUserCalibrationRequest) (*feedbackv1.UserCalibration, error) {
	user := strings.TrimSuffix(req.GetName(), "/calibration")
	v := viewerOf(ctx)
	if user == "users/me" {
		user = v.user
	}
	if user != v.user && !v.hiring {
		return nil, apierr.New(apierr.ErrPermissionDenied, "an interviewer's standing is theirs, and the recruiters', to read")
	}
	cards, _, err := s.cardsInScope(ctx, &feedbackv1.CalibrationScope{}, viewer{user: user})
	if err != nil {
		return nil, err
	}
	return userStanding(user, cards, s.opts.MinScorecards), nil
}

// minPeers is the fewest colleagues a standing compares with: fewer, and a
// peer's values could be picked out.
const minPeers = 5

// userStanding places one interviewer among their peers. Pure.
func userStanding(user string, cards []scored, minScorecards int) *feedbackv1.UserCalibration {
	out := &feedbackv1.UserCalibration{Name: user + "/calibration", MinScorecards: int32(minScorecards)}
	var ratings []stats.Rating
	for _, c := range cards {
		if c.iv.Interviewer == user {
			out.Scorecards++
		}
		for _, r := range c.sc.Ratings {
			if !r.NotAssessed {
				ratings = append(ratings, stats.Rating{Candidate: c.candidate, Interviewer: c.iv.Interviewer, Competency: r.Competency, Score: float64(r.Score)})
			}
		}
	}
	if int(out.Scorecards) < minScorecards {
		out.Reason = fmt.Sprintf("a standing needs %d submitted scorecards, and there are %d so far", minScorecards, out.Scorecards)
		return out
	}
	// Peers count only with enough scorecards of their own, and only when
	// there are enough of them that no single one can be picked out.
	perPeer := map[string]int{}
	for _, c := range cards {
		if c.iv.Interviewer != user {
			perPeer[c.iv.Interviewer]++
		}
	}
	eligible := map[string]bool{}
	for who, n := range perPeer {
		if n >= minScorecards {
			eligible[who] = true
		}
	}
	if len(eligible) < minPeers {
		out.Reason = fmt.Sprintf("a standing compares you with at least %d colleagues who have %d submitted scorecards each, and there are %d so far", minPeers, minScorecards, len(eligible))
		return out
	}
	model, err := stats.FitLeniency(ratings, stats.LeniencyOptions{})
	if err != nil {
		out.Reason = "not enough overlap with other interviewers yet to compare: " + err.Error()
		return out
	}
	distances := panelDistances(ratings)
	var peerDistances []float64
	for _, ie := range model.Interviewers {
		if ie.Interviewer == user {
			out.Leniency, out.LeniencyLow, out.LeniencyHigh = ie.Effect, ie.Low, ie.High
			continue
		}
		if !eligible[ie.Interviewer] {
			continue
		}
		out.PeerLeniencies = append(out.PeerLeniencies, ie.Effect)
		if d, ok := distances[ie.Interviewer]; ok {
			peerDistances = append(peerDistances, d)
		}
	}
	slices.Sort(out.PeerLeniencies)
	below := 0
	for _, p := range out.PeerLeniencies {
		if p < out.Leniency {
			below++
		}
	}
	if len(out.PeerLeniencies) > 0 {
		out.LeniencyPercentile = float64(below) / float64(len(out.PeerLeniencies))
	}
	out.PanelDistance = distances[user]
	if m, err := stats.Median(peerDistances); err == nil {
		out.PeerPanelDistanceMedian = m
	}
	out.Shown = true
	return out
}

// panelDistances is, per interviewer, the mean absolute difference between
// their score and the other interviewers' mean score of the same candidate
// and competency.
func panelDistances(ratings []stats.Rating) map[string]float64 {
	type cell struct{ candidate, competency string }
	cells := map[cell][]stats.Rating{}
	for _, r := range ratings {
		k := cell{r.Candidate, r.Competency}
		cells[k] = append(cells[k], r)
	}
	sum, n := map[string]float64{}, map[string]int{}
	for _, rs := range cells {
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

// calibrationDoc keeps the interviewer effects of a role's last report,
// keyed "calibrations/{role}". It names interviewers, never candidates, so
// an erasure leaves it as it is.
type calibrationDoc struct {
	ComputeTime   time.Time          `bson:"compute_time"`
	Effects       map[string]float64 `bson:"effects"`
	Used          map[string]bool    `bson:"used"`
	MinScorecards int                `bson:"min_scorecards"`
}

func calibrationName(role string) string { return "calibrations/" + role }

// saveCalibration keeps a role's effects; the newest report wins.
func (s *Store) saveCalibration(ctx context.Context, role string, doc calibrationDoc) error {
	filter := bson.D{{Key: "_id", Value: calibrationName(role)}}
	if _, err := s.calibrations.ReplaceOne(ctx, filter, doc, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("keep calibration of %s: %w", role, err)
	}
	return nil
}

// calibration returns a role's kept effects, nil when none were computed.
func (s *Store) calibration(ctx context.Context, role string) (*calibrationDoc, error) {
	var doc calibrationDoc
	err := s.calibrations.FindOne(ctx, bson.D{{Key: "_id", Value: calibrationName(role)}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read calibration of %s: %w", role, err)
	}
	return &doc, nil
}

// calibrate applies a role's kept effects to a panel's cards: the
// calibrated mean per competency, the effects used, and a note.
func calibrate(doc *calibrationDoc, role string, cards []card) (*feedbackv1.Calibration, map[string]float64) {
	if doc == nil {
		return &feedbackv1.Calibration{Note: "no calibration of role " + role + " yet: POST /v1/calibrations:compute with scope.role " + role}, nil
	}
	c := &feedbackv1.Calibration{Applied: true, ComputeTime: timestamppb.New(doc.ComputeTime), InterviewerEffects: map[string]float64{}}
	sums, counts := map[string]float64{}, map[string]int{}
	var few []string
	for _, cd := range cards {
		who := cd.interview.Interviewer
		e := 0.0
		if doc.Used[who] {
			e = doc.Effects[who]
		} else if !slices.Contains(few, who) {
			few = append(few, who)
		}
		c.InterviewerEffects[who] = e
		for _, r := range cd.scorecard.Ratings {
			if !r.NotAssessed {
				sums[r.Competency] += float64(r.Score) - e
				counts[r.Competency]++
			}
		}
	}
	c.Note = fmt.Sprintf("calibrated with the report of role %s computed at %s", role, doc.ComputeTime.Format(time.RFC3339))
	if len(few) > 0 {
		slices.Sort(few)
		c.Note += fmt.Sprintf("; raw scores stand for %s (fewer than %d scorecards in that report)", strings.Join(few, ", "), doc.MinScorecards)
	}
	means := map[string]float64{}
	for comp, total := range sums {
		means[comp] = total / float64(counts[comp])
	}
	return c, means
}
