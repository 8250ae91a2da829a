package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Growth against the ladder: an engineer's assessments, one per review
// cycle, written on a form of their level's and the next level's
// expectations; their manager's review on the same page; and the gaps
// that remain. Who sees what is the API's answer (the engineer, their
// manager, admins): the pages show what they get.

func (a *App) routesGrowth() {
	a.mux.HandleFunc("GET /growth", a.page(a.growthIndex))
	a.mux.HandleFunc("POST /growth", a.form(a.growthCreate))
	a.mux.HandleFunc("GET /growth/{user}/{cycle}", a.page(a.growthPage))
	a.mux.HandleFunc("POST /growth/{user}/{cycle}", a.form(a.growthPost))
}

type growthIndexData struct {
	Mine    []growthRow
	Reports []growthReport
	Cycle   string
	Errors  adminErrors
}

type growthRow struct {
	Href, Cycle, State, Level string
}

type growthReport struct {
	Name        string
	Assessments []growthRow
}

var growthStates = map[ladderv1.Assessment_State]string{
	ladderv1.Assessment_STATE_DRAFT: "draft", ladderv1.Assessment_STATE_SUBMITTED: "submitted, waiting for the review",
	ladderv1.Assessment_STATE_REVIEWED: "reviewed",
}

func growthURL(name string) string {
	owner, cycle, _ := strings.Cut(name, "/assessments/")
	return "/growth/" + url.PathEscape(strings.TrimPrefix(owner, "users/")) + "/" + url.PathEscape(cycle)
}

func (a *App) growthRows(ctx context.Context, parent string) ([]growthRow, error) {
	resp, err := a.ladder.ListAssessments(ctx, &ladderv1.ListAssessmentsRequest{Parent: parent})
	if err != nil {
		return nil, err
	}
	var out []growthRow
	for _, as := range resp.GetAssessments() {
		_, cycle, _ := strings.Cut(as.GetName(), "/assessments/")
		out = append(out, growthRow{Href: growthURL(as.GetName()), Cycle: cycle, State: growthStates[as.GetState()], Level: readableID(as.GetLevel())})
	}
	return out, nil
}

// growthIndex lists the caller's assessments, and their reports'.
func (a *App) growthIndex(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderGrowthIndex(w, r, s, http.StatusOK, growthIndexData{})
}

func (a *App) renderGrowthIndex(w http.ResponseWriter, r *http.Request, s *session, status int, d growthIndexData) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	var err error
	if d.Mine, err = a.growthRows(ctx, "users/me"); err != nil {
		a.failErr(w, s, err)
		return
	}
	users, byName, err := a.everyone(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	for _, u := range users {
		if u.GetManager() != s.user {
			continue
		}
		rows, err := a.growthRows(ctx, u.GetName())
		if err != nil {
			a.failErr(w, s, err)
			return
		}
		d.Reports = append(d.Reports, growthReport{Name: byName.of(u.GetName()), Assessments: rows})
	}
	sort.Slice(d.Reports, func(i, j int) bool { return d.Reports[i].Name < d.Reports[j].Name })
	a.render(w, s, status, "growth", "Growth", d)
}

// growthCreate starts the caller's assessment of a cycle.
func (a *App) growthCreate(w http.ResponseWriter, r *http.Request, s *session) {
	cycle := strings.TrimSpace(r.PostFormValue("cycle"))
	ctx, cancel := a.call(r, s)
	defer cancel()
	as, err := a.ladder.CreateAssessment(ctx, &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: cycle})
	if err != nil {
		d := growthIndexData{Cycle: cycle}
		var status int
		d.Errors, status = adminErrorsOf(err)
		a.renderGrowthIndex(w, r, s, status, d)
		return
	}
	http.Redirect(w, r, growthURL(as.GetName()), http.StatusSeeOther)
}

