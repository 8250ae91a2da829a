package rubric_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// When the ladder moves on, a derived rubric is derived again: the anchors
// an admin rewrote stay, the ones still in the ladder's words take the new
// words, and the source names the new revision.
func TestRederiveKeepsEditedAnchors(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	r := e.derive(t, "design")
	// The admin rewrites craft's "meets the bar" anchor (score 3).
	edited := "Splits the system into parts others can build on, and says why."
	for _, an := range r.GetCompetencies()[0].GetAnchors() {
		if an.GetScore() == 3 {
			an.Description = edited
		}
	}
	r, err := e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: r.GetName(), Etag: r.GetEtag(), Competencies: r.GetCompetencies()}})
	if err != nil {
		t.Fatal(err)
	}
	// The ladder moves on: l2's craft expectation is reworded.
	f, err := e.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	if err != nil {
		t.Fatal(err)
	}
	f.GetTracks()[0].GetLevels()[1].GetExpectations()[0].Description = "Designs components that others extend safely."
	f, err = e.ladder.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Tracks: f.GetTracks()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName(), Etag: f.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.RederiveRubric(ctx, &rubricv1.RederiveRubricRequest{Name: r.GetName(), Etag: "99"})
	wantCode(t, err, codes.Aborted, "")
	again, err := e.admin.RederiveRubric(ctx, &rubricv1.RederiveRubricRequest{Name: r.GetName(), Etag: r.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if got := again.GetSource().GetFrameworkRevision(); got != "frameworks/eng/revisions/2" {
		t.Errorf("source after re-deriving = %q, want revision 2", got)
	}
	for _, an := range again.GetCompetencies()[0].GetAnchors() {
		switch {
		case an.GetScore() == 3 && an.GetDescription() != edited:
			t.Errorf("the edited anchor became %q, want it kept", an.GetDescription())
		case an.GetScore() == 1 && !strings.Contains(an.GetDescription(), "others extend safely"):
			t.Errorf("a derived anchor reads %q, want the ladder's new words", an.GetDescription())
		}
	}
	// A rubric written by hand has nothing to derive again.
	written := proto.Clone(again).(*rubricv1.Rubric)
	written.Name, written.Source = "", nil
	hand, err := e.admin.CreateRubric(ctx, &rubricv1.CreateRubricRequest{RubricId: "hand", Rubric: written})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.RederiveRubric(ctx, &rubricv1.RederiveRubricRequest{Name: hand.GetName(), Etag: hand.GetEtag()})
	wantCode(t, err, codes.FailedPrecondition, "")
}
