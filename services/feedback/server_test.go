package feedback_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/mailpittest"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

func TestMain(m *testing.M) {
	code := mongotest.Run(m)
	mailpittest.RemoveBinary()
	os.Exit(code)
}

// The people of the tests.
const (
	rita = "users/rita" // recruiter
	ivan = "users/ivan" // interviewer
	ines = "users/ines" // interviewer
	omar = "users/omar" // interviewer
)

// env is a running suite with a published rubric to interview against:
// rubrics/coding/revisions/1, competencies craft (evidence required) and
// impact, scale 1..4.
type env struct {
	*testenv.Env
	recruiter feedbackv1.FeedbackServiceClient
}

func start(t *testing.T) *env { t.Helper(); return startWith(t, testenv.Options{}) }

// startWith is start with options of the environment.
func startWith(t *testing.T, opts testenv.Options) *env {
	t.Helper()
	ctx := context.Background()
	e := testenv.Start(t, opts)
	ladder := e.LadderAs(testenv.AdminSubject, principal.Admin)
	f, err := ladder.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "eng", Framework: &ladderv1.Framework{
		Title:        "Engineering",
		Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}, {Id: "impact", Title: "Impact"}},
		Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
			{Id: "l2", Title: "Senior", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Designs."}, {Competency: "impact", Description: "Leads."}}},
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	rubrics := e.RubricAs(testenv.AdminSubject, principal.Admin)
	r, err := rubrics.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{RubricId: "coding", Framework: "frameworks/eng", Track: "ic", Level: "l2", InterviewType: "coding"})
	if err != nil {
		t.Fatal(err)
	}
	r.Competencies[1].EvidenceRequired = false // impact: evidence optional
	if r, err = rubrics.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: r.GetName(), Etag: r.GetEtag(), Competencies: r.GetCompetencies()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rubrics.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()}); err != nil {
		t.Fatal(err)
	}
	return &env{Env: e, recruiter: e.FeedbackAs(rita, principal.Recruiter)}
}

func (e *env) as(user string) feedbackv1.FeedbackServiceClient {
	return e.FeedbackAs(user, principal.Interviewer)
}

// candidate creates a candidate with one interview per interviewer.
func (e *env) candidate(t *testing.T, id string, interviewers ...string) (*feedbackv1.Candidate, []*feedbackv1.Interview) {
	t.Helper()
	ctx := context.Background()
	c, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id, Candidate: &feedbackv1.Candidate{DisplayName: "Ada L.", Role: "ic", Level: "l2"}})
	if err != nil {
		t.Fatal(err)
	}
	var ivs []*feedbackv1.Interview
	for _, who := range interviewers {
		iv, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), Interview: &feedbackv1.Interview{Interviewer: who, Rubric: "rubrics/coding/revisions/latest"}})
		if err != nil {
			t.Fatal(err)
		}
		ivs = append(ivs, iv)
	}
	return c, ivs
}

// complete is a scorecard that submit accepts.
func complete(name string, craft, impact int32) *feedbackv1.Scorecard {
	return &feedbackv1.Scorecard{
		Name: name,
		Ratings: []*feedbackv1.Rating{
			{Competency: "craft", Score: &craft, Evidence: "Built a rate limiter and explained the trade-offs."},
			{Competency: "impact", Score: &impact},
		},
		Recommendation: feedbackv1.Recommendation_RECOMMENDATION_YES,
		NoteToPanel:    "Strong on design.",
		PrivateNote:    "Reminded me of someone; check my bias.",
	}
}

