package feedback_test

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A draft's saves keep who saved which fields when, but not their content,
// once a later save or the submit followed: the author's history shows them
// without a scorecard. The submit and the amendment keep theirs.
func TestHistoryOfADraftKeepsSavesWithoutTheirContent(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	name := ivs[0].GetName() + "/scorecard"
	c := e.as(ivan)
	full := complete(name, 3, 2)
	etag := ""
	for i, paths := range [][]string{{"ratings"}, {"ratings", "recommendation"}, {"ratings", "recommendation", "note_to_panel", "private_note"}} {
		sc := proto.Clone(full).(*feedbackv1.Scorecard)
		sc.Etag = etag
		saved, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}})
		if err != nil {
			t.Fatalf("save %d: %v", i+1, err)
		}
		etag = saved.GetEtag()
	}
	submitted, err := c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: etag})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: name, Etag: submitted.GetEtag(), Reason: "Misread my notes.",
		Ratings: []*feedbackv1.Rating{{Competency: "impact", Score: proto.Int32(3)}}}); err != nil {
		t.Fatal(err)
	}

	mine, err := c.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: name})
	if err != nil || len(mine.GetChanges()) != 5 {
		t.Fatalf("author's history = %v, %v, want amend, submit and three saves", mine, err)
	}
	amend, submit := mine.GetChanges()[0], mine.GetChanges()[1]
	if amend.GetScorecard().GetRatings()[1].GetScore() != 3 || amend.GetReason() == "" {
		t.Errorf("the amendment = %v, want its scorecard and reason", amend)
	}
	if submit.GetKind() != feedbackv1.ScorecardChange_KIND_SUBMIT || submit.GetScorecard().GetRatings()[1].GetScore() != 2 ||
		submit.GetScorecard().GetPrivateNote() == "" || submit.GetScorecard().GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
		t.Errorf("the submit = %v, want the submitted scorecard whole", submit)
	}
	for i, save := range mine.GetChanges()[2:] {
		if save.GetKind() != feedbackv1.ScorecardChange_KIND_UPDATE || save.GetActor() != ivan || save.GetCreateTime() == nil ||
			save.GetVersion() != int64(3-i) || len(save.GetChangedFields()) == 0 {
			t.Errorf("save %d = %v, want kind, actor, time, version and fields", 3-i, save)
		}
		if save.GetScorecard() != nil {
			t.Errorf("save %d shows a scorecard: %v, want none (superseded)", 3-i, save.GetScorecard())
		}
	}
	theirs, err := e.recruiter.ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: name})
	if err != nil || len(theirs.GetChanges()) != 2 {
		t.Fatalf("recruiter's history = %v, %v, want the submit and the amendment", theirs, err)
	}
	for _, ch := range theirs.GetChanges() {
		if ch.GetScorecard() == nil || ch.GetScorecard().GetPrivateNote() != "" {
			t.Errorf("recruiter's history = %v, want the scorecard without the private note", ch)
		}
	}
}

// The last save of a draft keeps its content: the draft is not superseded.
func TestHistoryOfAnUnsubmittedDraftShowsItsLastSave(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	_, ivs := e.candidate(t, "ada", ivan)
	first := e.fill(t, ivan, ivs[0], 2, 2, false)
	sc := complete(first.GetName(), 4, 2)
	sc.Etag = first.GetEtag()
	if _, err := e.as(ivan).UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc}); err != nil {
		t.Fatal(err)
	}
	h, err := e.as(ivan).ListScorecardChanges(ctx, &feedbackv1.ListScorecardChangesRequest{Parent: first.GetName()})
	if err != nil || len(h.GetChanges()) != 2 {
		t.Fatalf("history = %v, %v, want two saves", h, err)
	}
	if last := h.GetChanges()[0].GetScorecard(); last.GetRatings()[0].GetScore() != 4 {
		t.Errorf("the last save = %v, want its content (craft 4)", last)
	}
	if h.GetChanges()[1].GetScorecard() != nil {
		t.Errorf("the first save = %v, want no content", h.GetChanges()[1])
	}
}

// The candidate's records before an interview's add drop their document
// (the add's record holds the candidate with the interview it names); the
// newest, and an add that carried a request id, keep theirs, and a retry of
// that add still returns its first result.
func TestInterviewAddsSupersedeTheCandidatesRecords(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	c, _ := e.candidate(t, "ada", ivan, ines)
	add := &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), RequestId: "add-omar",
		Interview: &feedbackv1.Interview{Interviewer: omar, Rubric: "rubrics/coding/revisions/latest"}}
	first, err := e.recruiter.CreateInterview(ctx, add)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(),
		Interview: &feedbackv1.Interview{Interviewer: ivan, Rubric: "rubrics/coding/revisions/latest"}}); err != nil {
		t.Fatal(err)
	}
	again, err := e.recruiter.CreateInterview(ctx, add)
	if err != nil || again.GetName() != first.GetName() {
		t.Errorf("retried add = %v, %v, want the first result %s", again, err, first.GetName())
	}
	changes := mongotest.Client(t).Database(e.DatabasePrefix + "feedback").Collection("candidate_changes")
	for v, want := range map[int]bool{1: false, 2: false, 3: false, 4: true, 5: true} {
		raw, err := changes.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s#%d", c.GetName(), v)}}).Raw()
		if err != nil {
			t.Fatalf("record %d: %v", v, err)
		}
		_, err = raw.LookupErr("after")
		if got := err == nil; got != want {
			t.Errorf("record %d (%s) holds the candidate: %v, want %v", v, raw.Lookup("kind"), got, want)
		}
		if raw.Lookup("actor").StringValue() != rita {
			t.Errorf("record %d = %s, want who made it kept", v, raw)
		}
		if v > 1 && raw.Lookup("ref").StringValue() == "" {
			t.Errorf("record %d = %s, want the interview it added kept", v, raw)
		}
	}
	p, err := e.recruiter.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: c.GetName()})
	if err != nil || len(p.GetInterviews()) != 4 {
		t.Errorf("panel = %v, %v, want four interviews", p, err)
	}
}
