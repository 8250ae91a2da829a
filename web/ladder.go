package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The ladder explorer: every signed-in person reads what each level expects
// and what changes at the next one. The URL is the whole state (framework,
// track, levels), so every view can be bookmarked, shared and printed. The
// pages read whatever the API returns: published snapshots for most people,
// drafts for admins.

func (a *App) routesLadder() {
	a.mux.HandleFunc("GET /ladder", a.page(a.ladderIndex))
	a.mux.HandleFunc("GET /ladder/{framework}", a.page(a.ladderGrid))
	a.mux.HandleFunc("GET /ladder/{framework}/compare", a.page(a.ladderCompare))
}

// ladderMaxListPages bounds the pages a list follows: a page shows a few dozen
// frameworks or rubrics, never an unbounded crawl.
const ladderMaxListPages = 10

// ladderFrameworks reads every framework the user may see.
func (a *App) ladderFrameworks(ctx context.Context) ([]*ladderv1.Framework, error) {
	return listAll(func(token string) ([]*ladderv1.Framework, string, error) {
		resp, err := a.ladder.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 100, PageToken: token})
		return resp.GetFrameworks(), resp.GetNextPageToken(), err
	})
}

// listAll reads a list page after page, at most ladderMaxListPages of them.
func listAll[T any](page func(token string) (items []T, next string, err error)) ([]T, error) {
	var all []T
	token := ""
	for range ladderMaxListPages {
		items, next, err := page(token)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if token = next; token == "" {
			break
		}
	}
	return all, nil
}

// ladderFrameworkID is the last part of a framework's resource name.
func ladderFrameworkID(name string) string { return strings.TrimPrefix(name, "frameworks/") }

type ladderIndexData struct {
	Frameworks []ladderFrameworkEntry
}

// ladderFrameworkEntry is a framework with its ID, for links.
type ladderFrameworkEntry struct {
	ID string
	*ladderv1.Framework
}