// fill saves and submits an interviewer's scorecard.
func (e *env) fill(t *testing.T, who string, iv *feedbackv1.Interview, craft, impact int32, submit bool) *feedbackv1.Scorecard {
	t.Helper()
	ctx := context.Background()
	c := e.as(who)
	sc, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: complete(iv.GetName()+"/scorecard", craft, impact)})
	if err != nil {
		t.Fatalf("UpdateScorecard(%s) as %s: %v", iv.GetName(), who, err)
	}
	if !submit {
		return sc
	}
	sc, err = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: sc.GetName(), Etag: sc.GetEtag()})
	if err != nil {
		t.Fatalf("SubmitScorecard(%s) as %s: %v", iv.GetName(), who, err)
	}
	return sc
}

func wantCode(t *testing.T, err error, code codes.Code, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("error = %v, want code %v", err, code)
	}
	if field == "" {
		return
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("error = %v, want a field violation on %q", err, field)
}

// The loop: a recruiter creates a candidate and interviews, interviewers
// fill and submit, the recruiter reads the summary and the comparison.
func TestHiringLoop(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	c, ivs := e.candidate(t, "ada", ivan, ines, omar)
	if ivs[0].GetRubric() != "rubrics/coding/revisions/1" || len(ivs[0].GetFocusCompetencies()) != 2 {
		t.Fatalf("interview = %v, want the latest revision resolved and every competency in focus", ivs[0])
	}
	e.fill(t, ivan, ivs[0], 4, 3, true)
	e.fill(t, ines, ivs[1], 2, 3, true)
	e.fill(t, omar, ivs[2], 3, 3, false) // a draft: not in the debrief

	sum, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if sum.GetScorecards() != 2 || len(sum.GetCompetencies()) != 2 || len(sum.GetInterviews()) != 3 {
		t.Fatalf("summary = %v, want 2 scorecards over 2 competencies, 3 interviews", sum)
	}
	craft := sum.GetCompetencies()[0]
	if craft.GetCompetency() != "craft" || craft.GetMean() != 3 || craft.GetSpread() != 2 || !craft.GetDisagreement() || craft.GetLowCoverage() {
		t.Errorf("craft = %v, want mean 3, spread 2, a disagreement, enough coverage", craft)
	}
	if impact := sum.GetCompetencies()[1]; impact.GetDisagreement() || impact.GetMean() != 3 {
		t.Errorf("impact = %v, want mean 3 and no disagreement", impact)
	}
	for _, r := range sum.GetRecommendations() {
		if want := map[bool]int32{true: 2, false: 0}[r.GetRecommendation() == feedbackv1.Recommendation_RECOMMENDATION_YES]; r.GetCount() != want {
			t.Errorf("recommendation %v counted %d, want %d", r.GetRecommendation(), r.GetCount(), want)
		}
	}
	for _, s := range craft.GetScores() {
		if s.GetEvidence() == "" {
			t.Errorf("score %v comes without its evidence", s)
		}
	}

	// A second candidate, weaker, to compare with.
	c2, ivs2 := e.candidate(t, "bob", ivan)
	e.fill(t, ivan, ivs2[0], 1, 2, true)
	cmp, err := e.recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Names: []string{c.GetName(), c2.GetName()}})
	if err != nil || len(cmp.GetCandidates()) != 2 {
		t.Fatalf("CompareCandidates() = %v, %v", cmp, err)
	}
	if a, b := cmp.GetCandidates()[0], cmp.GetCandidates()[1]; a.GetOverall() != 3 || b.GetOverall() != 1.5 || a.GetCompetencyMeans()["craft"] != 3 {
		t.Errorf("comparison = %v, want overall 3 and 1.5", cmp)
	}
	byRole, err := e.recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: "ic"})
	if err != nil || len(byRole.GetCandidates()) != 2 {
		t.Errorf("CompareCandidates(role ic) = %v, %v, want both", byRole, err)
	}

	// Each interviewer's own list, across candidates.
	mine, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
	if err != nil || len(mine.GetInterviews()) != 2 || mine.GetInterviews()[0].GetState() != feedbackv1.Interview_STATE_SUBMITTED {
		t.Errorf("ivan's interviews = %v, %v, want 2, submitted", mine, err)
	}
	theirs, err := e.as(omar).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-"})
	if err != nil || len(theirs.GetInterviews()) != 1 || theirs.GetInterviews()[0].GetState() != feedbackv1.Interview_STATE_SCHEDULED {
		t.Errorf("omar's interviews = %v, %v, want 1, scheduled", theirs, err)
	}
}

