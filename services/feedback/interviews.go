package feedback

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// CreateInterview adds an interview to a candidate's panel, against a
// published rubric revision read from the rubric service (`latest` is
// resolved to the revision it names now).
func (s *Server) CreateInterview(ctx context.Context, req *feedbackv1.CreateInterviewRequest) (*feedbackv1.Interview, error) {
	in := req.GetInterview()
	if err := validateInterview(in); err != nil {
		return nil, err
	}
	if err := s.assignable(ctx, in.GetInterviewer(), "interview.interviewer"); err != nil {
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
	return s.scheduleInterview(ctx, req.GetParent(), req.GetRequestId(), iv)
}

// scheduleInterview adds a checked interview to a candidate's panel.
func (s *Server) scheduleInterview(ctx context.Context, parent, requestID string, iv interview) (*feedbackv1.Interview, error) {
	// The membership entry comes first, so that the interviewer's list
	// never misses an interview; an add that fails takes it out again, and
	// one that crashed leaves an entry to nothing, which readers skip.
	name := interviewName(parent, iv.ID)
	if err := s.store.members.add(ctx, interviewsKey(iv.Interviewer), name, iv.listedAt()); err != nil {
		return nil, err
	}
	created, err := s.addInterview(ctx, parent, requestID, iv)
	if (err != nil || created.GetName() != name) && !s.scheduledAt(ctx, parent, iv) { // failed, or a replay of an earlier attempt's add
		if err := s.store.members.remove(context.WithoutCancel(ctx), interviewsKey(iv.Interviewer), name, iv.listedAt()); err != nil {
			return nil, err
		}
	}
	return created, err
}

// scheduledAt reports whether the candidate's panel holds the interview
// with the same interviewer at the same time: then an add that failed (a
// concurrent add of the same interview won) must leave the list entry it
// shares.
func (s *Server) scheduledAt(ctx context.Context, candidate string, iv interview) bool {
	doc, err := s.store.candidates.Find(context.WithoutCancel(ctx), candidate)
	if err != nil || !doc.Live() {
		return false
	}
	stored := interviewByID(&doc.Data, iv.ID)
	return stored != nil && stored.Interviewer == iv.Interviewer && stored.listedAt().Equal(iv.listedAt())
}

// addInterview adds an interview to a candidate's panel.
func (s *Server) addInterview(ctx context.Context, parent, requestID string, iv interview) (*feedbackv1.Interview, error) {
	// Adding interviews commutes: a writer that lost a race to another
	// change of the candidate tries again on the new version.
	const attempts = 5
	for attempt := 1; ; attempt++ {
		want := versioned.Expect{Exists: versioned.MustExist, RequestID: requestID}
		doc, err := s.store.candidates.Apply(ctx, parent, principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
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
		if created == nil && requestID != "" && len(doc.Data.Interviews) > 0 {
			created = &doc.Data.Interviews[len(doc.Data.Interviews)-1]
		}
		if created == nil {
			return nil, apierr.Conflict("%s changed while the interview was added", parent)
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
// across candidates (`candidates/-`), by scheduled time, a page at a time.
// The caller's own are a page of their membership (membership.go), then
// each interview's candidate and scorecard by _id: a page costs what it
// shows, whatever the caller's history.
func (s *Server) ListInterviews(ctx context.Context, req *feedbackv1.ListInterviewsRequest) (*feedbackv1.ListInterviewsResponse, error) {
	newestFirst, err := interviewOrder(req.GetOrderBy())
	if err != nil {
		return nil, err
	}
	query := req.GetParent() + "/interviews?order_by=" + req.GetOrderBy()
	key, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	var after *position
	if key != "" {
		if after, err = parsePosition(key); err != nil {
			return nil, err
		}
	}
	size := paging.Size(req.GetPageSize())
	if req.GetParent() != "candidates/-" {
		return s.listPanel(ctx, req.GetParent(), query, after, size, newestFirst)
	}
	v := viewerOf(ctx)
	members, err := s.store.members.page(ctx, interviewsKey(v.user), after, size+1, newestFirst)
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListInterviewsResponse{}
	if len(members) > size {
		members = members[:size]
		resp.NextPageToken = paging.Token(position(members[size-1]).String(), query)
	}
	// Each candidate once, with the scorecards the rules need: those of the
	// caller's own interviews on its panel. The entries name them, so they
	// are read beside the candidate, not after it.
	var cands []string
	listed := map[string][]string{} // candidate → the page's interview IDs
	for _, e := range members {
		cand, id := splitInterview(e.Name)
		if !slices.Contains(cands, cand) {
			cands = append(cands, cand)
		}
		listed[cand] = append(listed[cand], id)
	}
	panels := make([]*panel, len(cands))
	err = readEach(ctx, len(cands), func(ctx context.Context, i int) error {
		p, err := s.listedPanel(ctx, cands[i], false, listed[cands[i]]...)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil // erased since: its entries are being taken out
		}
		panels[i] = p
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, e := range members {
		cand, id := splitInterview(e.Name)
		p := panels[slices.Index(cands, cand)]
		if p == nil {
			continue
		}
		iv := interviewByID(&p.candidate.Data, id)
		// An entry names the caller's own interviews only; one that does
		// not (stale, or an ID reused) is skipped, never shown, and so is
		// one at a time the interview left (rescheduled: imports.go).
		if iv == nil || iv.Interviewer != v.user || !iv.listedAt().Equal(e.At) {
			continue
		}
		resp.Interviews = append(resp.Interviews, interviewToProto(p.candidate, iv, v.seesSubmitted(p, iv)))
	}
	return resp, nil
}

// listPanel pages a candidate's panel, which its document holds whole
// (at most maxInterviews).
func (s *Server) listPanel(ctx context.Context, name, query string, after *position, size int, newestFirst bool) (*feedbackv1.ListInterviewsResponse, error) {
	p, err := s.panelOf(ctx, name)
	if err != nil {
		return nil, err
	}
	v := viewerOf(ctx)
	ivs := slices.Clone(p.candidate.Data.Interviews)
	order := func(a, b interview) int { return compareMembers(listing(name, &a), listing(name, &b)) }
	if newestFirst {
		order = func(a, b interview) int { return compareMembers(listing(name, &b), listing(name, &a)) }
	}
	slices.SortFunc(ivs, order)
	resp := &feedbackv1.ListInterviewsResponse{}
	for i := range ivs {
		e := listing(name, &ivs[i])
		if after != nil && compareAfter(e, *after, newestFirst) <= 0 {
			continue
		}
		if len(resp.Interviews) == size {
			resp.NextPageToken = paging.Token(position(listing(name, &ivs[i-1])).String(), query)
			break
		}
		resp.Interviews = append(resp.Interviews, interviewToProto(p.candidate, &ivs[i], v.seesSubmitted(p, &ivs[i])))
	}
	return resp, nil
}

// listing is an interview as its interviewer's membership lists it.
func listing(candidate string, iv *interview) member {
	return member{Name: interviewName(candidate, iv.ID), At: iv.listedAt()}
}

// compareAfter orders a member against a page's position in the list's
// order: > 0 when it comes after it.
func compareAfter(e member, after position, newestFirst bool) int {
	c := compareMembers(e, member(after))
	if newestFirst {
		return -c
	}
	return c
}

// interviewOrder reads ListInterviews' order_by (AIP-132): scheduled time,
// oldest first unless "desc".
func interviewOrder(orderBy string) (newestFirst bool, err error) {
	switch strings.Join(strings.Fields(orderBy), " ") {
	case "", "scheduled_time", "scheduled_time asc":
		return false, nil
	case "scheduled_time desc":
		return true, nil
	}
	return false, apierr.Invalid("order_by", `must be "scheduled_time" or "scheduled_time desc"`)
}

// assignable refuses an interviewer the directory says is deactivated.
// Someone the directory does not list may interview: tokens name people
// the directory need not hold.
func (s *Server) assignable(ctx context.Context, interviewer, field string) error {
	if s.opts.People == nil {
		return nil
	}
	u, err := s.opts.People.GetUser(ctx, &ladderv1.GetUserRequest{Name: interviewer})
	if err = grpcerr.FromStatus(err); errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.GetDeactivated() {
		return apierr.Invalid(field, "%s is deactivated and is not assigned interviews: choose someone else", interviewer)
	}
	return nil
}
