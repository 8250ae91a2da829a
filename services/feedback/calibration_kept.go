package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// calibrationDoc keeps the interviewer effects of a role's last report,
// keyed "calibrations/{role}", and the report itself, so that the report
// page opens on it. The report names the role's candidates: an erasure of
// any of them drops the whole document (erasure.go), as it must anyway,
// since the effects were fitted on the erased scores.
type calibrationDoc struct {
	// Format is calibrationFormat; a document of another format was kept by
	// an earlier version (effects in points, not fractions) and is not used.
	Format      int       `bson:"format"`
	ComputeTime time.Time `bson:"compute_time"`
	// Fractions are the interviewers' effects as fractions of their rubric's
	// range (calibration_scale.go).
	Fractions map[string]float64 `bson:"fractions"`
	Used      map[string]bool    `bson:"used"`
	// ScaleMin and ScaleMax are the report's scale: a scorecard whose
	// rubric revision cannot be read is taken to be on it.
	ScaleMin      int32 `bson:"scale_min"`
	ScaleMax      int32 `bson:"scale_max"`
	MinScorecards int   `bson:"min_scorecards"`
	// Scorecards is how many submitted scorecards the report was fitted on.
	Scorecards int `bson:"scorecards"`
	// Report is the report as computed (protobuf wire format); empty in a
	// document kept before reports were.
	Report []byte `bson:"report,omitempty"`
}

// calibrationFormat is the format of the kept documents this version writes.
const calibrationFormat = 2

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

// keptCalibration decides what calibration of a role a viewer is shown
// beside a panel's scores, and returns the role's kept report when it is
// shown — else nil, with the calibration that says why not:
//   - named interviewer effects are for recruiters and admins: an
//     interviewer sees no calibration in a summary, not even calibrated
//     means, since a calibrated mean beside the scores they can read is a
//     sum of their colleagues' effects, and a few panels solve for each;
//   - a recruiter or admin who is still blind on a panel of the role is
//     shown none either: the role's effects moved with the scores on that
//     panel.
func (s *Server) keptCalibration(ctx context.Context, v viewer, role string) (*calibrationDoc, *feedbackv1.Calibration, error) {
	if !v.hiring {
		return nil, &feedbackv1.Calibration{Note: "calibrated scores are shown to recruiters: they are computed from each interviewer's leniency"}, nil
	}
	blind, err := s.blindInRole(ctx, v, role)
	if err != nil {
		return nil, nil, err
	}
	if blind {
		return nil, &feedbackv1.Calibration{Note: "no calibrated scores while you have a scorecard of role " + role + " to submit: the role's calibration includes that panel's scores"}, nil
	}
	doc, err := s.store.calibration(ctx, role)
	switch {
	case err != nil:
		return nil, nil, err
	case doc == nil:
		return nil, &feedbackv1.Calibration{Note: "no calibration of role " + role + " yet: POST /v1/calibrations:compute with scope.role " + role}, nil
	case doc.Format != calibrationFormat:
		return nil, &feedbackv1.Calibration{Note: "the calibration of role " + role + " was computed by an earlier version: compute it again (POST /v1/calibrations:compute with scope.role " + role + ")"}, nil
	}
	return doc, nil, nil
}

// blindInRole reports whether the viewer is on the panel of a candidate of
// role with a scorecard of their own not submitted. It reads the viewer's
// index of interviews and their candidates by _id: a recruiter who
// interviews has few.
func (s *Server) blindInRole(ctx context.Context, v viewer, role string) (bool, error) {
	names, err := s.store.interviewsOf(ctx, v.user)
	if err != nil {
		return false, err
	}
	seen := map[string]bool{}
	for _, name := range names {
		cand, _, _ := strings.Cut(name, "/interviews/")
		if seen[cand] {
			continue
		}
		seen[cand] = true
		d, err := s.store.candidates.Find(ctx, cand)
		if err != nil {
			return false, err
		}
		if !d.Live() || d.Data.Role != role {
			continue
		}
		if blind, err := s.blindOn(ctx, v, d); err != nil || blind {
			return blind, err
		}
	}
	return false, nil
}