// Submit checks the scorecard against its rubric revision and names each
// missing piece; nothing changes on a refusal.
func TestSubmitRules(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	name := ivs[0].GetName() + "/scorecard"
	c := e.as(ivan)
	for _, tt := range []struct {
		what  string
		edit  func(sc *feedbackv1.Scorecard)
		field string
	}{
		{"a competency not rated", func(sc *feedbackv1.Scorecard) { sc.Ratings = sc.Ratings[:1] }, "scorecard.ratings"},
		{"no evidence where required", func(sc *feedbackv1.Scorecard) { sc.Ratings[0].Evidence = " " }, "scorecard.ratings[0].evidence"},
		{"evidence written, no score chosen", func(sc *feedbackv1.Scorecard) { sc.Ratings[1].Score = nil }, "scorecard.ratings[1].score"},
		{"no recommendation", func(sc *feedbackv1.Scorecard) { sc.Recommendation = 0 }, "scorecard.recommendation"},
	} {
		t.Run(tt.what, func(t *testing.T) {
			sc := complete(name, 3, 3)
			tt.edit(sc)
			cur, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			sc.Etag = cur.GetEtag()
			saved, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"*"}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: saved.GetEtag()})
			wantCode(t, err, codes.InvalidArgument, tt.field)
			after, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
			if err != nil || after.GetState() != feedbackv1.Scorecard_STATE_DRAFT || after.GetEtag() != saved.GetEtag() {
				t.Errorf("after a refused submit: %v, %v, want the draft unchanged", after, err)
			}
		})
	}
	// Drafts are checked as they are saved.
	for _, tt := range []struct {
		what  string
		edit  func(sc *feedbackv1.Scorecard)
		field string
	}{
		{"score off the scale", func(sc *feedbackv1.Scorecard) { sc.Ratings[0].Score = proto.Int32(5) }, "scorecard.ratings[0].score"},
		{"score at the end of int32", func(sc *feedbackv1.Scorecard) { sc.Ratings[1].Score = proto.Int32(2147483647) }, "scorecard.ratings[1].score"},
		{"competency not in focus", func(sc *feedbackv1.Scorecard) { sc.Ratings[0].Competency = "people" }, "scorecard.ratings[0].competency"},
		{"competency rated twice", func(sc *feedbackv1.Scorecard) { sc.Ratings[1].Competency = "craft" }, "scorecard.ratings[1].competency"},
		{"unknown recommendation", func(sc *feedbackv1.Scorecard) { sc.Recommendation = 9 }, "scorecard.recommendation"},
		{"long evidence", func(sc *feedbackv1.Scorecard) { sc.Ratings[0].Evidence = strings.Repeat("x", 4001) }, "scorecard.ratings[0].evidence"},
	} {
		t.Run(tt.what, func(t *testing.T) {
			sc := complete(name, 3, 3)
			tt.edit(sc)
			cur, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			sc.Etag = cur.GetEtag()
			_, err = c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc})
			wantCode(t, err, codes.InvalidArgument, tt.field)
		})
	}
	// Not assessed is a rating too.
	sc := complete(name, 3, 3)
	sc.Ratings[0] = &feedbackv1.Rating{Competency: "craft", NotAssessed: true}
	cur, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	sc.Etag = cur.GetEtag()
	saved, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc})
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: saved.GetEtag()})
	if err != nil {
		t.Fatalf("submit with craft not assessed = %v, want it accepted", err)
	}
	// A submitted scorecard is not a draft any more.
	_, err = c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{Name: name, Etag: submitted.GetEtag(), NoteToPanel: "late"}})
	wantCode(t, err, codes.FailedPrecondition, "")
	// Only the interviewer writes it.
	_, err = e.as(ines).UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: complete(name, 1, 1)})
	wantCode(t, err, codes.NotFound, "") // ines is not on this panel: the candidate does not exist for her
	_, err = e.recruiter.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: complete(name, 1, 1)})
	wantCode(t, err, codes.PermissionDenied, "")
}

