package feedback

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// CreateInterview adds an interview to a candidate's panel, against a
// published rubric revision read from the rubric service (`latest` is
// resolved to the revision it names now).
func (s *Server) CreateInterview(ctx context.Context, req *feedbackv1.CreateInterviewRequest) (*feedbackv1.Interview, error) {
	in := req.GetInterview()
	if err := validateInterview(in); err != nil {
		return nil, err
	}
	rev, err := s.rubrics.get(ctx, in.GetRubric(), "interview.rubric")
	if err != nil {
		return nil, err
	}
	focus, err := focusOf(in.GetFocusCompetencies(), rev)
	if err != nil {
		return nil, err
	}
	id := req.GetInterviewId()
	if id == "" {
		id = "i" + randomHex(5)
	}
	iv := interview{
		ID: id, Interviewer: in.GetInterviewer(), Rubric: rev.GetName(), Focus: focus,
		CreateTime: time.Now().UTC().Truncate(time.Millisecond),
	}
	if t := in.GetScheduledTime(); t != nil {
		iv.ScheduledTime = t.AsTime().UTC().Truncate(time.Millisecond)
	}
	// The index entry comes first, so that the index never misses an
	// interview; an add that fails takes it out again, and one that crashed
	// leaves an entry to nothing, which readers skip.
	name := interviewName(req.GetParent(), iv.ID)
	added, err := s.store.indexInterview(ctx, iv.Interviewer, name, true)
	if err != nil {
		return nil, err
	}
	created, err := s.addInterview(ctx, req, iv)
	if added && (err != nil || created.GetName() != name) { // failed, or a replay of an earlier attempt's add
		if _, err := s.store.indexInterview(context.WithoutCancel(ctx), iv.Interviewer, name, false); err != nil {
			return nil, err
		}
	}
	return created, err
}

// addInterview adds an interview to a candidate's panel.
func (s *Server) addInterview(ctx context.Context, req *feedbackv1.CreateInterviewRequest, iv interview) (*feedbackv1.Interview, error) {
	// Adding interviews commutes: a writer that lost a race to another
	// change of the candidate tries again on the new version.
	const attempts = 5
	for attempt := 1; ; attempt++ {
		want := versioned.Expect{Exists: versioned.MustExist, RequestID: req.GetRequestId()}
		doc, err := s.store.candidates.Apply(ctx, req.GetParent(), principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
			if interviewByID(&cur.Data, iv.ID) != nil {
				return versioned.Edit[candidate]{}, apierr.AlreadyExists(interviewName(cur.Name, iv.ID))
			}
			if len(cur.Data.Interviews) >= maxInterviews {
				return versioned.Edit[candidate]{}, apierr.FailedPrecondition("a candidate has at most %d interviews", maxInterviews)
			}
			c := cur.Data
			c.Interviews = append(slices.Clone(c.Interviews), iv)
			return versioned.Edit[candidate]{Kind: kindAddInterview, Ref: iv.ID, Data: c}, nil
		})
		if errors.Is(err, apierr.ErrConflict) && attempt < attempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		// A replayed request returns the first result: the candidate as the
		// first attempt left it, whose last interview is the one it added
		// (an add appends).
		created := interviewByID(&doc.Data, iv.ID)
		if created == nil && req.GetRequestId() != "" && len(doc.Data.Interviews) > 0 {
			created = &doc.Data.Interviews[len(doc.Data.Interviews)-1]
		}
		if created == nil {
			return nil, apierr.Conflict("%s changed while the interview was added", req.GetParent())
		}
		return interviewToProto(doc, created, false), nil
	}
}

// GetInterview returns an interview of a candidate the caller may see.
func (s *Server) GetInterview(ctx context.Context, req *feedbackv1.GetInterviewRequest) (*feedbackv1.Interview, error) {
	p, iv, err := s.scorecardOf(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return interviewToProto(p.candidate, iv, viewerOf(ctx).seesSubmitted(p, iv)), nil
}

// ListInterviews lists a candidate's panel, or the caller's own interviews
// across candidates (`candidates/-`), each read by _id.
func (s *Server) ListInterviews(ctx context.Context, req *feedbackv1.ListInterviewsRequest) (*feedbackv1.ListInterviewsResponse, error) {
	v := viewerOf(ctx)
	var names []string
	if req.GetParent() == "candidates/-" {
		own, err := s.store.interviewsOf(ctx, v.user)
		if err != nil {
			return nil, err
		}
		names = own
	} else {
		doc, err := s.candidate(ctx, req.GetParent())
		if err != nil {
			return nil, err
		}
		for _, iv := range doc.Data.Interviews {
			names = append(names, interviewName(doc.Name, iv.ID))
		}
	}
	resp := &feedbackv1.ListInterviewsResponse{}
	panels := map[string]*panel{}
	for _, name := range names {
		cand, id := splitInterview(name)
		p, ok := panels[cand]
		if !ok {
			var err error
			p, err = s.panelOf(ctx, cand)
			if err != nil && !errors.Is(err, apierr.ErrNotFound) {
				return nil, err
			}
			panels[cand] = p
		}
		if p == nil {
			continue // erased since: the index is being cleaned
		}
		iv := interviewByID(&p.candidate.Data, id)
		// An index entry names the caller's own interviews only; one that
		// does not (stale, or an ID reused) is skipped, never shown.
		if iv == nil || (req.GetParent() == "candidates/-" && iv.Interviewer != v.user) {
			continue
		}
		resp.Interviews = append(resp.Interviews, interviewToProto(p.candidate, iv, v.seesSubmitted(p, iv)))
	}
	slices.SortStableFunc(resp.Interviews, func(a, b *feedbackv1.Interview) int {
		return cmp.Compare(a.GetScheduledTime().AsTime().UnixMilli(), b.GetScheduledTime().AsTime().UnixMilli())
	})
	return resp, nil
}
