package web

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// addPanel adds the other submitted scorecards of the candidate's panel
// that the API lets the user see. The page asks for every one and shows
// what comes back: "blind until submitted" is the feedback service's rule
// (a colleague's scorecard is NOT_FOUND until the user's own are all
// submitted), and the page does not second-guess it either way.
func (a *App) addPanel(ctx context.Context, v *scorecardView, interview string) error {
	list, err := a.feedback.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: candidateOfName(interview)})
	if err != nil {
		return err
	}
	revisions := map[string]*rubricv1.RubricRevision{}
	v.Panel = nil
	for _, iv := range list.GetInterviews() {
		if iv.GetName() == interview {
			continue
		}
		sc, err := a.feedback.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: iv.GetName() + "/scorecard"})
		if status.Code(err) == codes.NotFound {
			continue // not submitted, or not the user's to see yet
		}
		if err != nil {
			return err
		}
		if sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
			continue // another draft of the user's own
		}
		rev, ok := revisions[sc.GetRubric()]
		if !ok {
			rev, err = a.rubricRevision(ctx, sc.GetRubric())
			if err != nil && status.Code(err) != codes.NotFound {
				return err
			}
			// A revision that cannot be read (nil) leaves competency IDs
			// for titles: the scores still stand.
			revisions[sc.GetRubric()] = rev
		}
		card := submittedCard(sc, rev)
		card.PrivateNote = "" // this section shows what the panel sees
		v.Panel = append(v.Panel, card)
	}
	var who []string
	for _, c := range v.Panel {
		who = append(who, c.Interviewer)
	}
	names := a.people.lookup(ctx, who...)
	for i := range v.Panel {
		v.Panel[i].Interviewer = names.of(v.Panel[i].Interviewer)
	}
	return nil
}