// A draft keeps evidence written before its score, and tells an unset
// score from a 0: interviewers write notes first and score later.
func TestDraftKeepsEvidenceWithoutScore(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	name := ivs[0].GetName() + "/scorecard"
	c := e.as(ivan)
	cur, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{
		Name: name, Etag: cur.GetEtag(),
		Ratings: []*feedbackv1.Rating{
			{Competency: "craft", Evidence: "Sketched the queue before coding."},
			{Competency: "impact", Score: proto.Int32(3)},
		},
	}})
	if err != nil {
		t.Fatalf("saving evidence without a score = %v, want it kept", err)
	}
	got, err := c.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	craft, impact := got.GetRatings()[0], got.GetRatings()[1]
	if craft.Score != nil || craft.GetEvidence() != "Sketched the queue before coding." || impact.Score == nil || impact.GetScore() != 3 {
		t.Errorf("draft read back = %v, want craft's evidence with no score, impact scored 3", got.GetRatings())
	}
	_, err = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: saved.GetEtag()})
	wantCode(t, err, codes.InvalidArgument, "scorecard.ratings[0].score")
	if !strings.Contains(err.Error(), "has no score yet") {
		t.Errorf("submit without craft's score = %v, want it to say so", err)
	}
}

// Submit is idempotent on request_id, also when retried concurrently: one
// result, one change recorded.
func TestSubmitIsIdempotentUnderConcurrentRetries(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	draft := e.fill(t, ivan, ivs[0], 3, 3, false)
	c := e.as(ivan)
	const retries = 8
	results := make([]*feedbackv1.Scorecard, retries)
	errs := make([]error, retries)
	var wg sync.WaitGroup
	for i := range retries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: draft.GetName(), RequestId: "submit-7c1e"})
		}()
	}
	wg.Wait()
	for i := range retries {
		if errs[i] != nil || results[i].GetEtag() != results[0].GetEtag() || results[i].GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
			t.Errorf("retry %d = %v, %v, want the one submitted result (etag %s)", i, results[i], errs[i], results[0].GetEtag())
		}
	}
	again, err := c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: draft.GetName(), RequestId: "submit-7c1e"})
	if err != nil || again.GetEtag() != results[0].GetEtag() {
		t.Errorf("a later retry = %v, %v, want the first result", again, err)
	}
	changes, err := c.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: draft.GetName()})
	if err != nil || len(changes.GetChanges()) != 2 {
		t.Errorf("changes = %d, %v, want 2 (the save, one submit)", len(changes.GetChanges()), err)
	}
	// The same request ID on another scorecard is another request: refused,
	// never answered with the first scorecard's result.
	_, other := e.candidate(t, "bea", ivan)
	otherDraft := e.fill(t, ivan, other[0], 3, 3, false)
	_, err = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: otherDraft.GetName(), RequestId: "submit-7c1e"})
	wantCode(t, err, codes.InvalidArgument, "request_id")
	// Another request ID is another submit: refused, the scorecard is submitted.
	_, err = c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: draft.GetName(), RequestId: "submit-other"})
	wantCode(t, err, codes.FailedPrecondition, "")
}

