package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The interviewer's pages: their interviews, the scorecard of each, and
// where they stand among their peers. Everything shown comes from the
// feedback and rubric APIs called with the interviewer's own token, so
// "blind until submitted" and private notes hold here exactly as there.

func (a *App) routesInterviewer() {
	a.mux.HandleFunc("GET /interviews", a.page(a.interviews))
	a.mux.HandleFunc("GET /interviews/{candidate}/{interview}", a.page(a.scorecardPage))
	a.mux.HandleFunc("POST /interviews/{candidate}/{interview}", a.form(a.scorecardPost))
	a.mux.HandleFunc("GET /me/calibration", a.page(a.standing))
}

// interviewRow is one interview in the list.
type interviewRow struct {
	Href      string
	Candidate string
	When      string
	ISO       string // for <time datetime>
}

// interviewGroups are the interviewer's interviews by what they ask of
// them: prepare, fill in, or nothing more.
type interviewGroups struct {
	Upcoming, ToFill, Submitted []interviewRow
	Total                       int
	// Older is the next page's URL (earlier interviews), empty on the
	// last; Newest the first page's, when not on it.
	Older, Newest string
}

// interviews lists the signed-in user's own interviews across candidates.
func (a *App) interviews(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	token := r.URL.Query().Get("page_token")
	resp, err := a.feedback.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{
		Parent: "candidates/-", OrderBy: "scheduled_time desc", PageSize: interviewsPageSize, PageToken: token,
	})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	g := groupInterviews(resp.GetInterviews(), time.Now())
	if t := resp.GetNextPageToken(); t != "" {
		g.Older = "/interviews?" + url.Values{"page_token": {t}}.Encode()
	}
	if token != "" {
		g.Newest = "/interviews"
	}
	a.render(w, s, http.StatusOK, "interviews", "My interviews", g)
}

// interviewsPageSize is how many interviews a page of "my interviews"
// shows, latest first: the coming weeks' and the recent ones, which are
// the ones that ask something of the interviewer.
const interviewsPageSize = 50

// groupInterviews sorts interviews, latest first, into the three groups. A submitted
// scorecard settles an interview whenever it is scheduled; of the others,
// those still ahead are upcoming and the rest wait for their scorecard.
func groupInterviews(ivs []*feedbackv1.Interview, now time.Time) interviewGroups {
	var g interviewGroups
	for _, iv := range ivs {
		row := interviewRow{Href: scorecardHref(iv.GetName()), Candidate: iv.GetCandidateDisplayName()}
		if row.Candidate == "" {
			row.Candidate = strings.TrimPrefix(candidateOfName(iv.GetName()), "candidates/")
		}
		at := iv.GetScheduledTime()
		if at != nil {
			row.When, row.ISO = at.AsTime().UTC().Format("Mon 2 Jan 2006, 15:04 MST"), at.AsTime().UTC().Format(time.RFC3339)
		}
		switch {
		case iv.GetState() == feedbackv1.Interview_STATE_SUBMITTED:
			g.Submitted = append(g.Submitted, row)
		case at != nil && at.AsTime().After(now):
			g.Upcoming = append(g.Upcoming, row)
		default:
			g.ToFill = append(g.ToFill, row)
		}
		g.Total++
	}
	// The list comes latest first; the interviews ahead read soonest first.
	slices.Reverse(g.Upcoming)
	return g
}

// scorecardHref is the page of an interview's scorecard:
// candidates/{c}/interviews/{i} → /interviews/{c}/{i}.
func scorecardHref(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) != 4 {
		return "/interviews"
	}
	return "/interviews/" + parts[1] + "/" + parts[3]
}

// candidateOfName is the candidate of an interview's or scorecard's name.
func candidateOfName(name string) string {
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 {
		return name
	}
	return parts[0] + "/" + parts[1]
}
