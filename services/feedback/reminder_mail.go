package feedback

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/mailer"
)

// What a digest says, in plain text and in simple HTML: pure, without I/O.
// Links go to the web app's pages (web/interviewer.go: the interviewer's
// scorecard form at /interviews/{candidate}/{interview}; web/debrief.go: the
// candidate's debrief at /candidates/{candidate}). Times are in UTC: the
// directory knows no one's time zone.

// contact is what a digest needs of someone in the directory.
type contact struct {
	DisplayName string
	Email       string
	// Deactivated people get no email; others' digests still name them,
	// so that their interviews are handed to someone else.
	Deactivated bool
}

// mailLine is one overdue scorecard as a digest shows it.
type mailLine struct {
	Candidate   string
	Interviewer string // for the candidates followed: whose scorecard
	When        string
	Link        string
}

// mailView is what the templates fill in.
type mailView struct {
	Greeting  string
	Own, Team []mailLine
	After     string // how long after an interview a scorecard is overdue
	OptOut    string // the API call that turns the emails off
}

// renderDigest writes d to its recipient. names gives people's display
// names (a missing one shows by ID); publicURL is the web app's base URL.
func renderDigest(d *digest, to contact, names map[string]string, publicURL string, after time.Duration) (mailer.Message, error) {
	base := strings.TrimRight(publicURL, "/")
	v := mailView{Greeting: to.DisplayName, After: humanHours(after),
		OptOut: base + "/v1/" + reminderSettingsName(d.User)}
	if v.Greeting == "" {
		v.Greeting = displayName(d.User, names)
	}
	for _, iv := range d.Own {
		cand, id := splitInterview(iv.Interview)
		v.Own = append(v.Own, mailLine{Candidate: iv.CandidateName, When: mailTime(iv.At),
			Link: base + "/interviews/" + strings.TrimPrefix(cand, candidatesPrefix) + "/" + id})
	}
	for _, iv := range d.Team {
		v.Team = append(v.Team, mailLine{Candidate: iv.CandidateName, Interviewer: displayName(iv.Interviewer, names),
			When: mailTime(iv.At), Link: base + "/" + iv.Candidate})
	}
	var text, html strings.Builder
	if err := digestText.Execute(&text, v); err != nil {
		return mailer.Message{}, err
	}
	if err := digestHTML.Execute(&html, v); err != nil {
		return mailer.Message{}, err
	}
	return mailer.Message{To: to.Email, Subject: digestSubject(d), Text: text.String(), HTML: html.String()}, nil
}

// digestSubject says what to do, and how much of it.
func digestSubject(d *digest) string {
	own, team := len(d.Own), len(d.Team)
	switch {
	case team == 0:
		return plural(own, "scorecard") + " to submit"
	case own == 0:
		return plural(team, "overdue scorecard") + " to follow up"
	}
	return plural(own, "scorecard") + " to submit, " + fmt.Sprint(team) + " overdue to follow up"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// displayName is a person's name from the directory, or their ID.
func displayName(user string, names map[string]string) string {
	if n := names[user]; n != "" {
		return n
	}
	return strings.TrimPrefix(user, "users/")
}

func mailTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006, 15:04 UTC") }

func humanHours(d time.Duration) string {
	if h := d.Hours(); h == float64(int(h)) {
		return plural(int(h), "hour")
	}
	return d.String()
}

var digestText = texttemplate.Must(texttemplate.New("text").Parse(`Hello {{.Greeting}},
{{if .Own}}
Your scorecards for these interviews are overdue. Please fill them in while you remember the interview:
{{range .Own}}
  {{.Candidate}}, interviewed {{.When}}
  {{.Link}}
{{end}}{{end}}{{if .Team}}
These scorecards of your candidates are overdue:
{{range .Team}}
  {{.Candidate}}: {{.Interviewer}}'s scorecard, interviewed {{.When}}
  {{.Link}}
{{end}}{{end}}
A scorecard is overdue {{.After}} after its interview. You get this email at most once a day while
some are. To stop it, turn off email_reminders in your reminder settings:
PATCH {{.OptOut}} with {"email_reminders": false}
`))

var digestHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Overdue scorecards</title></head>
<body style="font-family: sans-serif; line-height: 1.4">
<p>Hello {{.Greeting}},</p>
{{if .Own}}<p>Your scorecards for these interviews are overdue. Please fill them in while you remember the interview:</p>
<ul>{{range .Own}}
<li><a href="{{.Link}}">{{.Candidate}}</a>, interviewed {{.When}}</li>{{end}}
</ul>{{end}}
{{if .Team}}<p>These scorecards of your candidates are overdue:</p>
<ul>{{range .Team}}
<li><a href="{{.Link}}">{{.Candidate}}</a>: {{.Interviewer}}’s scorecard, interviewed {{.When}}</li>{{end}}
</ul>{{end}}
<p style="color: #555">A scorecard is overdue {{.After}} after its interview. You get this email at most once a day while
some are. To stop it, turn off <code>email_reminders</code> in your reminder settings:
<code>PATCH {{.OptOut}}</code> with <code>{"email_reminders": false}</code>.</p>
</body></html>
`))
