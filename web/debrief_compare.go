package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// compareData is candidates side by side as a heat map: a table whose
// cells carry the mean as text and a shade by band (the number is always
// there, so the shade is never the only carrier of the value).
type compareData struct {
	Role         string
	RoleTitle    string
	Names        string // the candidates asked for, as typed
	Roles        []roleOption
	Asked        bool // a comparison was asked for (else: the form only)
	Competencies []compareColumn
	Shared       string // the shared competencies' titles, when the ranking rests on fewer than all
	Rows         []compareRow
	Calibrated   bool // some row has a calibrated overall: the sort key
	Calibrations []compareCalibration
	Bands        []compareBand
}

type compareRow struct {
	ID, DisplayName string
	Scorecards      int
	Thin            bool // fewer scorecards than a ranking should rest on
	Cells           []compareCell
	Overall         compareCell
	Calibrated      compareCell
	HasCal          bool
	// Rank is the score the row is ranked by: over the shared
	// competencies, calibrated where the role has a report.
	Rank compareCell
}

// compareColumn is one competency of the heat map.
type compareColumn struct {
	Title  string
	Shared bool // every candidate was assessed on it: part of the ranking
}

// thinEvidence is how few scorecards mark a candidate's row: a ranking
// resting on one interviewer's view is one opinion.
const thinEvidence = 2

type compareCell struct {
	Text  string
	Band  string // a CSS class: band-0 (lowest) to band-4, or band-none
	Value float64
}

type compareCalibration struct {
	Role     string
	Applied  bool
	Note     string
	Computed debriefTime
}

// compareBand is one entry of the heat map's legend.
type compareBand struct {
	Class, Range string
}

// compareBands is how many shades the heat map uses.
const compareBands = 5

// comparePage compares the candidates named (?names=, repeated or comma
// separated) or every candidate of a role (?role=). With neither it shows
// the form, with the roles known as suggestions.
func (a *App) comparePage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := compareData{Role: strings.TrimSpace(q.Get("role")), Names: strings.Join(q["names"], ", ")}
	var names []string
	for _, v := range q["names"] {
		for _, n := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			names = append(names, debriefName(n))
		}
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	titles, err := a.roles(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d.Roles, d.RoleTitle = titles.options(d.Role), titles.of(d.Role)
	if len(names) == 0 && d.Role == "" {
		a.render(w, s, http.StatusOK, "compare", "Compare candidates", d)
		return
	}
	d.Asked = true
	req := &feedbackv1.CompareCandidatesRequest{Names: names}
	if len(names) == 0 {
		req.Role = d.Role
	}
	resp, err := a.feedback.CompareCandidates(ctx, req)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	fillCompare(&d, resp, a.titlesFor(ctx, nil, nil), titles)
	title := "Compare candidates"
	if len(names) == 0 {
		title += ": " + d.RoleTitle
	}
	a.render(w, s, http.StatusOK, "compare", title, d)
}

func fillCompare(d *compareData, resp *feedbackv1.CompareCandidatesResponse, t titles, roles roleTitles) {
	shared := resp.GetSharedCompetencies()
	for _, c := range resp.GetCompetencies() {
		d.Competencies = append(d.Competencies, compareColumn{Title: t.competency(c), Shared: slices.Contains(shared, c)})
	}
	if len(shared) < len(resp.GetCompetencies()) && len(shared) > 0 {
		d.Shared = t.competencyList(shared)
	}
	// The bands split the range of the means shown: the shades say higher
	// or lower among these candidates, whatever the rubrics' scales.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range resp.GetCandidates() {
		for _, m := range c.GetCompetencyMeans() {
			lo, hi = math.Min(lo, m), math.Max(hi, m)
		}
	}
	band := func(v float64) string {
		if lo > hi {
			return "band-none"
		}
		if hi-lo < 1e-9 {
			return fmt.Sprintf("band-%d", compareBands/2)
		}
		b := int((v - lo) / (hi - lo) * compareBands)
		return fmt.Sprintf("band-%d", min(max(b, 0), compareBands-1))
	}
	if lo <= hi {
		for i := range compareBands {
			from := lo + (hi-lo)*float64(i)/compareBands
			to := lo + (hi-lo)*float64(i+1)/compareBands
			d.Bands = append(d.Bands, compareBand{Class: fmt.Sprintf("band-%d", i), Range: chartNum(from) + " to " + chartNum(to)})
		}
	}
	cell := func(v float64, ok bool) compareCell {
		if !ok {
			return compareCell{Text: "—", Band: "band-none", Value: math.NaN()}
		}
		return compareCell{Text: chartNum(v), Band: band(v), Value: v}
	}
	for _, c := range resp.GetCandidates() {
		row := compareRow{ID: debriefID(c.GetCandidate()), DisplayName: c.GetDisplayName(), Scorecards: int(c.GetScorecards())}
		row.Thin = row.Scorecards > 0 && row.Scorecards < thinEvidence
		for _, comp := range resp.GetCompetencies() {
			m, ok := c.GetCompetencyMeans()[comp]
			row.Cells = append(row.Cells, cell(m, ok))
		}
		row.Overall = cell(c.GetOverall(), c.GetScorecards() > 0)
		row.Overall.Band = ""
		if c.CalibratedOverall != nil {
			row.HasCal, d.Calibrated = true, true
			row.Calibrated = compareCell{Text: chartNum(c.GetCalibratedOverall()), Value: c.GetCalibratedOverall()}
		} else {
			row.Calibrated = compareCell{Text: "—", Value: math.NaN()}
		}
		switch {
		case c.CalibratedSharedOverall != nil:
			row.Rank = compareCell{Text: chartNum(c.GetCalibratedSharedOverall()), Value: c.GetCalibratedSharedOverall()}
		case c.SharedOverall != nil:
			row.Rank = compareCell{Text: chartNum(c.GetSharedOverall()), Value: c.GetSharedOverall()}
		case row.HasCal:
			row.Rank = row.Calibrated
		default:
			row.Rank = row.Overall
		}
		d.Rows = append(d.Rows, row)
	}
	sortCompare(d.Rows)
	for role, cal := range resp.GetCalibrations() {
		d.Calibrations = append(d.Calibrations, compareCalibration{
			Role: roles.of(role), Applied: cal.GetApplied(), Note: calibrationWords(cal.GetNote()), Computed: debriefTimeOf(cal.GetComputeTime()),
		})
	}
	sort.Slice(d.Calibrations, func(i, j int) bool { return d.Calibrations[i].Role < d.Calibrations[j].Role })
}

// sortCompare puts the best first, by each row's Rank (the shared
// competencies' score, calibrated where it can be); candidates with thin
// evidence after the others, and with no scorecards last; ties by name,
// so that the order is stable.
func sortCompare(rows []compareRow) {
	key := func(r compareRow) (int, float64) {
		switch {
		case r.Scorecards == 0:
			return 2, 0
		case r.Thin:
			return 1, r.Rank.Value
		}
		return 0, r.Rank.Value
	}
	sort.SliceStable(rows, func(i, j int) bool {
		gi, vi := key(rows[i])
		gj, vj := key(rows[j])
		if gi != gj {
			return gi < gj
		}
		if vi != vj {
			return vi > vj
		}
		return rows[i].ID < rows[j].ID
	})
}
