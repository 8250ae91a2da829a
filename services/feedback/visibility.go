package feedback

import (
	"context"
	"slices"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// Who may see what of the hiring process is decided here, and every read
// path — get, list, summarize, compare, changes — goes through it:
//   - recruiters and admins see every candidate; an interviewer sees the
//     candidates they interview, and nobody else;
//   - a scorecard's author sees it always, drafts and private note included;
//   - nobody else ever sees a draft, or a private note;
//   - an interviewer on a candidate's panel sees the colleagues' submitted
//     scorecards only once every scorecard of their own for that candidate
//     is submitted ("blind until submitted"). This holds whatever other
//     roles they have: a hiring manager who interviews is blind too, so
//     every judgement on the panel is made independently;
//   - recruiters and admins see submitted scorecards;
//   - a scorecard's history is its author's, and the recruiters' from its
//     submission on (amendments, with actor, time and reason).
// What is hidden is NOT_FOUND: a hidden scorecard is never confirmed to exist.

// viewer is the caller, as the rules need them.
type viewer struct {
	user   string // users/{user}
	hiring bool   // recruiter or admin
}

func viewerOf(ctx context.Context) viewer {
	return viewer{user: principal.User(ctx), hiring: principal.Has(ctx, principal.Recruiter) || principal.Has(ctx, principal.Admin)}
}

// interviews returns the IDs of the viewer's own interviews of c.
func (v viewer) interviews(c *candidate) []string {
	var ids []string
	for _, iv := range c.Interviews {
		if iv.Interviewer == v.user {
			ids = append(ids, iv.ID)
		}
	}
	return ids
}

// seesCandidate reports whether the viewer may see the candidate at all.
func (v viewer) seesCandidate(c *candidate) bool {
	return v.hiring || len(v.interviews(c)) > 0
}

// panel is what the rules need to know about a candidate's scorecards.
type panel struct {
	candidate *versioned.Doc[candidate]
	// scorecards by interview ID; a missing entry has never been saved.
	scorecards map[string]*versioned.Doc[scorecard]
}

// blind reports whether the viewer is on the panel with a scorecard of
// their own not yet submitted: then they see no colleague's.
func (v viewer) blind(p *panel) bool {
	for _, id := range v.interviews(&p.candidate.Data) {
		sc := p.scorecards[id]
		if sc == nil || !sc.Data.Submitted {
			return true
		}
	}
	return false
}

// scorecardAccess is what the viewer may see of one scorecard.
type scorecardAccess int

const (
	hidden        scorecardAccess = iota
	withoutNotes                  // submitted, without the private note
	authorsAccess                 // everything
)

// seeScorecard is the one visibility function for scorecards.
func (v viewer) seeScorecard(p *panel, sc *scorecard) scorecardAccess {
	switch {
	case sc.Interviewer == v.user:
		return authorsAccess
	case !sc.Submitted || v.blind(p):
		return hidden
	case v.hiring || len(v.interviews(&p.candidate.Data)) > 0:
		return withoutNotes
	}
	return hidden
}

// seesHistoryFrom returns the first version of a scorecard's history the
// viewer may read, and false when they may read none of it.
func (v viewer) seesHistoryFrom(p *panel, sc *scorecard) (int64, bool) {
	switch {
	case sc.Interviewer == v.user:
		return 1, true
	case v.hiring && sc.Submitted && !v.blind(p):
		return sc.SubmitVersion, true
	}
	return 0, false
}

// seesSubmitted reports whether the viewer may learn that an interview's
// scorecard is submitted: not while blind on the panel (a colleague's
// submission is theirs to know of only after the viewer's own), except for
// their own interviews.
func (v viewer) seesSubmitted(p *panel, iv *interview) bool {
	sc := p.scorecards[iv.ID]
	if sc == nil || !sc.Data.Submitted {
		return false
	}
	return iv.Interviewer == v.user || !v.blind(p)
}

// writesScorecard reports whether the viewer may write the scorecard of an
// interview: its interviewer alone.
func (v viewer) writesScorecard(iv *interview) bool { return iv.Interviewer == v.user }

// interviewByID finds an interview of a candidate.
func interviewByID(c *candidate, id string) *interview {
	i := slices.IndexFunc(c.Interviews, func(iv interview) bool { return iv.ID == id })
	if i < 0 {
		return nil
	}
	return &c.Interviews[i]
}
