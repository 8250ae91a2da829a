package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The framework form editor: one track's levels × competencies, each cell
// the expectation's words, for admins who would rather not edit YAML.
// Levels, competencies, summaries and examples stay the YAML's to change;
// the grid keeps them as they are.

func (a *App) routesAdminGrid() {
	a.mux.HandleFunc("GET /admin/frameworks/{id}/grid", a.page(a.adminGridPage))
	a.mux.HandleFunc("POST /admin/frameworks/{id}/grid", a.form(a.adminGridSave))
}

// adminGridData is the grid of one track.
type adminGridData struct {
	ID, Title string
	Etag      string
	Tracks    []roleOption // reused: ID, title, selected
	Track     string
	Levels    []*ladderv1.Level
	Rows      []adminGridRow
	Errors    adminErrors
	Other     []string
}

type adminGridRow struct {
	Competency, Title string
	Cells             []adminGridCell
}

type adminGridCell struct {
	Name, HTMLID, Label, Value, Error string
}

func gridField(level, competency string) string { return "exp-" + level + "-" + competency }

func (a *App) loadGrid(ctx context.Context, id, track string) (adminGridData, *ladderv1.Framework, error) {
	fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/" + id})
	if err != nil {
		return adminGridData{}, nil, err
	}
	d := adminGridData{ID: id, Title: fw.GetTitle(), Etag: fw.GetEtag(), Track: track}
	var t *ladderv1.Track
	for _, tr := range fw.GetTracks() {
		if d.Track == "" {
			d.Track = tr.GetId()
		}
		if tr.GetId() == d.Track {
			t = tr
		}
		d.Tracks = append(d.Tracks, roleOption{ID: tr.GetId(), Title: tr.GetTitle(), Selected: tr.GetId() == d.Track})
	}
	if t == nil {
		return d, fw, apiError{status: http.StatusNotFound, message: "This framework has no such track."}
	}
	d.Levels = t.GetLevels()
	for ci, c := range fw.GetCompetencies() {
		row := adminGridRow{Competency: c.GetId(), Title: c.GetTitle()}
		for li, l := range t.GetLevels() {
			cell := adminGridCell{
				Name: gridField(l.GetId(), c.GetId()), HTMLID: fmt.Sprintf("cell-%d-%d", li, ci),
				Label: c.GetTitle() + " at " + l.GetTitle(),
			}
			if e := ladderExpectation(l, c.GetId()); e != nil {
				cell.Value = e.GetDescription()
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	return d, fw, nil
}

func (a *App) adminGridPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, _, err := a.loadGrid(ctx, r.PathValue("id"), r.URL.Query().Get("track"))
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "admin_grid", "Expectations: "+d.Title, d)
}

// adminGridSave writes the grid's cells into the draft's track: a cell
// with words sets the expectation (its examples kept), an empty one
// removes it. The etag is the one the grid was read at: a draft changed
// since is refused, the input kept.
func (a *App) adminGridSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, track, etag := r.PathValue("id"), r.PostFormValue("track"), r.PostFormValue("etag")
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, fw, err := a.loadGrid(ctx, id, track)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	for i := range d.Rows {
		for j := range d.Rows[i].Cells {
			d.Rows[i].Cells[j].Value = adminText(r.PostFormValue(d.Rows[i].Cells[j].Name))
		}
	}
	var trackIndex int
	for ti, t := range fw.GetTracks() {
		if t.GetId() != d.Track {
			continue
		}
		trackIndex = ti
		for _, l := range t.GetLevels() {
			var kept []*ladderv1.Expectation
			for _, c := range fw.GetCompetencies() {
				text := adminText(r.PostFormValue(gridField(l.GetId(), c.GetId())))
				e := ladderExpectation(l, c.GetId())
				switch {
				case text == "":
					continue
				case e == nil:
					e = &ladderv1.Expectation{Competency: c.GetId()}
				}
				e.Description = text
				kept = append(kept, e)
			}
			l.Expectations = kept
		}
	}
	_, err = a.ladder.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: fw.GetName(), Etag: etag, Tracks: fw.GetTracks()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tracks"}},
	})
	if err == nil {
		a.adminRedirect(w, r, "/admin/frameworks/"+url.PathEscape(id)+"/grid?track="+url.QueryEscape(d.Track), "Expectations saved to the draft.")
		return
	}
	errs, status := adminErrorsOf(err)
	d.Errors = errs
	if !errs.Conflict {
		d.Etag = etag // the fresh etag only once the user has seen what changed
	}
	d.placeErrors(errs.Fields, fw, trackIndex)
	a.render(w, s, status, "admin_grid", "Expectations: "+d.Title, d)
}

// gridErrorField reads the path of an expectation's error.
var gridErrorField = regexp.MustCompile(`^framework\.tracks\[(\d+)\]\.levels\[(\d+)\]\.expectations\[(\d+)\]`)

// placeErrors puts each error at its cell, or with the others.
func (d *adminGridData) placeErrors(fields map[string]string, fw *ladderv1.Framework, track int) {
	for field, msg := range fields {
		m := gridErrorField.FindStringSubmatch(field)
		if m == nil {
			d.Other = append(d.Other, msg)
			continue
		}
		ti, _ := strconv.Atoi(m[1])
		li, _ := strconv.Atoi(m[2])
		ei, _ := strconv.Atoi(m[3])
		placed := false
		if ti == track && li < len(d.Levels) {
			// The index is of the expectations as sent: the grid's
			// non-empty cells of that level, in competency order.
			n := -1
			for ri := range d.Rows {
				if d.Rows[ri].Cells[li].Value == "" {
					continue
				}
				if n++; n == ei {
					d.Rows[ri].Cells[li].Error, placed = msg, true
				}
			}
		}
		if !placed {
			d.Other = append(d.Other, msg)
		}
	}
}
