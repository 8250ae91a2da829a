package feedback_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// application is a Greenhouse application as a push carries it: two
// scheduled interviews, with Ivan and Ines.
func application(id string, when time.Time) *feedbackv1.ImportedCandidate {
	return &feedbackv1.ImportedCandidate{
		ExternalId: id, DisplayName: "Grace H.", Role: "ic", Level: "l2",
		Interviews: []*feedbackv1.ImportedInterview{
			{ExternalId: "si-1", Interviewer: ivan, Rubric: "rubrics/coding/revisions/latest", ScheduledTime: timestamppb.New(when)},
			{ExternalId: "si-2", Interviewer: ines, Rubric: "rubrics/coding/revisions/1", ScheduledTime: timestamppb.New(when.Add(time.Hour))},
		},
	}
}

func push(t *testing.T, e *env, cands ...*feedbackv1.ImportedCandidate) []*feedbackv1.ImportedCandidateResult {
	t.Helper()
	resp, err := e.recruiter.ImportCandidates(context.Background(), &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetResults()
}

// outcomes is the candidate's outcome, then each interview's.
func outcomes(r *feedbackv1.ImportedCandidateResult) []feedbackv1.ImportOutcome {
	out := []feedbackv1.ImportOutcome{r.GetOutcome()}
	for _, iv := range r.GetInterviews() {
		out = append(out, iv.GetOutcome())
	}
	return out
}

func wantOutcomes(t *testing.T, what string, r *feedbackv1.ImportedCandidateResult, want ...feedbackv1.ImportOutcome) {
	t.Helper()
	got := outcomes(r)
	if len(got) != len(want) {
		t.Fatalf("%s: outcomes %v, want %v (%v)", what, got, want, r)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: outcomes %v, want %v (%v)", what, got, want, r)
		}
	}
}

const (
	created   = feedbackv1.ImportOutcome_IMPORT_OUTCOME_CREATED
	updated   = feedbackv1.ImportOutcome_IMPORT_OUTCOME_UPDATED
	unchanged = feedbackv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED
	failed    = feedbackv1.ImportOutcome_IMPORT_OUTCOME_FAILED
)

func TestImportIsAnUpsertByExternalIDs(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	when := time.Date(2027, 1, 12, 14, 0, 0, 0, time.UTC)

	first := push(t, e, application("app-1001", when))[0]
	wantOutcomes(t, "first push", first, created, created, created)
	cand := first.GetCandidate()
	if cand.GetSource() != "greenhouse" || cand.GetExternalId() != "app-1001" || cand.GetDisplayName() != "Grace H." {
		t.Fatalf("imported candidate: %v", cand)
	}
	if iv := first.GetInterviews()[0].GetInterview(); iv.GetExternalId() != "si-1" || iv.GetRubric() != "rubrics/coding/revisions/1" {
		t.Fatalf("imported interview: %v", iv)
	}

	// The same push twice changes nothing: one candidate, same version.
	again := push(t, e, application("app-1001", when))[0]
	wantOutcomes(t, "same push again", again, unchanged, unchanged, unchanged)
	if again.GetCandidate().GetName() != cand.GetName() || again.GetCandidate().GetEtag() != cand.GetEtag() {
		t.Fatalf("same push again moved the candidate: %v, was %v", again.GetCandidate(), cand)
	}
	list, err := e.recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{Role: "ic"})
	if err != nil || len(list.GetCandidates()) != 1 {
		t.Fatalf("role ic lists %v (%v), want the one candidate", list.GetCandidates(), err)
	}

	// A new name and a moved interview update; the other stays.
	moved := application("app-1001", when)
	moved.DisplayName = "Grace Hopper"
	moved.Interviews[0].ScheduledTime = timestamppb.New(when.AddDate(0, 0, 1))
	r := push(t, e, moved)[0]
	wantOutcomes(t, "rescheduled", r, updated, updated, unchanged)
	if got := r.GetInterviews()[0].GetInterview().GetScheduledTime().AsTime(); !got.Equal(when.AddDate(0, 0, 1)) {
		t.Fatalf("rescheduled to %v", got)
	}
	mine, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mine.GetInterviews()); n != 1 || !mine.GetInterviews()[0].GetScheduledTime().AsTime().Equal(when.AddDate(0, 0, 1)) {
		t.Fatalf("Ivan's interviews after the move: %v, want the one at its new time", mine.GetInterviews())
	}

	// Once Ivan has started the scorecard, the interview keeps its
	// interviewer; its time still moves.
	e.fill(t, ivan, r.GetInterviews()[0].GetInterview(), 3, 3, true)
	other := proto.Clone(moved).(*feedbackv1.ImportedCandidate)
	other.Interviews[0].Interviewer = omar
	r = push(t, e, other)[0]
	wantOutcomes(t, "new interviewer after the scorecard", r, unchanged, failed, unchanged)
	if st := r.GetInterviews()[0].GetError(); codes.Code(st.GetCode()) != codes.FailedPrecondition {
		t.Fatalf("new interviewer after the scorecard: %v", st)
	}
	later := proto.Clone(moved).(*feedbackv1.ImportedCandidate)
	later.Interviews[0].ScheduledTime = timestamppb.New(when.AddDate(0, 0, 2))
	wantOutcomes(t, "new time after the scorecard", push(t, e, later)[0], unchanged, updated, unchanged)

	// The ATS reads the scorecard back by its own IDs.
	found, err := e.recruiter.LookupCandidate(ctx, &feedbackv1.LookupCandidateRequest{Source: "greenhouse", ExternalId: "app-1001"})
	if err != nil || found.GetName() != cand.GetName() {
		t.Fatalf("LookupCandidate = %v, %v; want %s", found, err, cand.GetName())
	}
	panel, err := e.recruiter.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: found.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	var si1 string
	for _, iv := range panel.GetInterviews() {
		if iv.GetExternalId() == "si-1" {
			si1 = iv.GetName()
		}
	}
	sc, err := e.recruiter.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: si1 + "/scorecard"})
	if err != nil || sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED || sc.GetPrivateNote() != "" {
		t.Fatalf("the scorecard of si-1 as the recruiter reads it: %v, %v", sc, err)
	}
	_, err = e.recruiter.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{Candidate: &feedbackv1.Candidate{Name: found.GetName(), Etag: found.GetEtag(), ExternalId: "app-2002"}})
	wantCode(t, err, codes.FailedPrecondition, "")
	_, err = e.recruiter.LookupCandidate(ctx, &feedbackv1.LookupCandidateRequest{Source: "lever", ExternalId: "app-1001"})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.as(ivan).LookupCandidate(ctx, &feedbackv1.LookupCandidateRequest{Source: "greenhouse", ExternalId: "app-1001"})
	wantCode(t, err, codes.PermissionDenied, "")
}