// Amend keeps the original in the history with actor, time and reason;
// recruiters read the history from the submission on, the author all of it.
func TestAmendHistory(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	sc := e.fill(t, ivan, ivs[0], 3, 3, true)
	c := e.as(ivan)
	_, err := c.AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: sc.GetName(), Ratings: []*feedbackv1.Rating{{Competency: "craft", Score: proto.Int32(4), Evidence: "Re-read my notes."}}})
	wantCode(t, err, codes.InvalidArgument, "reason")
	amended, err := c.AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{
		Name: sc.GetName(), Etag: sc.GetEtag(), Reason: "Misread my notes on the design question.",
		Ratings: []*feedbackv1.Rating{{Competency: "craft", Score: proto.Int32(4), Evidence: "Designed the queue end to end."}},
	})
	if err != nil || amended.GetRatings()[0].GetScore() != 4 || amended.GetRatings()[1].GetScore() != 3 {
		t.Fatalf("AmendScorecard() = %v, %v, want craft 4 and impact kept", amended, err)
	}
	_, err = c.AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: sc.GetName(), Etag: sc.GetEtag(), Reason: "stale", Ratings: []*feedbackv1.Rating{{Competency: "impact", Score: proto.Int32(1)}}})
	wantCode(t, err, codes.Aborted, "")

	mine, err := c.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: sc.GetName()})
	if err != nil || len(mine.GetChanges()) != 3 {
		t.Fatalf("author's history = %v, %v, want amend, submit, save", mine, err)
	}
	amend, submit := mine.GetChanges()[0], mine.GetChanges()[1]
	if amend.GetKind() != feedbackv1.ScorecardChange_KIND_AMEND || amend.GetReason() != "Misread my notes on the design question." ||
		amend.GetActor() != ivan || amend.GetCreateTime() == nil {
		t.Errorf("amend = %v, want kind, reason, actor and time", amend)
	}
	if submit.GetScorecard().GetRatings()[0].GetScore() != 3 || submit.GetScorecard().GetPrivateNote() == "" {
		t.Errorf("the submitted original = %v, want craft 3 kept, with the author's private note", submit.GetScorecard())
	}
	theirs, err := e.recruiter.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: sc.GetName()})
	if err != nil || len(theirs.GetChanges()) != 2 {
		t.Fatalf("recruiter's history = %v, %v, want the submit and the amendment only", theirs, err)
	}
	for _, ch := range theirs.GetChanges() {
		if ch.GetScorecard().GetPrivateNote() != "" {
			t.Errorf("recruiter's history shows the private note: %v", ch)
		}
	}
}

// A comparison ranks on what the candidates share: one assessed on craft
// alone and one on craft and impact are compared on craft.
func TestCompareOnSharedCompetencies(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	e.fill(t, ivan, ivs[0], 4, 1, true)
	bob, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: "bob", Candidate: &feedbackv1.Candidate{DisplayName: "Bob K.", Role: "ic", Level: "l2"}})
	if err != nil {
		t.Fatal(err)
	}
	iv, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: bob.GetName(), Interview: &feedbackv1.Interview{
		Interviewer: ivan, Rubric: "rubrics/coding/revisions/latest", FocusCompetencies: []string{"craft"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.as(ivan)
	draft, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{
		Name:           iv.GetName() + "/scorecard",
		Ratings:        []*feedbackv1.Rating{{Competency: "craft", Score: proto.Int32(3), Evidence: "Clean code."}},
		Recommendation: feedbackv1.Recommendation_RECOMMENDATION_YES,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: draft.GetName(), Etag: draft.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	cmp, err := e.recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: "ic"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cmp.GetSharedCompetencies(); len(got) != 1 || got[0] != "craft" {
		t.Fatalf("shared competencies = %v, want [craft]", got)
	}
	for _, row := range cmp.GetCandidates() {
		want := map[string]float64{"candidates/ada": 4, "candidates/bob": 3}[row.GetCandidate()]
		if row.SharedOverall == nil || row.GetSharedOverall() != want {
			t.Errorf("%s: shared overall = %v, want %v (craft alone); overall %v", row.GetCandidate(), row.SharedOverall, want, row.GetOverall())
		}
	}
}
