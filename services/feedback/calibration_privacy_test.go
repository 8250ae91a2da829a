package feedback_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The six interviewers of the privacy tests, and how each leans.
var leanOf = map[string]int32{
	"users/ivan": 1, "users/ines": -1, "users/omar": 0, "users/iris": 0, "users/igor": 1, "users/ida": -1,
}

// privacyLoop is a hiring loop in which ivan sits on panels with five
// colleagues, three times or more with each — enough for his standing to
// show — and some panels he is not on.
func privacyLoop(t *testing.T, e *env) {
	t.Helper()
	panels := map[string][]string{
		"p1": {ivan, ines, omar}, "p2": {ivan, ines, omar}, "p3": {ivan, ines, omar}, "p4": {ivan, ines, omar},
		"p5": {ivan, "users/iris", "users/igor", "users/ida"}, "p6": {ivan, "users/iris", "users/igor", "users/ida"},
		"p7": {ivan, "users/iris", "users/igor", "users/ida"},
		"q1": {ines, "users/iris", "users/igor"}, "q2": {omar, "users/ida", "users/iris"},
	}
	for _, id := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "q1", "q2"} {
		_, ivs := e.candidate(t, id, panels[id]...)
		ability := int32(1 + len(id)%2 + int(id[1]-'0')%2)
		for j, who := range panels[id] {
			craft := min(4, max(1, ability+leanOf[who]))
			impact := min(4, max(1, ability+1+leanOf[who]-int32(j%2)))
			e.fill(t, who, ivs[j], craft, impact, true)
		}
	}
}

// doubles lists every float in a message, at any depth.
func doubles(m proto.Message) []float64 {
	var out []float64
	var walk func(protoreflect.Message)
	walk = func(msg protoreflect.Message) {
		msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsMap():
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					if fd.MapValue().Kind() == protoreflect.DoubleKind {
						out = append(out, mv.Float())
					} else if fd.MapValue().Message() != nil {
						walk(mv.Message())
					}
					return true
				})
			case fd.IsList():
				for i := range v.List().Len() {
					if fd.Kind() == protoreflect.DoubleKind {
						out = append(out, v.List().Get(i).Float())
					} else if fd.Message() != nil {
						walk(v.List().Get(i).Message())
					}
				}
			case fd.Kind() == protoreflect.DoubleKind:
				out = append(out, v.Float())
			case fd.Message() != nil:
				walk(v.Message())
			}
			return true
		})
	}
	walk(m.ProtoReflect())
	return out
}

// Nothing an interviewer can read names a colleague's leniency, or gives
// a value that can be matched with one: the re-identification an outside
// probe made (a summary's named effects equal to the standing's "unnamed"
// peer values) finds nothing.
func TestStandingNamesNoPeer(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	privacyLoop(t, e)
	rep, err := e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]float64{} // the ground truth: the recruiter's named leniencies
	for _, iv := range rep.GetInterviewers() {
		named[iv.GetInterviewer()] = iv.GetLeniency()
	}
	shown := 0
	for who := range leanOf {
		c := e.as(who)
		var readable []proto.Message
		st, err := c.GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
		if err != nil {
			t.Fatalf("%s's standing: %v", who, err)
		}
		if st.GetShown() {
			shown++
			if len(st.GetPeerLeniencies()) < 5 {
				t.Errorf("%s's standing shows %d peers, want at least 5", who, len(st.GetPeerLeniencies()))
			}
			if st.PeerPanelDistanceMiddle != nil && len(st.GetPeerLeniencies()) < 7 {
				t.Errorf("%s's standing gives a middle panel distance among %d peers, want none below 7", who, len(st.GetPeerLeniencies()))
			}
			if !strings.Contains(st.GetScale(), "1–4") || !strings.Contains(st.GetModel(), "one scale") {
				t.Errorf("%s's standing: scale %q, model %q; want both to say which scale", who, st.GetScale(), st.GetModel())
			}
		}
		for _, p := range st.GetPeerLeniencies() {
			if tenths := p * 10; math.Abs(tenths-math.Round(tenths)) > 1e-9 {
				t.Errorf("%s's standing shows a peer at %v, not rounded to 0.1", who, p)
			}
		}
		others := doubles(st)
		// Every candidate, interview and scorecard the interviewer may read.
		list, err := c.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
		if err != nil {
			t.Fatal(err)
		}
		for _, iv := range list.GetInterviews() {
			cand := strings.SplitN(iv.GetName(), "/interviews/", 2)[0]
			sum, err := c.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: cand})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.GetCalibration().GetInterviewerEffects()) > 0 || sum.GetCalibration().GetApplied() {
				t.Errorf("%s's summary of %s shows interviewer effects %v", who, cand, sum.GetCalibration().GetInterviewerEffects())
			}
			for _, cs := range sum.GetCompetencies() {
				if cs.CalibratedMean != nil {
					t.Errorf("%s's summary of %s shows a calibrated mean for %s: with the scores beside it, a sum of colleagues' effects", who, cand, cs.GetCompetency())
				}
			}
			readable = append(readable, sum)
			got, err := c.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: cand})
			if err != nil {
				t.Fatal(err)
			}
			readable = append(readable, got)
		}
		for _, m := range readable {
			others = append(others, doubles(m)...)
		}
		for peer, value := range named {
			if peer == who {
				continue
			}
			for _, v := range others {
				if math.Abs(v-value) < 1e-9 && value != 0 {
					t.Errorf("%s can read %v, which is %s's leniency", who, v, peer)
				}
			}
		}
		for _, peer := range []string{ivan, ines} {
			if peer == who {
				continue
			}
			_, err := c.GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: peer + "/calibration"})
			wantCode(t, err, codes.PermissionDenied, "")
		}
	}
	if shown == 0 {
		t.Fatal("no interviewer's standing is shown: the test proves nothing")
	}
}

