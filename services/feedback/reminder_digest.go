package feedback

import (
	"cmp"
	"slices"
	"time"
)

// Who is told about which overdue scorecard: pure, without I/O, so that
// the rules are tested on their own (reminders.go reads and sends).

// latePanel is a candidate with overdue scorecards, as the reminder job
// found it.
type latePanel struct {
	Candidate   string // candidates/{c}
	DisplayName string // the candidate's
	// Late are the interviews whose scorecard is overdue.
	Late []lateInterview
	// Followers are who follows the candidate: the role's hiring team, or
	// the candidate's creator when the role defines none.
	Followers []string
	// Blind are the people on the panel with a scorecard of their own not
	// submitted, due or not: they may not learn whether a colleague's is
	// (visibility.go, seesSubmitted), so they get no list of the panel's.
	Blind []string
}

// lateInterview is one interview whose scorecard is overdue.
type lateInterview struct {
	Interview     string // candidates/{c}/interviews/{i}
	Candidate     string // candidates/{c}
	CandidateName string
	Interviewer   string // users/{u}
	At            time.Time
}

// digest is what one person is told in a day: the overdue scorecards of
// their own interviews, and those of the candidates they follow.
type digest struct {
	User string
	Own  []lateInterview
	Team []lateInterview
}

// collectDigests groups the overdue interviews of panels into one digest
// per person: each interviewer gets their own, each follower of a candidate
// the candidate's — unless they sit blind on its panel. Digests are in
// user order, their interviews oldest first.
func collectDigests(panels []latePanel) []*digest {
	byUser := map[string]*digest{}
	of := func(user string) *digest {
		if byUser[user] == nil {
			byUser[user] = &digest{User: user}
		}
		return byUser[user]
	}
	for _, p := range panels {
		for _, iv := range p.Late {
			of(iv.Interviewer).Own = append(of(iv.Interviewer).Own, iv)
		}
		for _, f := range p.Followers {
			if slices.Contains(p.Blind, f) {
				continue
			}
			of(f).Team = append(of(f).Team, p.Late...)
		}
	}
	out := make([]*digest, 0, len(byUser))
	for _, d := range byUser {
		slices.SortFunc(d.Own, compareLate)
		slices.SortFunc(d.Team, compareLate)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *digest) int { return cmp.Compare(a.User, b.User) })
	return out
}

// compareLate orders interviews by time, then name.
func compareLate(a, b lateInterview) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.Interview, b.Interview)
}

// peopleToName lists who the digests name: their recipients and the
// interviewers of the candidates they follow, each once, sorted.
func peopleToName(digests []*digest) []string {
	var names []string
	for _, d := range digests {
		names = append(names, d.User)
		for _, iv := range d.Team {
			names = append(names, iv.Interviewer)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