// growthData is one assessment's page.
type growthData struct {
	Href, Person, Cycle, State string
	Etag                       string
	Level, NextLevel           string // titles
	Levels                     []growthLevel
	Gaps                       []growthEntry
	Reviewed, Writes, Reviews  bool
	Reviewer                   string
	Errors                     adminErrors
}

type growthLevel struct {
	Title   string
	Entries []growthEntry
}

type growthEntry struct {
	Key                       string // form field suffix: {level}.{competency}
	Competency, Expectation   string
	Rating, ManagerRating     string // words
	RatingValue, ManagerValue string // enum names, for the forms
	Evidence                  []string
	EvidenceText              string
	Review, ReviewValue, Note string
}

var ratingWords = map[ladderv1.AssessmentEntry_Rating]string{
	ladderv1.AssessmentEntry_RATING_NOT_YET: "not yet", ladderv1.AssessmentEntry_RATING_MEETING: "meeting it",
	ladderv1.AssessmentEntry_RATING_EXCEEDING: "exceeding it",
}

// Choices lists the ratings for the forms.
func (growthEntry) Choices() []roleOption {
	return []roleOption{{ID: "RATING_NOT_YET", Title: "Not yet"}, {ID: "RATING_MEETING", Title: "Meeting"}, {ID: "RATING_EXCEEDING", Title: "Exceeding"}}
}

func (a *App) growthPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderGrowth(w, r, s, http.StatusOK, adminErrors{})
}

func (a *App) renderGrowth(w http.ResponseWriter, r *http.Request, s *session, status int, errs adminErrors) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	owner := "users/" + r.PathValue("user")
	name := owner + "/assessments/" + r.PathValue("cycle")
	as, err := a.ladder.GetAssessment(ctx, &ladderv1.GetAssessmentRequest{Name: name})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	gaps, err := a.ladder.GetGapReport(ctx, &ladderv1.GetGapReportRequest{Assessment: name})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	levelTitles, compTitles := map[string]string{}, map[string]string{}
	if rev, err := a.ladder.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: as.GetFrameworkRevision()}); err == nil {
		for _, c := range rev.GetSnapshot().GetCompetencies() {
			compTitles[c.GetId()] = c.GetTitle()
		}
		for _, t := range rev.GetSnapshot().GetTracks() {
			if t.GetId() == as.GetTrack() {
				for _, l := range t.GetLevels() {
					levelTitles[l.GetId()] = l.GetTitle()
				}
			}
		}
	} // else: the IDs made readable
	title := func(m map[string]string, id string) string {
		if m[id] != "" {
			return m[id]
		}
		return readableID(id)
	}
	people := a.people.lookup(ctx, owner, as.GetReviewer())
	d := growthData{
		Href: growthURL(name), Person: people.of(owner), Cycle: r.PathValue("cycle"), State: growthStates[as.GetState()], Etag: as.GetEtag(),
		Level: title(levelTitles, as.GetLevel()), NextLevel: title(levelTitles, as.GetNextLevel()), Reviewed: gaps.GetReviewed(),
		Writes:  owner == s.user && as.GetState() == ladderv1.Assessment_STATE_DRAFT,
		Reviews: owner != s.user && as.GetState() == ladderv1.Assessment_STATE_SUBMITTED && a.managerOf(ctx, owner) == s.user,
		Errors:  errs,
	}
	if as.GetReviewer() != "" {
		d.Reviewer = people.of(as.GetReviewer())
	}
	entry := func(e *ladderv1.AssessmentEntry) growthEntry {
		g := growthEntry{
			Key: e.GetLevel() + "." + e.GetCompetency(), Competency: title(compTitles, e.GetCompetency()), Expectation: e.GetExpectation(),
			Rating: ratingWords[e.GetRating()], RatingValue: e.GetRating().String(), Evidence: e.GetEvidence(),
			EvidenceText: strings.Join(e.GetEvidence(), "\n"), Note: e.GetManagerNote(), ReviewValue: e.GetReview().String(),
			ManagerValue: e.GetManagerRating().String(),
		}
		switch e.GetReview() {
		case ladderv1.AssessmentEntry_REVIEW_AGREE:
			g.Review = "agrees"
		case ladderv1.AssessmentEntry_REVIEW_DIFFER:
			g.Review, g.ManagerRating = "differs", ratingWords[e.GetManagerRating()]
		}
		return g
	}
	for _, e := range as.GetEntries() {
		lt := title(levelTitles, e.GetLevel())
		if len(d.Levels) == 0 || d.Levels[len(d.Levels)-1].Title != lt {
			d.Levels = append(d.Levels, growthLevel{Title: lt})
		}
		d.Levels[len(d.Levels)-1].Entries = append(d.Levels[len(d.Levels)-1].Entries, entry(e))
	}
	for _, e := range gaps.GetGaps() {
		g := entry(e)
		g.Competency += " (" + title(levelTitles, e.GetLevel()) + ")"
		d.Gaps = append(d.Gaps, g)
	}
	a.render(w, s, status, "growth_assessment", "Growth: "+d.Person+", "+d.Cycle, d)
}

