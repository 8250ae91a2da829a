package feedback_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A recruiter computes a role's calibration; summaries then show calibrated
// scores beside raw ones with the effects used; each interviewer sees their
// own standing and nobody else's.
func TestCalibrationThroughTheService(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	// ivan is generous, ines harsh; omar sits in between.
	for i, scores := range [][3]int32{{4, 2, 3}, {4, 1, 3}, {3, 1, 2}, {4, 2, 3}} {
		_, ivs := e.candidate(t, "c"+string(rune('a'+i)), ivan, ines, omar)
		for j, who := range []string{ivan, ines, omar} {
			e.fill(t, who, ivs[j], scores[j], scores[j], true)
		}
	}
	sum, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/ca"})
	if err != nil || sum.GetCalibration().GetApplied() || !strings.Contains(sum.GetCalibration().GetNote(), "calibrations:compute") {
		t.Fatalf("summary before any calibration = %v, %v, want raw scores and how to calibrate", sum.GetCalibration(), err)
	}
	_, err = e.recruiter.GetRoleCalibration(ctx, &feedbackv1.GetRoleCalibrationRequest{Name: "roles/ic/calibration"})
	wantCode(t, err, codes.NotFound, "")
	rep, err := e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
	if err != nil {
		t.Fatal(err)
	}
	// The report over the whole role is kept, and reads back as computed.
	kept, err := e.recruiter.GetRoleCalibration(ctx, &feedbackv1.GetRoleCalibrationRequest{Name: "roles/ic/calibration"})
	if err != nil || !proto.Equal(kept, rep) {
		t.Errorf("kept report = %v, want the report as computed", err)
	}
	_, err = e.recruiter.GetRoleCalibration(ctx, &feedbackv1.GetRoleCalibrationRequest{Name: "ic"})
	wantCode(t, err, codes.InvalidArgument, "name")
	if rep.GetScorecards() != 12 || len(rep.GetInterviewers()) != 3 || len(rep.GetCandidates()) != 4 {
		t.Fatalf("report = %d scorecards, %d interviewers, %d candidates", rep.GetScorecards(), len(rep.GetInterviewers()), len(rep.GetCandidates()))
	}
	leniency := map[string]float64{}
	for _, iv := range rep.GetInterviewers() {
		leniency[iv.GetInterviewer()] = iv.GetLeniency()
	}
	if !(leniency[ivan] > leniency[omar] && leniency[omar] > leniency[ines]) {
		t.Errorf("leniencies = %v, want ivan > omar > ines", leniency)
	}
	craft := rep.GetCompetencies()[0]
	if craft.GetIcc() == nil || craft.GetKrippendorffAlpha().Interval == nil {
		t.Errorf("craft agreement = %v, want ICCs (every interviewer scored every candidate) and alpha", craft)
	}
	_, err = e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "Not A Role"}})
	wantCode(t, err, codes.InvalidArgument, "scope.role")

	sum, err = e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/ca"})
	if err != nil || !sum.GetCalibration().GetApplied() || len(sum.GetCalibration().GetInterviewerEffects()) != 3 {
		t.Fatalf("summary after the calibration = %v, %v, want it applied with three effects", sum.GetCalibration(), err)
	}
	// An interviewer's summary names no effect and gives no calibrated
	// mean: beside the scores they read, it would give the effects away.
	theirs, err := e.as(ivan).SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/ca"})
	if err != nil || theirs.GetCalibration().GetApplied() || len(theirs.GetCalibration().GetInterviewerEffects()) != 0 || theirs.GetCompetencies()[0].CalibratedMean != nil {
		t.Fatalf("ivan's summary after the calibration = %v, %v, want no calibration", theirs.GetCalibration(), err)
	}
	for _, cs := range sum.GetCompetencies() {
		if cs.CalibratedMean == nil {
			t.Errorf("%s has no calibrated mean", cs.GetCompetency())
		}
	}
	cmp, err := e.recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: "ic"})
	if err != nil || cmp.GetCandidates()[0].CalibratedOverall == nil || !cmp.GetCalibrations()["ic"].GetApplied() {
		t.Errorf("comparison after the calibration = %v, %v, want calibrated overalls", cmp, err)
	}

	// With two colleagues, a standing would give each one's values away:
	// it waits for five.
	mine, err := e.as(ivan).GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
	if err != nil || mine.GetShown() || !strings.Contains(mine.GetReason(), "colleagues") || len(mine.GetPeerLeniencies()) != 0 {
		t.Errorf("ivan's standing among 2 colleagues = %v, %v, want none yet, saying why", mine, err)
	}
	_, err = e.as(ivan).GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: ines + "/calibration"})
	wantCode(t, err, codes.PermissionDenied, "")
	// Three more interviewers with enough scorecards on panels ivan sat
	// on (a standing is built from the panels its reader may see): now it
	// shows.
	for i, scores := range [][4]int32{{3, 2, 3, 4}, {2, 2, 1, 3}, {4, 3, 3, 4}} {
		_, ivs := e.candidate(t, "d"+string(rune('a'+i)), "users/iris", "users/igor", "users/ida", ivan)
		for j, who := range []string{"users/iris", "users/igor", "users/ida", ivan} {
			e.fill(t, who, ivs[j], scores[j], scores[j], true)
		}
	}
	_, ivs := e.candidate(t, "mix", ivan, "users/iris", ines)
	for j, who := range []string{ivan, "users/iris", ines} {
		e.fill(t, who, ivs[j], 3, 3, true)
	}
	mine, err = e.as(ivan).GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
	if err != nil || !mine.GetShown() || mine.GetName() != ivan+"/calibration" || len(mine.GetPeerLeniencies()) != 5 {
		t.Errorf("ivan's standing among 5 colleagues = %v, %v, want it shown among 5 unnamed peers", mine, err)
	}
	if theirs, err := e.recruiter.GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: ines + "/calibration"}); err != nil || theirs.GetShown() || !strings.Contains(theirs.GetReason(), "panels you sat on") {
		t.Errorf("ines's standing as rita = %v, %v, want none yet: she shares panels with three colleagues", theirs, err)
	}
	newcomer, err := e.FeedbackAs("users/nina", principal.Interviewer).GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
	if err != nil || newcomer.GetShown() || newcomer.GetReason() == "" {
		t.Errorf("a newcomer's standing = %v, %v, want none yet, with the reason", newcomer, err)
	}
}
