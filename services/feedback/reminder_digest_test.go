package feedback

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCollectDigests(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	late := func(cand, id, who string, hoursAgo int) lateInterview {
		return lateInterview{Interview: cand + "/interviews/" + id, Candidate: cand, CandidateName: strings.ToUpper(cand[11:12]),
			Interviewer: who, At: at.Add(-time.Duration(hoursAgo) * time.Hour)}
	}
	adaIvan, adaOmar := late("candidates/ada", "i1", "users/ivan", 30), late("candidates/ada", "i2", "users/omar", 26)
	graceInes := late("candidates/grace", "i1", "users/ines", 48)
	hedyIvan := late("candidates/hedy", "i1", "users/ivan", 25)
	panels := []latePanel{
		// Ivan is on Ada's hiring team and sits blind on her panel: he
		// gets his own scorecard, not the list of who else is late.
		{Candidate: "candidates/ada", Late: []lateInterview{adaOmar, adaIvan},
			Followers: []string{"users/rita", "users/ivan"}, Blind: []string{"users/ivan", "users/omar"}},
		// Ines is late; Ivan's interview is still ahead, so he is blind
		// here too, and he does not follow Grace anyway.
		{Candidate: "candidates/grace", Late: []lateInterview{graceInes},
			Followers: []string{"users/rita"}, Blind: []string{"users/ines", "users/ivan"}},
		// Submitted everywhere else, Adam follows Hedy and sees Ivan late.
		{Candidate: "candidates/hedy", Late: []lateInterview{hedyIvan},
			Followers: []string{"users/adam"}, Blind: []string{"users/ivan"}},
	}
	got := collectDigests(panels)
	want := []*digest{
		{User: "users/adam", Team: []lateInterview{hedyIvan}},
		{User: "users/ines", Own: []lateInterview{graceInes}},
		{User: "users/ivan", Own: []lateInterview{adaIvan, hedyIvan}},
		{User: "users/omar", Own: []lateInterview{adaOmar}},
		{User: "users/rita", Team: []lateInterview{graceInes, adaIvan, adaOmar}}, // oldest first
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collectDigests (-want +got):\n%s", diff)
	}
	if got, want := peopleToName(got), []string{"users/adam", "users/ines", "users/ivan", "users/omar", "users/rita"}; !cmp.Equal(got, want) {
		t.Errorf("peopleToName = %v, want %v", got, want)
	}
	if got := collectDigests(nil); len(got) != 0 {
		t.Errorf("collectDigests(nil) = %v, want none", got)
	}
}

func TestRenderDigest(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d := &digest{User: "users/ivan",
		Own: []lateInterview{
			{Interview: "candidates/c1/interviews/i1", Candidate: "candidates/c1", CandidateName: "Ada <b>L.</b>", Interviewer: "users/ivan", At: at},
			{Interview: "candidates/c2/interviews/i9", Candidate: "candidates/c2", CandidateName: "Grace H.", Interviewer: "users/ivan", At: at},
		},
		Team: []lateInterview{{Interview: "candidates/c3/interviews/i2", Candidate: "candidates/c3", CandidateName: "Hedy L.", Interviewer: "users/omar", At: at}},
	}
	names := map[string]string{"users/omar": "Omar Haddad"}
	m, err := renderDigest(d, contact{DisplayName: "Ivan Petrov", Email: "ivan@example.com"}, names, "https://ys.example.com/", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "ivan@example.com" || m.Subject != "2 scorecards to submit, 1 overdue to follow up" {
		t.Errorf("renderDigest: to %q, subject %q", m.To, m.Subject)
	}
	for _, want := range []string{
		"Hello Ivan Petrov,",
		"Ada <b>L.</b>, interviewed Mon 30 Nov 2026, 09:00 UTC\n  https://ys.example.com/interviews/c1/i1\n",
		"https://ys.example.com/interviews/c2/i9",
		"Hedy L.: Omar Haddad's scorecard, interviewed Mon 30 Nov 2026, 09:00 UTC\n  https://ys.example.com/candidates/c3\n",
		"overdue 24 hours after its interview",
		"PATCH https://ys.example.com/v1/users/ivan/reminderSettings",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("renderDigest: the text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{
		`<a href="https://ys.example.com/interviews/c1/i1">Ada &lt;b&gt;L.&lt;/b&gt;</a>`,
		`<a href="https://ys.example.com/candidates/c3">Hedy L.</a>: Omar Haddad’s scorecard`,
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("renderDigest: the HTML lacks %q:\n%s", want, m.HTML)
		}
	}
}

func TestDigestSubject(t *testing.T) {
	late := lateInterview{}
	for _, c := range []struct {
		own, team int
		want      string
	}{
		{1, 0, "1 scorecard to submit"},
		{2, 0, "2 scorecards to submit"},
		{0, 1, "1 overdue scorecard to follow up"},
		{0, 3, "3 overdue scorecards to follow up"},
		{1, 1, "1 scorecard to submit, 1 overdue to follow up"},
	} {
		d := &digest{}
		for range c.own {
			d.Own = append(d.Own, late)
		}
		for range c.team {
			d.Team = append(d.Team, late)
		}
		if got := digestSubject(d); got != c.want {
			t.Errorf("digestSubject(%d own, %d team) = %q, want %q", c.own, c.team, got, c.want)
		}
	}
}
