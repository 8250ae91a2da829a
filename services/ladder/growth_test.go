package ladder_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// An engineer assesses themselves against their level and the next, their
// manager reviews it, and the gap report lists exactly what is not met;
// nobody else sees any of it.
func TestGrowthAssessment(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	admin := l.Client
	f, err := admin.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "eng", Framework: &ladderv1.Framework{
		Title:        "Engineering",
		Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}, {Id: "impact", Title: "Impact"}},
		Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
			{Id: "l2", Title: "Engineer", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Writes clear code."}, {Competency: "impact", Description: "Finishes tasks."}}},
			{Id: "l3", Title: "Senior", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Designs components."}, {Competency: "impact", Description: "Leads features."}}},
			{Id: "l4", Title: "Staff", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Shapes systems."}}},
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*ladderv1.User{
		{Name: "users/erin", DisplayName: "Erin Walsh", Manager: "users/mia", Framework: "frameworks/eng", Track: "ic", Level: "l2"},
		{Name: "users/mia", DisplayName: "Mia Chen"},
		{Name: "users/noel", DisplayName: "Noel Park"},
	} {
		if _, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u, AllowMissing: true}); err != nil {
			t.Fatal(err)
		}
	}
	erin := l.ClientAs("users/erin", principal.Employee)
	mia := l.ClientAs("users/mia", principal.Employee)
	noel := l.ClientAs("users/noel", principal.Employee, principal.Recruiter)

	a, err := erin.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: "2026-h2"})
	if err != nil {
		t.Fatal(err)
	}
	if a.GetName() != "users/erin/assessments/2026-h2" || a.GetLevel() != "l2" || a.GetNextLevel() != "l3" || len(a.GetEntries()) != 4 ||
		a.GetEntries()[2].GetExpectation() != "Designs components." || a.GetState() != ladderv1.Assessment_STATE_DRAFT {
		t.Fatalf("assessment = %v, want l2 and l3's four expectations, a draft", a)
	}
	_, err = erin.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: "2026-h2"})
	wantCode(t, err, codes.AlreadyExists, "")
	_, err = noel.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: "2026-h2"})
	wantCode(t, err, codes.FailedPrecondition, "")

	// Private: the engineer, the manager and admins.
	for who, c := range map[string]ladderv1.LadderServiceClient{"erin": erin, "mia, her manager": mia, "an admin": admin} {
		if _, err := c.GetAssessment(ctx, &ladderv1.GetAssessmentRequest{Name: a.GetName()}); err != nil {
			t.Errorf("GetAssessment as %s: %v", who, err)
		}
	}
	_, err = noel.GetAssessment(ctx, &ladderv1.GetAssessmentRequest{Name: a.GetName()})
	wantCode(t, err, codes.NotFound, "")
	if list, err := noel.ListAssessments(ctx, &ladderv1.ListAssessmentsRequest{Parent: "users/erin"}); err != nil || len(list.GetAssessments()) != 0 {
		t.Errorf("ListAssessments of erin's as noel = %v, %v; want nothing", list, err)
	}
	_, err = noel.GetGapReport(ctx, &ladderv1.GetGapReportRequest{Assessment: a.GetName()})
	wantCode(t, err, codes.NotFound, "")

	rate := func(level, comp string, r ladderv1.AssessmentEntry_Rating, evidence ...string) *ladderv1.AssessmentEntry {
		return &ladderv1.AssessmentEntry{Level: level, Competency: comp, Rating: r, Evidence: evidence}
	}
	a, err = erin.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag(),
		Entries: []*ladderv1.AssessmentEntry{
			rate("l2", "craft", ladderv1.AssessmentEntry_RATING_MEETING, "https://git.example.com/pr/12"),
			rate("l2", "impact", ladderv1.AssessmentEntry_RATING_EXCEEDING),
			rate("l3", "craft", ladderv1.AssessmentEntry_RATING_NOT_YET),
		}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = erin.SubmitAssessment(ctx, &ladderv1.SubmitAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag()})
	wantCode(t, err, codes.FailedPrecondition, "")
	_, err = erin.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag(),
		Entries: []*ladderv1.AssessmentEntry{rate("l9", "craft", ladderv1.AssessmentEntry_RATING_MEETING)}}})
	wantCode(t, err, codes.InvalidArgument, "assessment.entries[0]")
	_, err = mia.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag()}})
	wantCode(t, err, codes.PermissionDenied, "")

	// Before the review, the gaps are her own view: l3 craft, not yet;
	// l3 impact, not rated.
	gaps, err := erin.GetGapReport(ctx, &ladderv1.GetGapReportRequest{Assessment: a.GetName()})
	if err != nil || gaps.GetReviewed() || len(gaps.GetGaps()) != 2 || gaps.GetGaps()[0].GetCompetency() != "craft" || gaps.GetGaps()[1].GetCompetency() != "impact" {
		t.Errorf("gap report before review = %v, %v; want l3 craft and l3 impact", gaps, err)
	}

	a, err = erin.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag(),
		Entries: []*ladderv1.AssessmentEntry{rate("l3", "impact", ladderv1.AssessmentEntry_RATING_MEETING, "Led the billing retry feature")}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = erin.SubmitAssessment(ctx, &ladderv1.SubmitAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	_, err = erin.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: a.GetName(), Etag: a.GetEtag()}})
	wantCode(t, err, codes.FailedPrecondition, "")

	// The manager reviews: agrees, but for l3 impact, not yet met.
	agree := func(level, comp string) *ladderv1.AssessmentEntry {
		return &ladderv1.AssessmentEntry{Level: level, Competency: comp, Review: ladderv1.AssessmentEntry_REVIEW_AGREE}
	}
	differ := &ladderv1.AssessmentEntry{Level: "l3", Competency: "impact", Review: ladderv1.AssessmentEntry_REVIEW_DIFFER,
		ManagerRating: ladderv1.AssessmentEntry_RATING_NOT_YET, ManagerNote: "The feature was led with a lot of help; lead one alone."}
	_, err = erin.ReviewAssessment(ctx, &ladderv1.ReviewAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag()})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = mia.ReviewAssessment(ctx, &ladderv1.ReviewAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag(),
		Entries: []*ladderv1.AssessmentEntry{agree("l2", "craft")}})
	wantCode(t, err, codes.InvalidArgument, "entries")
	a, err = mia.ReviewAssessment(ctx, &ladderv1.ReviewAssessmentRequest{Name: a.GetName(), Etag: a.GetEtag(),
		Entries: []*ladderv1.AssessmentEntry{agree("l2", "craft"), agree("l2", "impact"), agree("l3", "craft"), differ}})
	if err != nil {
		t.Fatal(err)
	}
	if a.GetState() != ladderv1.Assessment_STATE_REVIEWED || a.GetReviewer() != "users/mia" || a.GetReviewTime() == nil {
		t.Errorf("reviewed assessment = %v", a)
	}
	gaps, err = erin.GetGapReport(ctx, &ladderv1.GetGapReportRequest{Assessment: "users/me/assessments/2026-h2"})
	if err != nil || !gaps.GetReviewed() || len(gaps.GetGaps()) != 2 {
		t.Fatalf("gap report = %v, %v; want the two l3 expectations", gaps, err)
	}
	for i, want := range []string{"Designs components.", "Leads features."} {
		if g := gaps.GetGaps()[i]; g.GetLevel() != "l3" || g.GetExpectation() != want {
			t.Errorf("gap %d = %v, want l3's %q", i, g, want)
		}
	}

	// The next cycle, after a promotion: l3 against l4; the history keeps both.
	if _, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/erin", Level: "l3"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"level"}}}); err != nil {
		t.Fatal(err)
	}
	next, err := erin.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: "2027-h1"})
	if err != nil || next.GetLevel() != "l3" || next.GetNextLevel() != "l4" || len(next.GetEntries()) != 3 {
		t.Fatalf("the next cycle = %v, %v; want l3's two and l4's one", next, err)
	}
	list, err := mia.ListAssessments(ctx, &ladderv1.ListAssessmentsRequest{Parent: "users/erin"})
	if err != nil || len(list.GetAssessments()) != 2 || list.GetAssessments()[0].GetName() != "users/erin/assessments/2027-h1" {
		t.Errorf("erin's assessments as mia = %v, %v; want both cycles, newest first", list, err)
	}
}