// An interviewer's standing is built from what they may see: it does not
// move, byte for byte, when a colleague submits on a panel they have not
// judged yet, or on one they are not on; it moves once they submit.
func TestStandingIgnoresPanelsTheReaderIsBlindOn(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	privacyLoop(t, e)
	standing := func() []byte {
		t.Helper()
		st, err := e.as(ivan).GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: "users/me/calibration"})
		if err != nil {
			t.Fatal(err)
		}
		if !st.GetShown() {
			t.Fatalf("ivan's standing is not shown: %s", st.GetReason())
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := standing()
	// As a recruiter reads it, it is the same standing.
	asRita, err := e.recruiter.GetUserCalibration(ctx, &feedbackv1.GetUserCalibrationRequest{Name: ivan + "/calibration"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := (proto.MarshalOptions{Deterministic: true}).Marshal(asRita); string(b) != string(before) {
		t.Errorf("ivan's standing as rita reads it differs from his own:\n%v", asRita)
	}

	_, blind := e.candidate(t, "blind", ivan, ines, omar)
	e.fill(t, ines, blind[1], 1, 1, true) // harsh on a panel ivan has not judged
	e.fill(t, omar, blind[2], 4, 4, true)
	_, elsewhere := e.candidate(t, "elsewhere", "users/iris", "users/igor")
	e.fill(t, "users/iris", elsewhere[0], 1, 1, true)
	e.fill(t, "users/igor", elsewhere[1], 4, 4, true)
	if after := standing(); string(after) != string(before) {
		t.Error("ivan's standing moved when colleagues submitted on panels he has not judged or is not on")
	}
	e.fill(t, ivan, blind[0], 3, 3, true)
	if after := standing(); string(after) == string(before) {
		t.Error("ivan's standing did not move when he submitted: the panel should count now")
	}
}

// A recruiter who is still to submit on a panel of a role is shown no
// calibration of that role: its effects moved with that panel's scores.
func TestRecruiterBlindOnARoleSeesNoCalibration(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	privacyLoop(t, e)
	if _, err := e.recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}}); err != nil {
		t.Fatal(err)
	}
	sum, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/p1"})
	if err != nil || !sum.GetCalibration().GetApplied() || sum.GetCalibration().GetReportScorecards() == 0 {
		t.Fatalf("rita's summary before she interviews = %v, %v; want it calibrated, saying over how many scorecards", sum.GetCalibration(), err)
	}
	_, ivs := e.candidate(t, "ritas", rita, ivan)
	e.fill(t, ivan, ivs[1], 4, 4, true)
	sum, err = e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/p1"})
	if err != nil || sum.GetCalibration().GetApplied() || len(sum.GetCalibration().GetInterviewerEffects()) > 0 || !strings.Contains(sum.GetCalibration().GetNote(), "to submit") {
		t.Errorf("rita's summary while she is blind on a panel of the role = %v, %v; want no calibration, saying why", sum.GetCalibration(), err)
	}
	cmp, err := e.recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: "ic"})
	if err != nil || cmp.GetCalibrations()["ic"].GetApplied() || cmp.GetCandidates()[0].CalibratedOverall != nil {
		t.Errorf("rita's comparison while blind = %v, %v; want no calibration", cmp.GetCalibrations(), err)
	}
	_, err = e.recruiter.GetRoleCalibration(ctx, &feedbackv1.GetRoleCalibrationRequest{Name: "roles/ic/calibration"})
	wantCode(t, err, codes.FailedPrecondition, "")
	ritaAsInterviewer := e.FeedbackAs(rita, principal.Recruiter, principal.Interviewer)
	sc, err := ritaAsInterviewer.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: complete(ivs[0].GetName()+"/scorecard", 2, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ritaAsInterviewer.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: sc.GetName(), Etag: sc.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	sum, err = e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/ritas"})
	if err != nil || !sum.GetCalibration().GetApplied() || sum.GetCalibration().GetPanelScorecardsSince() != 2 || !strings.Contains(sum.GetCalibration().GetNote(), "came after") {
		t.Errorf("rita's summary of a panel scored after the report = %v, %v; want it applied, saying 2 scorecards came after", sum.GetCalibration(), err)
	}
	if fmt.Sprint(sum.GetCalibration().GetReportScorecards()) == "0" {
		t.Error("the summary does not say how many scorecards the report was fitted on")
	}
}
