package feedback_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Self-identification through the API: a recruiter records it and cannot
// read it back; compliance reads it and the report; bad answers are 400
// and change nothing.
func TestSelfIdentification(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	c, ivs := e.candidate(t, "ada", ivan)
	e.fill(t, ivan, ivs[0], 3, 3, true)
	name := c.GetName() + "/selfIdentification"
	compliance := e.FeedbackAs("users/cora", principal.Compliance)

	cats, err := e.recruiter.ListSelfIdentificationCategories(ctx, &feedbackv1.ListSelfIdentificationCategoriesRequest{})
	if err != nil || len(cats.GetCategories()) != 2 || cats.GetCategories()[0].GetAnswers()[len(cats.GetCategories()[0].GetAnswers())-1].GetId() != "prefer-not-to-say" {
		t.Fatalf("categories = %v, %v; want gender and ethnicity, each ending with prefer-not-to-say", cats, err)
	}
	for _, bad := range []map[string]string{{"religion": "x"}, {"gender": "maybe"}} {
		_, err := e.recruiter.RecordSelfIdentification(ctx, &feedbackv1.RecordSelfIdentificationRequest{Name: name, Answers: bad})
		wantCode(t, err, codes.InvalidArgument, "answers")
	}
	if _, err := compliance.GetSelfIdentification(ctx, &feedbackv1.GetSelfIdentificationRequest{Name: name}); err == nil {
		t.Fatal("a refused record was stored")
	}
	if _, err := e.recruiter.RecordSelfIdentification(ctx, &feedbackv1.RecordSelfIdentificationRequest{Name: name,
		Answers: map[string]string{"gender": "woman", "ethnicity": "prefer-not-to-say"}}); err != nil {
		t.Fatal(err)
	}
	got, err := compliance.GetSelfIdentification(ctx, &feedbackv1.GetSelfIdentificationRequest{Name: name})
	if err != nil || got.GetAnswers()["gender"] != "woman" || got.GetAnswers()["ethnicity"] != "prefer-not-to-say" {
		t.Errorf("GetSelfIdentification as compliance = %v, %v", got, err)
	}
	for who, client := range map[string]feedbackv1.FeedbackServiceClient{
		"the recruiter who recorded it": e.recruiter, "an interviewer": e.as(ivan),
		"an admin": e.FeedbackAs("users/adam", principal.Admin), "a hiring manager": e.FeedbackAs("users/hank", principal.Interviewer, principal.Recruiter),
	} {
		_, err := client.GetSelfIdentification(ctx, &feedbackv1.GetSelfIdentificationRequest{Name: name})
		t.Run(who, func(t *testing.T) { wantCode(t, err, codes.PermissionDenied, "") })
	}
	// Nothing a recruiter reads carries it.
	sum, err := e.recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: c.GetName()})
	if err != nil || strings.Contains(sum.String(), "woman") || strings.Contains(sum.String(), "selfIdentification") {
		t.Errorf("the summary carries the answers: %v", err)
	}

	rep, err := compliance.ComputeAdverseImpact(ctx, &feedbackv1.ComputeAdverseImpactRequest{Role: "ic", Category: "gender"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.GetCandidates() != 1 || len(rep.GetStages()) != 2 || len(rep.GetStages()[0].GetGroups()) != 1 || !rep.GetStages()[0].GetGroups()[0].GetSuppressed() {
		t.Errorf("report over one candidate = %v; want one group, suppressed", rep)
	}
	_, err = compliance.ComputeAdverseImpact(ctx, &feedbackv1.ComputeAdverseImpactRequest{Role: "ic", Category: "age"})
	wantCode(t, err, codes.InvalidArgument, "category")
}