// calibrate applies a role's kept effects to a panel's cards: the
// calibrated mean per competency (in points of each scorecard's rubric), the
// effects used, and a note that says how old the report is and how many of
// the panel's scorecards came after it. Pure.
func calibrate(doc *calibrationDoc, role string, cards []card, sc scales) (*feedbackv1.Calibration, map[string]float64) {
	c := &feedbackv1.Calibration{
		Applied: true, ComputeTime: timestamppb.New(doc.ComputeTime), InterviewerEffects: map[string]float64{},
		ReportScorecards: int32(doc.Scorecards),
	}
	fallback := ratingScale{min: doc.ScaleMin, max: doc.ScaleMax, known: doc.ScaleMax > doc.ScaleMin}
	sums, counts := map[string]float64{}, map[string]int{}
	var few []string
	for _, cd := range cards {
		who := cd.interview.Interviewer
		e := 0.0
		if doc.Used[who] {
			e = doc.Fractions[who] * sc.span(cd.interview.Rubric, fallback)
		} else if !slices.Contains(few, who) {
			few = append(few, who)
		}
		c.InterviewerEffects[who] = e
		if cd.scorecard.SubmitTime.After(doc.ComputeTime) {
			c.PanelScorecardsSince++
		}
		for _, r := range cd.scorecard.Ratings {
			if !r.NotAssessed {
				sums[r.Competency] += float64(r.Score) - e
				counts[r.Competency]++
			}
		}
	}
	c.Note = fmt.Sprintf("calibrated with the report of role %s computed at %s over %d scorecards", role, doc.ComputeTime.Format(time.RFC3339), doc.Scorecards)
	if n := c.PanelScorecardsSince; n > 0 {
		c.Note += fmt.Sprintf("; %d of this panel's scorecards came after it: compute the report again to include them", n)
	}
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

// panelCalibration is the calibration a viewer is shown beside a panel's
// cards, with the calibrated mean per competency when it is applied.
func (s *Server) panelCalibration(ctx context.Context, v viewer, role string, cards []card) (*feedbackv1.Calibration, map[string]float64, error) {
	doc, withheld, err := s.keptCalibration(ctx, v, role)
	if err != nil || doc == nil {
		return withheld, nil, err
	}
	sc, err := s.scalesOf(ctx, cardRubrics(cards))
	if err != nil {
		return nil, nil, err
	}
	cal, means := calibrate(doc, role, cards, sc)
	return cal, means, nil
}

// cardRubrics lists the rubric revision of each card.
func cardRubrics(cards []card) []string {
	out := make([]string, len(cards))
	for i, c := range cards {
		out[i] = c.interview.Rubric
	}
	return out
}

// GetRoleCalibration returns a role's kept report, to the recruiters and
// admins keptCalibration shows calibrations to.
func (s *Server) GetRoleCalibration(ctx context.Context, req *feedbackv1.GetRoleCalibrationRequest) (*feedbackv1.CalibrationReport, error) {
	role := strings.TrimSuffix(strings.TrimPrefix(req.GetName(), "roles/"), "/calibration")
	doc, withheld, err := s.keptCalibration(ctx, viewerOf(ctx), role)
	if err != nil {
		return nil, err
	}
	if doc == nil && strings.HasPrefix(withheld.GetNote(), "no calibrated scores while") {
		return nil, apierr.FailedPrecondition("%s", withheld.GetNote())
	}
	if doc == nil || len(doc.Report) == 0 {
		return nil, apierr.New(apierr.ErrNotFound, "no report of role "+role+" is kept yet: compute one over the whole role (POST /v1/calibrations:compute with scope.role "+role+")")
	}
	rep := &feedbackv1.CalibrationReport{}
	if err := proto.Unmarshal(doc.Report, rep); err != nil {
		return nil, fmt.Errorf("read the kept report of %s: %w", role, err)
	}
	return rep, nil
}
