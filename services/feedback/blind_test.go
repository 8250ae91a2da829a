package feedback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// TestBlindUntilSubmitted reads one panel through every read path as every
// kind of viewer. Panel: ivan and ines submitted, omar has a draft, hana
// (a hiring manager: recruiter and interviewer) has not started hers.
func TestBlindUntilSubmitted(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	const hana = "users/hana"
	c, ivs := e.candidate(t, "ada", ivan, ines, omar, hana)
	e.fill(t, ivan, ivs[0], 4, 3, true)
	e.fill(t, ines, ivs[1], 2, 3, true)
	e.fill(t, omar, ivs[2], 3, 3, false)
	sc := func(i int) string { return ivs[i].GetName() + "/scorecard" }

	// What a read returns, reduced to a word: the scorecard's state and
	// whether the private note shows, a count, or the status code.
	code := func(err error) string { return status.Code(err).String() }
	get := func(i int) func(feedbackv1.FeedbackServiceClient) string {
		return func(f feedbackv1.FeedbackServiceClient) string {
			s, err := f.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: sc(i)})
			if err != nil {
				return code(err)
			}
			word := strings.TrimPrefix(s.GetState().String(), "STATE_")
			if s.GetPrivateNote() != "" {
				word += "+private"
			}
			return word
		}
	}
	summarize := func(f feedbackv1.FeedbackServiceClient) string {
		s, err := f.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: c.GetName()})
		if err != nil {
			return code(err)
		}
		for _, comp := range s.GetCompetencies() {
			for _, score := range comp.GetScores() {
				if score.GetInterviewer() == omar {
					return "LEAK: omar's draft"
				}
			}
		}
		return fmt.Sprint(s.GetScorecards())
	}
	compare := func(f feedbackv1.FeedbackServiceClient) string {
		s, err := f.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Names: []string{c.GetName()}})
		if err != nil {
			return code(err)
		}
		return fmt.Sprint(s.GetCandidates()[0].GetScorecards())
	}
	changes := func(i int) func(feedbackv1.FeedbackServiceClient) string {
		return func(f feedbackv1.FeedbackServiceClient) string {
			s, err := f.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: sc(i)})
			if err != nil {
				return code(err)
			}
			return fmt.Sprint(len(s.GetChanges()))
		}
	}
	panel := func(f feedbackv1.FeedbackServiceClient) string {
		s, err := f.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: c.GetName()})
		if err != nil {
			return code(err)
		}
		return fmt.Sprint(len(s.GetInterviews()))
	}
	candidate := func(f feedbackv1.FeedbackServiceClient) string {
		_, err := f.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: c.GetName()})
		return code(err)
	}

	reads := []struct {
		what string
		read func(feedbackv1.FeedbackServiceClient) string
	}{
		{"candidate", candidate}, {"panel", panel},
		{"ivan's scorecard", get(0)}, {"ines's scorecard", get(1)}, {"omar's draft", get(2)}, {"hana's unstarted", get(3)},
		{"summary", summarize}, {"comparison", compare},
		{"ivan's history", changes(0)}, {"omar's history", changes(2)},
	}
	viewers := []struct {
		who  string
		as   feedbackv1.FeedbackServiceClient
		want []string // one per read, in order
	}{
		{"ivan (submitted)", e.as(ivan), []string{"OK", "4", "SUBMITTED+private", "SUBMITTED", "NotFound", "NotFound", "2", "PermissionDenied", "2", "NotFound"}},
		{"omar (draft: blind)", e.as(omar), []string{"OK", "4", "NotFound", "NotFound", "DRAFT+private", "NotFound", "0", "PermissionDenied", "NotFound", "1"}},
		{"hana (hiring manager, not started: blind)", e.FeedbackAs(hana, principal.Recruiter, principal.Interviewer), []string{"OK", "4", "NotFound", "NotFound", "NotFound", "DRAFT", "0", "0", "NotFound", "NotFound"}},
		{"rita (recruiter)", e.recruiter, []string{"OK", "4", "SUBMITTED", "SUBMITTED", "NotFound", "NotFound", "2", "2", "1", "NotFound"}},
		{"an admin", e.FeedbackAs("users/root", principal.Admin), []string{"OK", "4", "SUBMITTED", "SUBMITTED", "NotFound", "NotFound", "2", "2", "1", "NotFound"}},
		{"zoe (interviewer, not on the panel)", e.as("users/zoe"), []string{"NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "PermissionDenied", "NotFound", "NotFound"}},
		{"an employee", e.FeedbackAs("users/emma", principal.Employee), []string{"PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied"}},
	}
	for _, v := range viewers {
		for i, r := range reads {
			if got := r.read(v.as); got != v.want[i] {
				t.Errorf("%s as %s = %s, want %s", r.what, v.who, got, v.want[i])
			}
		}
	}

	// A calibration report leaves out the candidates its caller is blind
	// on: hana, a hiring manager with her own scorecard for ada pending,
	// learns nothing of ada's scores from one; and her partial report is
	// not kept for everyone.
	rep, err := e.FeedbackAs(hana, principal.Recruiter, principal.Interviewer).ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cand := range rep.GetCandidates() {
		if cand.GetCandidate() == c.GetName() {
			t.Errorf("hana's calibration report shows %s, on whose panel she is blind", c.GetName())
		}
	}
	if s, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: c.GetName()}); err != nil || s.GetCalibration().GetApplied() {
		t.Errorf("summary after hana's partial report = %v, %v, want no kept calibration", s.GetCalibration(), err)
	}
	// Nor does the panel's state tell a blind interviewer who submitted.
	list, err := e.as(omar).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range list.GetInterviews() {
		if iv.GetInterviewer() != omar && iv.GetState() == feedbackv1.Interview_STATE_SUBMITTED {
			t.Errorf("omar (blind) sees %s's interview as submitted", iv.GetInterviewer())
		}
	}

	// Once omar submits, he sees the others; the panel never saw his draft.
	if _, err := e.as(omar).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: sc(2)}); err != nil {
		t.Fatal(err)
	}
	if got := get(0)(e.as(omar)); got != "SUBMITTED" {
		t.Errorf("ivan's scorecard as omar after submitting = %s, want SUBMITTED without the private note", got)
	}
	if s, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: c.GetName()}); err != nil || s.GetScorecards() != 3 {
		t.Errorf("summary as rita after omar submitted = %v, %v, want 3 scorecards", s.GetScorecards(), err)
	}
}
