package feedback

import (
	"context"
	"slices"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Finding the overdue scorecards without scanning anything: the candidates
// listed in a recent window are a few pages of the every-candidate
// membership (membership.go), newest first; then each candidate's document
// by _id, the scorecards of the panels with an interview due by _id, and
// each role once by _id. A candidate listed before the window is not looked
// at, whatever its interviews' times: a loop is expected to run its course
// within the window.

// latePanels returns the candidates listed since `since` that have an
// interview scheduled at least `after` before now whose scorecard is not
// submitted.
func (s *Store) latePanels(ctx context.Context, now, since time.Time, after time.Duration) ([]latePanel, error) {
	names, err := s.candidatesListedSince(ctx, since)
	if err != nil {
		return nil, err
	}
	found := make([]*latePanel, len(names))
	roles := make([]string, len(names))
	err = readEach(ctx, len(names), func(ctx context.Context, i int) error {
		p, role, err := s.latePanel(ctx, names[i], now, after)
		found[i], roles[i] = p, role
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []latePanel
	teams := map[string][]string{} // by role, read once each
	for i, p := range found {
		if p == nil {
			continue
		}
		team, ok := teams[roles[i]]
		if !ok {
			if team, err = s.hiringTeam(ctx, roles[i]); err != nil {
				return nil, err
			}
			teams[roles[i]] = team
		}
		p.Followers = team
		if len(team) == 0 {
			if p.Followers, err = s.creatorOf(ctx, p.Candidate); err != nil {
				return nil, err
			}
		}
		out = append(out, *p)
	}
	return out, nil
}

// candidatesListedSince reads the every-candidate membership newest first,
// a page at a time, down to since.
func (s *Store) candidatesListedSince(ctx context.Context, since time.Time) ([]string, error) {
	const pageSize = 200
	var names []string
	var after *position
	for {
		page, err := s.members.page(ctx, allCandidatesKey, after, pageSize, true)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if e.At.Before(since) {
				return compactNames(names), nil
			}
			names = append(names, e.Name)
		}
		if len(page) < pageSize {
			return compactNames(names), nil
		}
		last := position(page[len(page)-1])
		after = &last
	}
}

// compactNames drops repeated names: a candidate may stand in a list twice
// for a while (membership.go).
func compactNames(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}

// latePanel reads one candidate and, when one of its interviews is due, the
// scorecards of its panel; nil when nothing of it is overdue. It returns
// the candidate's role too.
func (s *Store) latePanel(ctx context.Context, name string, now time.Time, after time.Duration) (*latePanel, string, error) {
	doc, err := s.candidates.Stored(ctx, name)
	if err != nil || !doc.Live() || !stillInterviewing(&doc.Data) {
		return nil, "", err
	}
	due := func(iv *interview) bool { return !iv.ScheduledTime.IsZero() && !iv.ScheduledTime.Add(after).After(now) }
	if !slices.ContainsFunc(doc.Data.Interviews, func(iv interview) bool { return due(&iv) }) {
		return nil, "", nil
	}
	p := &latePanel{Candidate: name, DisplayName: doc.Data.DisplayName}
	for i := range doc.Data.Interviews {
		iv := &doc.Data.Interviews[i]
		sc, err := s.scorecards.Stored(ctx, scorecardName(name, iv.ID))
		if err != nil {
			return nil, "", err
		}
		if sc.Live() && sc.Data.Submitted {
			continue
		}
		if !slices.Contains(p.Blind, iv.Interviewer) {
			p.Blind = append(p.Blind, iv.Interviewer)
		}
		if due(iv) {
			p.Late = append(p.Late, lateInterview{Interview: interviewName(name, iv.ID), Candidate: name,
				CandidateName: doc.Data.DisplayName, Interviewer: iv.Interviewer, At: iv.ScheduledTime})
		}
	}
	if len(p.Late) == 0 {
		return nil, "", nil
	}
	return p, doc.Data.Role, nil
}

// stillInterviewing reports whether a candidate's loop is open: once hired,
// rejected or withdrawn, nobody is chased for a scorecard.
func stillInterviewing(c *candidate) bool {
	return c.State == int32(feedbackv1.Candidate_STATE_UNSPECIFIED) || c.State == int32(feedbackv1.Candidate_STATE_ACTIVE)
}

// hiringTeam returns the people of a role's hiring team; none when the role
// is not defined.
func (s *Store) hiringTeam(ctx context.Context, role string) ([]string, error) {
	if role == "" {
		return nil, nil
	}
	doc, err := s.roles.Stored(ctx, rolesPrefix+role)
	if err != nil || !doc.Live() {
		return nil, err
	}
	return people(doc.Data.HiringTeam), nil
}

// creatorOf returns who created a candidate (the actor of its first change
// record), when that is a person.
func (s *Store) creatorOf(ctx context.Context, candidate string) ([]string, error) {
	c, err := s.candidates.Record(ctx, candidate, 1)
	if err != nil || c == nil {
		return nil, err
	}
	return people([]string{c.Actor}), nil
}

// people keeps the names that are people's (an actor may be a system,
// "users/system/seed"), which the directory answers for.
func people(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !fieldcheck.UserNamePattern.MatchString(n) })
}