// managerOf is a person's manager in the directory, "" when unknown.
func (a *App) managerOf(ctx context.Context, user string) string {
	u, err := a.ladder.GetUser(ctx, &ladderv1.GetUserRequest{Name: user})
	if err != nil {
		return ""
	}
	return u.GetManager()
}

// growthPost saves or submits the engineer's ratings, or records the
// manager's review, then shows the page again.
func (a *App) growthPost(w http.ResponseWriter, r *http.Request, s *session) {
	name := "users/" + r.PathValue("user") + "/assessments/" + r.PathValue("cycle")
	ctx, cancel := a.call(r, s)
	defer cancel()
	f := r.PostForm
	keys := f["key"] // one hidden "{level}.{competency}" per entry
	var err error
	var flash string
	switch f.Get("action") {
	case "review":
		req := &ladderv1.ReviewAssessmentRequest{Name: name, Etag: f.Get("etag")}
		for _, k := range keys {
			level, comp, _ := strings.Cut(k, ".")
			req.Entries = append(req.Entries, &ladderv1.AssessmentEntry{Level: level, Competency: comp,
				Review:        ladderv1.AssessmentEntry_Review(ladderv1.AssessmentEntry_Review_value[f.Get("review-"+k)]),
				ManagerRating: ladderv1.AssessmentEntry_Rating(ladderv1.AssessmentEntry_Rating_value[f.Get("mrating-"+k)]),
				ManagerNote:   strings.TrimSpace(f.Get("note-" + k))})
		}
		_, err = a.ladder.ReviewAssessment(ctx, req)
		flash = "Review recorded."
	default:
		in := &ladderv1.Assessment{Name: name, Etag: f.Get("etag")}
		for _, k := range keys {
			level, comp, _ := strings.Cut(k, ".")
			var evidence []string
			for _, line := range strings.Split(adminText(f.Get("evidence-"+k)), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					evidence = append(evidence, line)
				}
			}
			in.Entries = append(in.Entries, &ladderv1.AssessmentEntry{Level: level, Competency: comp, Evidence: evidence,
				Rating: ladderv1.AssessmentEntry_Rating(ladderv1.AssessmentEntry_Rating_value[f.Get("rating-"+k)])})
		}
		var saved *ladderv1.Assessment
		saved, err = a.ladder.UpdateAssessment(ctx, &ladderv1.UpdateAssessmentRequest{Assessment: in})
		flash = "Saved."
		if err == nil && f.Get("action") == "submit" {
			_, err = a.ladder.SubmitAssessment(ctx, &ladderv1.SubmitAssessmentRequest{Name: name, Etag: saved.GetEtag()})
			flash = "Submitted: your manager reviews it next."
		}
	}
	if err != nil {
		errs, status := adminErrorsOf(err)
		a.renderGrowth(w, r, s, status, errs)
		return
	}
	http.Redirect(w, r, a.flashURL(growthURL(name), flash), http.StatusSeeOther)
}
