package feedback

import (
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/protoconv"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Names: candidates/{c}, candidates/{c}/interviews/{i}, and
// candidates/{c}/interviews/{i}/scorecard. The requests' rules have
// checked their form.

const candidatesPrefix = "candidates/"

func interviewName(candidate, id string) string { return candidate + "/interviews/" + id }

func scorecardName(candidate, id string) string { return interviewName(candidate, id) + "/scorecard" }

// splitInterview takes an interview or scorecard name apart.
func splitInterview(name string) (candidate, interviewID string) {
	name = strings.TrimSuffix(name, "/scorecard")
	candidate, interviewID, _ = strings.Cut(name, "/interviews/")
	return candidate, interviewID
}

func candidateToProto(doc *versioned.Doc[candidate]) *feedbackv1.Candidate {
	c := doc.Data
	return &feedbackv1.Candidate{
		Name: doc.Name, DisplayName: c.DisplayName, Role: c.Role, Level: c.Level, ExternalId: c.ExternalID, Source: c.Source,
		State: feedbackv1.Candidate_State(c.State), Etag: doc.ETag(), HiredUser: c.HiredUser,
		CreateTime: timestamppb.New(doc.CreateTime), UpdateTime: timestamppb.New(doc.UpdateTime),
	}
}

func candidateFromProto(p *feedbackv1.Candidate) candidate {
	c := candidate{DisplayName: p.GetDisplayName(), Role: p.GetRole(), Level: p.GetLevel(), ExternalID: p.GetExternalId(), State: int32(p.GetState()),
		HiredUser: p.GetHiredUser()}
	if c.State == 0 {
		c.State = int32(feedbackv1.Candidate_STATE_ACTIVE)
	}
	return c
}

func interviewToProto(c *versioned.Doc[candidate], iv *interview, submitted bool) *feedbackv1.Interview {
	state := feedbackv1.Interview_STATE_SCHEDULED
	if submitted {
		state = feedbackv1.Interview_STATE_SUBMITTED
	}
	return &feedbackv1.Interview{
		Name: interviewName(c.Name, iv.ID), Interviewer: iv.Interviewer, Rubric: iv.Rubric,
		FocusCompetencies: iv.Focus, ScheduledTime: protoconv.OptionalTime(iv.ScheduledTime), State: state,
		CandidateDisplayName: c.Data.DisplayName, CreateTime: timestamppb.New(iv.CreateTime), ExternalId: iv.ExternalID,
	}
}

// scorecardToProto shows a scorecard as access allows. doc is nil for a
// scorecard never saved: its author sees an empty draft.
func scorecardToProto(name string, iv *interview, doc *versioned.Doc[scorecard], access scorecardAccess) *feedbackv1.Scorecard {
	p := &feedbackv1.Scorecard{Name: name, Interviewer: iv.Interviewer, Rubric: iv.Rubric, State: feedbackv1.Scorecard_STATE_DRAFT}
	if doc == nil {
		return p
	}
	sc := doc.Data
	p.Ratings = ratingsToProto(sc.Ratings)
	p.Recommendation = feedbackv1.Recommendation(sc.Recommendation)
	p.NoteToPanel = sc.NoteToPanel
	if access == authorsAccess {
		p.PrivateNote = sc.PrivateNote
	}
	if sc.Submitted {
		p.State = feedbackv1.Scorecard_STATE_SUBMITTED
		p.SubmitTime = timestamppb.New(sc.SubmitTime)
		p.Submitter = sc.Submitter
	}
	p.Etag = doc.ETag()
	p.UpdateTime = timestamppb.New(doc.UpdateTime)
	return p
}

func ratingsToProto(rs []rating) []*feedbackv1.Rating {
	out := make([]*feedbackv1.Rating, len(rs))
	for i, r := range rs {
		out[i] = &feedbackv1.Rating{Competency: r.Competency, Evidence: r.Evidence, NotAssessed: r.NotAssessed}
		if !r.Unscored && !r.NotAssessed {
			out[i].Score = proto.Int32(r.Score)
		}
	}
	return out
}

func ratingsFromProto(ps []*feedbackv1.Rating) []rating {
	out := make([]rating, len(ps))
	for i, p := range ps {
		out[i] = rating{Competency: p.GetCompetency(), Score: p.GetScore(), Evidence: p.GetEvidence(), NotAssessed: p.GetNotAssessed()}
		switch {
		case out[i].NotAssessed:
			out[i].Score = 0
		case p.Score == nil:
			out[i].Unscored = true
		}
	}
	return out
}

var changeKinds = map[string]feedbackv1.ScorecardChange_Kind{
	kindUpdate: feedbackv1.ScorecardChange_KIND_UPDATE,
	kindSubmit: feedbackv1.ScorecardChange_KIND_SUBMIT,
	kindAmend:  feedbackv1.ScorecardChange_KIND_AMEND,
}

// changeToProto shows a change as access allows. A draft save superseded
// by a later save or the submit kept no document (draftSupersedes): it
// shows who saved which fields when, without a scorecard.
func changeToProto(c *versioned.Change[scorecard], iv *interview, access scorecardAccess) *feedbackv1.ScorecardChange {
	p := &feedbackv1.ScorecardChange{
		Name:          c.Resource + "/changes/" + strconv.FormatInt(c.Version, 10),
		Version:       c.Version,
		Kind:          changeKinds[c.Kind],
		Actor:         c.Actor,
		CreateTime:    timestamppb.New(c.Time),
		Reason:        reasonOf(c),
		ChangedFields: c.Fields,
	}
	if c.After.Name != "" {
		after := c.After
		p.Scorecard = scorecardToProto(c.Resource, iv, &after, access)
	}
	return p
}

// reasonOf is the reason an amendment gave; other changes have none.
func reasonOf(c *versioned.Change[scorecard]) string {
	if c.Kind != kindAmend {
		return ""
	}
	return c.After.Data.Reason
}