func TestImportChecksThePushBeforeWriting(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	good := application("app-1", time.Now())
	bad := application("app-2", time.Now())
	bad.Interviews[1].Rubric = "rubrics/nope/revisions/1"
	_, err := e.recruiter.ImportCandidates(ctx, &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: []*feedbackv1.ImportedCandidate{good, bad}})
	wantCode(t, err, codes.InvalidArgument, "candidates[1].interviews[1].rubric")
	_, err = e.recruiter.LookupCandidate(ctx, &feedbackv1.LookupCandidateRequest{Source: "greenhouse", ExternalId: "app-1"})
	wantCode(t, err, codes.NotFound, "")

	for _, c := range []struct {
		field string
		edit  func(*feedbackv1.ImportedCandidate)
	}{
		{"candidates[0].external_id", func(c *feedbackv1.ImportedCandidate) { c.ExternalId = "" }},
		{"candidates[0].role", func(c *feedbackv1.ImportedCandidate) { c.Role = "Backend Engineer" }},
		{"candidates[0].interviews[0].interviewer", func(c *feedbackv1.ImportedCandidate) { c.Interviews[0].Interviewer = "ivan" }},
		{"candidates[0].interviews[1].external_id", func(c *feedbackv1.ImportedCandidate) { c.Interviews[1].ExternalId = "si-1" }},
		{"candidates[0].interviews[0].focus_competencies[0]", func(c *feedbackv1.ImportedCandidate) { c.Interviews[0].FocusCompetencies = []string{"Craft"} }},
		{"candidates[0].interviews[1].focus_competencies[0]", func(c *feedbackv1.ImportedCandidate) { c.Interviews[1].FocusCompetencies = []string{"typing"} }},
	} {
		in := application("app-3", time.Now())
		c.edit(in)
		_, err := e.recruiter.ImportCandidates(ctx, &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: []*feedbackv1.ImportedCandidate{in}})
		wantCode(t, err, codes.InvalidArgument, c.field)
	}
	_, err = e.recruiter.ImportCandidates(ctx, &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: []*feedbackv1.ImportedCandidate{good, good}})
	wantCode(t, err, codes.InvalidArgument, "candidates[1].external_id")
	_, err = e.recruiter.ImportCandidates(ctx, &feedbackv1.ImportCandidatesRequest{Source: "Green House", Candidates: []*feedbackv1.ImportedCandidate{good}})
	wantCode(t, err, codes.InvalidArgument, "source")
	list, err := e.recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{})
	if err != nil || len(list.GetCandidates()) != 0 {
		t.Fatalf("after refused pushes: %v, %v; want no candidates", list.GetCandidates(), err)
	}
}

func TestImportOfAnErasedCandidateIsRefused(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	r := push(t, e, application("app-7", time.Now()))[0]
	if _, err := e.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: r.GetCandidate().GetName()}); err != nil {
		t.Fatal(err)
	}
	again := push(t, e, application("app-7", time.Now()))[0]
	wantOutcomes(t, "erased, pushed again", again, failed)
	if codes.Code(again.GetError().GetCode()) != codes.FailedPrecondition {
		t.Fatalf("erased, pushed again: %v", again.GetError())
	}
}

func TestConcurrentPushesMakeOneCandidate(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	when := time.Now().Add(48 * time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.recruiter.ImportCandidates(ctx, &feedbackv1.ImportCandidatesRequest{Source: "greenhouse", Candidates: []*feedbackv1.ImportedCandidate{application("app-9", when)}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{})
	if err != nil || len(list.GetCandidates()) != 1 {
		t.Fatalf("after four pushes at once: %v, %v; want one candidate", list.GetCandidates(), err)
	}
	panel, err := e.recruiter.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: list.GetCandidates()[0].GetName()})
	if err != nil || len(panel.GetInterviews()) != 2 {
		t.Fatalf("after four pushes at once: panel %v, %v; want two interviews", panel.GetInterviews(), err)
	}
	wantOutcomes(t, "a fifth push", push(t, e, application("app-9", when))[0], unchanged, unchanged, unchanged)
}