// ladderIndex lists the frameworks and their tracks. Its form picks one
// with a GET, answered with a redirect to the grid's own URL.
func (a *App) ladderIndex(w http.ResponseWriter, r *http.Request, s *session) {
	if show := r.URL.Query().Get("show"); show != "" {
		fw, track, _ := strings.Cut(show, "/")
		http.Redirect(w, r, ladderGridURL(fw, track), http.StatusSeeOther)
		return
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	// An engineer with a place on a ladder opens it at their own level,
	// beside the next one; ?all lists every framework.
	if r.URL.Query().Get("all") == "" {
		if me := a.people.lookup(ctx, s.user).user(s.user); me.GetFramework() != "" && me.GetTrack() != "" && me.GetLevel() != "" {
			http.Redirect(w, r, ladderCompareURL(ladderFrameworkID(me.GetFramework()), me.GetTrack(), me.GetLevel(), "", ""), http.StatusSeeOther)
			return
		}
	}
	fws, err := a.ladderFrameworks(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var d ladderIndexData
	for _, f := range fws {
		d.Frameworks = append(d.Frameworks, ladderFrameworkEntry{ID: ladderFrameworkID(f.GetName()), Framework: f})
	}
	a.render(w, s, http.StatusOK, "ladder", "Career ladder", d)
}

func ladderGridURL(framework, track string) string {
	u := "/ladder/" + url.PathEscape(framework)
	if track != "" {
		u += "?track=" + url.QueryEscape(track)
	}
	return u
}

// ladderGridData is the levels × competencies grid of one track.
type ladderGridData struct {
	ID        string
	Framework *ladderv1.Framework
	Track     *ladderv1.Track
	Rows      []ladderGridRow
	Compare   ladderCompareForm
}

// ladderGridRow is one competency across the levels of the track.
type ladderGridRow struct {
	Competency *ladderv1.Competency
	Cells      []*ladderv1.Expectation // one per level, nil where it expects nothing
}

func (a *App) ladderGrid(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("framework")
	ctx, cancel := a.call(r, s)
	defer cancel()
	fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/" + id})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	track := ladderTrack(fw, r.URL.Query().Get("track"))
	if track == nil {
		a.fail(w, s, apiError{status: http.StatusNotFound, message: "This framework has no such track."})
		return
	}
	d := ladderGridData{ID: id, Framework: fw, Track: track, Compare: newLadderCompareForm(id, fw, track, "", "", "")}
	for _, c := range fw.GetCompetencies() {
		row := ladderGridRow{Competency: c}
		for _, l := range track.GetLevels() {
			row.Cells = append(row.Cells, ladderExpectation(l, c.GetId()))
		}
		d.Rows = append(d.Rows, row)
	}
	a.render(w, s, http.StatusOK, "ladder_grid", fw.GetTitle()+": "+track.GetTitle(), d)
}

// ladderTrack is the track with an ID, or the first track when id is empty.
func ladderTrack(fw *ladderv1.Framework, id string) *ladderv1.Track {
	for _, t := range fw.GetTracks() {
		if id == "" || t.GetId() == id {
			return t
		}
	}
	return nil
}

func ladderExpectation(l *ladderv1.Level, competency string) *ladderv1.Expectation {
	for _, e := range l.GetExpectations() {
		if e.GetCompetency() == competency {
			return e
		}
	}
	return nil
}

func ladderHasLevel(t *ladderv1.Track, level string) bool {
	for _, l := range t.GetLevels() {
		if l.GetId() == level {
			return true
		}
	}
	return false
}

// ladderNextLevel is the level after one in its track, "" at the top.
func ladderNextLevel(t *ladderv1.Track, level string) string {
	levels := t.GetLevels()
	for i, l := range levels {
		if l.GetId() == level && i+1 < len(levels) {
			return levels[i+1].GetId()
		}
	}
	return ""
}

// ladderCompareForm is the "compare my level with the next" form. Without
// JavaScript one select cannot follow another, so "the next level" is an
// option of its own (the default): the server works it out.
type ladderCompareForm struct {
	Action  string
	Track   string
	Levels  []*ladderv1.Level // of Track, for "from"
	From    string
	To      string // "track/level" of the selected target, "" for the next level
	Targets []*ladderv1.Track
}

func newLadderCompareForm(id string, fw *ladderv1.Framework, track *ladderv1.Track, from, toTrack, to string) ladderCompareForm {
	f := ladderCompareForm{
		Action: "/ladder/" + url.PathEscape(id) + "/compare", Track: track.GetId(), Levels: track.GetLevels(),
		From: from, Targets: fw.GetTracks(),
	}
	if to != "" {
		f.To = toTrack + "/" + to
	}
	return f
}

// ladderCompareData is what changes between two levels.
type ladderCompareData struct {
	ID        string
	Framework *ladderv1.Framework
	Track     *ladderv1.Track
	Top       string // set when "the next level" was asked of the top level
	From, To  *ladderv1.LevelRef
	Changes   []ladderChange
	Same      []string // titles of the competencies both levels expect the same of
	Compare   ladderCompareForm
	GridURL   string
}

// ladderChange is one competency whose expectation differs.
type ladderChange struct {
	Title    string
	Kind     string // changed, added or dropped
	From, To *ladderv1.Expectation
}

var ladderDifferenceKinds = map[ladderv1.CompetencyComparison_Difference]string{
	ladderv1.CompetencyComparison_DIFFERENCE_CHANGED: "changed",
	ladderv1.CompetencyComparison_DIFFERENCE_ADDED:   "new at this level",
	ladderv1.CompetencyComparison_DIFFERENCE_DROPPED: "no longer expected",
}

func (a *App) ladderCompare(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("framework")
	q := r.URL.Query()
	trackID, from, to, toTrack := q.Get("track"), q.Get("from"), q.Get("to"), q.Get("to_track")
	// The form sends "track/level" targets, or none for the next level: its
	// answer is a redirect to the explicit URL, so that what is bookmarked
	// keeps meaning the same two levels.
	if t, l, ok := strings.Cut(to, "/"); ok {
		toTrack, to = t, l
		http.Redirect(w, r, ladderCompareURL(id, trackID, from, toTrack, to), http.StatusSeeOther)
		return
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/" + id})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	track := ladderTrack(fw, trackID)
	if track == nil {
		a.fail(w, s, apiError{status: http.StatusNotFound, message: "This framework has no such track."})
		return
	}
	if from == "" && len(track.GetLevels()) > 0 {
		from = track.GetLevels()[0].GetId()
	}
	if !ladderHasLevel(track, from) {
		a.fail(w, s, apiError{status: http.StatusNotFound, message: "This track has no such level."})
		return
	}
	d := ladderCompareData{ID: id, Framework: fw, Track: track, GridURL: ladderGridURL(id, track.GetId())}
	if to == "" {
		if to = ladderNextLevel(track, from); to != "" {
			http.Redirect(w, r, ladderCompareURL(id, track.GetId(), from, "", to), http.StatusSeeOther)
			return
		}
		d.Top = from
		d.Compare = newLadderCompareForm(id, fw, track, from, "", "")
		a.render(w, s, http.StatusOK, "ladder_compare", "Compare levels", d)
		return
	}
	if toTrack == "" {
		toTrack = track.GetId()
	}
	d.Compare = newLadderCompareForm(id, fw, track, from, toTrack, to)
	resp, err := a.ladder.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{
		Name: fw.GetName(), Track: track.GetId(), FromLevel: from, ToLevel: to, ToTrack: toTrack,
	})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d.From, d.To = resp.GetFrom(), resp.GetTo()
	for _, c := range resp.GetCompetencies() {
		if kind, ok := ladderDifferenceKinds[c.GetDifference()]; ok {
			d.Changes = append(d.Changes, ladderChange{Title: c.GetTitle(), Kind: kind, From: c.GetFrom(), To: c.GetTo()})
		} else if c.GetDifference() == ladderv1.CompetencyComparison_DIFFERENCE_UNCHANGED {
			d.Same = append(d.Same, c.GetTitle())
		}
	}
	a.render(w, s, http.StatusOK, "ladder_compare", d.From.GetTitle()+" → "+d.To.GetTitle(), d)
}

func ladderCompareURL(id, track, from, toTrack, to string) string {
	q := url.Values{"track": {track}, "from": {from}, "to": {to}}
	if toTrack != "" && toTrack != track {
		q.Set("to_track", toTrack)
	}
	return "/ladder/" + url.PathEscape(id) + "/compare?" + q.Encode()
}
