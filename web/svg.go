package web

import (
	"html"
	"math"
	"strconv"
	"strings"
)

// The debrief pages' charts: pure functions from numbers to SVG text,
// written by the server so that they need no script and no external file.
// Every chart is an image with a name (role="img", aria-label, <title>) and
// a description (<desc>); the page puts the same numbers in a table beside
// it, because a chart alone is not accessible. Every text that reaches the
// SVG is escaped (labels are interviewer and candidate names, which users
// choose). Presentation attributes (fill, stroke) rather than style
// attributes keep the charts within the strict Content-Security-Policy.

// chartText is what a chart says in words.
type chartText struct {
	Title string // the chart's name: its <title> and aria-label
	Desc  string // what it shows, and where the numbers are in a table
	Axis  string // the horizontal axis' title
}

// intervalRow is one row of an interval chart: a point estimate with its
// interval. Muted rows (for example an estimate that is not used) are drawn
// in grey with a dashed line.
type intervalRow struct {
	Label             string
	Value, Low, High  float64
	Muted             bool
	ValueText, Detail string // the value as shown, and a short note after it
}

// shiftRow is one row of a shift chart: a score before and after a
// correction.
type shiftRow struct {
	Label    string
	From, To float64
}

// Layout. The chart reflows rather than scales: it has no viewBox, so a
// user unit is a CSS pixel and its text keeps its size (13 px, legible on a
// 390-pixel phone as on a desktop); it is as wide as its box (width 100%),
// and positions across it are percentages of that width. Each row is a
// line of text (the label on the left, the value on the right) above its
// plot line; the axis is below the rows. Heights are in pixels.
const (
	chartPlotLo = 3.0  // where the plot starts, in % of the width
	chartPlotHi = 97.0 // and where it ends: room for the marks' ends
	chartRowH   = 40   // a row: its text line, then its plot line
	chartTextY  = 14   // the baseline of a row's text, from the row's top
	chartPlotY  = 29   // the row's plot line, from the row's top
	chartTop    = 4
	chartAxisH  = 46 // tick labels and the axis title
	chartFont   = `font-family="system-ui, -apple-system, sans-serif" font-size="13"`
	inkColour   = "#1d2733"
	mutedColour = "#8a94a0"
	lineColour  = "#d5dbe2"
	mainColour  = "#1b5fad"
	warnColour  = "#a4461a"
)

// intervalChart draws one row per estimate: its 95 % interval as a line,
// the estimate as a dot, and a line at zero. The axis always includes
// zero, so a row of negative values still shows which side of zero it is.
// No rows, no chart.
func intervalChart(t chartText, rows []intervalRow) string {
	if len(rows) == 0 {
		return ""
	}
	var vals []float64
	for _, r := range rows {
		vals = append(vals, r.Value, r.Low, r.High)
	}
	d := chartNiceDomain(append(vals, 0)...)
	var b strings.Builder
	height := chartOpen(&b, t, len(rows))
	chartAxis(&b, d, height, true, t.Axis)
	for i, r := range rows {
		top := chartTop + i*chartRowH
		y := top + chartPlotY
		colour, dash := mainColour, ""
		if r.Muted {
			colour, dash = mutedColour, ` stroke-dasharray="4 3"`
		}
		text := r.ValueText
		if text == "" {
			text = chartSigned(r.Value)
		}
		if r.Detail != "" {
			text += " " + r.Detail
		}
		chartRowText(&b, r.Label, text, top)
		lo, hi := d.x(chartFinite(r.Low)), d.x(chartFinite(r.High))
		b.WriteString(`<line x1="` + chartCoord(lo) + `" y1="` + strconv.Itoa(y) + `" x2="` + chartCoord(hi) + `" y2="` + strconv.Itoa(y) +
			`" stroke="` + colour + `" stroke-width="2"` + dash + `/>`)
		for _, x := range []float64{lo, hi} { // the interval's ends
			b.WriteString(`<line x1="` + chartCoord(x) + `" y1="` + strconv.Itoa(y-5) + `" x2="` + chartCoord(x) + `" y2="` + strconv.Itoa(y+5) +
				`" stroke="` + colour + `" stroke-width="2"/>`)
		}
		b.WriteString(`<circle cx="` + chartCoord(d.x(chartFinite(r.Value))) + `" cy="` + strconv.Itoa(y) + `" r="5" fill="` + colour + `"/>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// shiftChart draws one row per score: an arrow from the raw score to the
// corrected one, so that the size and direction of each correction show at
// a glance.
func shiftChart(t chartText, rows []shiftRow) string {
	if len(rows) == 0 {
		return ""
	}
	var vals []float64
	for _, r := range rows {
		vals = append(vals, r.From, r.To)
	}
	d := chartNiceDomain(vals...)
	var b strings.Builder
	height := chartOpen(&b, t, len(rows))
	b.WriteString(`<defs><marker id="shift-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
		`<path d="M0,0 L10,5 L0,10 z" fill="` + mainColour + `"/></marker></defs>`)
	chartAxis(&b, d, height, false, t.Axis)
	for i, r := range rows {
		top := chartTop + i*chartRowH
		y := strconv.Itoa(top + chartPlotY)
		chartRowText(&b, r.Label, chartNum(r.From)+" → "+chartNum(r.To), top)
		from, to := d.x(chartFinite(r.From)), d.x(chartFinite(r.To))
		b.WriteString(`<circle cx="` + chartCoord(from) + `" cy="` + y + `" r="4" fill="#fff" stroke="` + warnColour + `" stroke-width="2"/>`)
		if math.Abs(to-from) >= 0.2 { // an arrow shorter than a pixel or so has no room for its head
			b.WriteString(`<line x1="` + chartCoord(from) + `" y1="` + y + `" x2="` + chartCoord(to) + `" y2="` + y +
				`" stroke="` + mainColour + `" stroke-width="2" marker-end="url(#shift-arrow)"/>`)
		} else {
			b.WriteString(`<circle cx="` + chartCoord(to) + `" cy="` + y + `" r="3" fill="` + mainColour + `"/>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// chartOpen writes the <svg> element with its accessible name and
// description, and returns the chart's height.
func chartOpen(b *strings.Builder, t chartText, rows int) int {
	height := chartTop + rows*chartRowH + chartAxisH
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" height="` + strconv.Itoa(height) +
		`" aria-label="` + chartEsc(t.Title) + `" ` + chartFont + `>`)
	b.WriteString(`<title>` + chartEsc(t.Title) + `</title><desc>` + chartEsc(t.Desc) + `</desc>`)
	return height
}

// chartAxis writes the gridlines, the tick labels, the axis title, and the
// zero line when asked and in range.
func chartAxis(b *strings.Builder, d chartDomain, height int, zero bool, title string) {
	bottom := height - chartAxisH
	ticks := d.ticks()
	for i, v := range ticks {
		x := chartCoord(d.x(v))
		// The end ticks' labels start or end at the tick, inside the chart.
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(ticks) - 1:
			anchor = "end"
		}
		b.WriteString(`<line x1="` + x + `" y1="` + strconv.Itoa(chartTop) + `" x2="` + x + `" y2="` + strconv.Itoa(bottom) + `" stroke="` + lineColour + `"/>`)
		b.WriteString(`<text x="` + x + `" y="` + strconv.Itoa(bottom+16) + `" text-anchor="` + anchor + `" fill="` + inkColour + `">` + chartEsc(chartTick(v, d.step)) + `</text>`)
	}
	if zero && d.lo <= 0 && d.hi >= 0 {
		x := chartCoord(d.x(0))
		b.WriteString(`<line x1="` + x + `" y1="` + strconv.Itoa(chartTop-4) + `" x2="` + x + `" y2="` + strconv.Itoa(bottom) +
			`" stroke="` + inkColour + `" stroke-width="1.5" stroke-dasharray="3 3"/>`)
	}
	b.WriteString(`<text x="50%" y="` + strconv.Itoa(bottom+36) + `" text-anchor="middle" fill="` + inkColour + `">` +
		chartEsc(title) + `</text>`)
}

// chartRowText writes a row's line of text: its label on the left, cut to
// leave room on a phone, and its value on the right.
func chartRowText(b *strings.Builder, label, value string, top int) {
	if r := []rune(label); len(r) > 22 {
		label = string(r[:21]) + "…"
	}
	y := strconv.Itoa(top + chartTextY)
	b.WriteString(`<text x="0" y="` + y + `" fill="` + inkColour + `">` + chartEsc(label) + `</text>`)
	b.WriteString(`<text x="100%" y="` + y + `" text-anchor="end" fill="` + inkColour + `">` + chartEsc(value) + `</text>`)
}

// chartDomain is the horizontal axis: from lo to hi, with ticks every step.
type chartDomain struct {
	lo, hi, step float64
}

// chartNiceDomain is the smallest axis with round ends and 3 to 8 round ticks
// that holds every value (non-finite values are ignored).
func chartNiceDomain(vals ...float64) chartDomain {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo > hi { // nothing finite
		lo, hi = 0, 1
	}
	if hi-lo < 0.5 { // a flat set of values still gets an axis to sit on
		mid := (lo + hi) / 2
		lo, hi = mid-0.25, mid+0.25
	}
	step := 0.0
	for _, s := range []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100} {
		step = s
		if (math.Ceil(hi/s)-math.Floor(lo/s))+1 <= 8 {
			break
		}
	}
	return chartDomain{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step, step: step}
}

// x is where a value sits across the plot, in % of the chart's width.
func (d chartDomain) x(v float64) float64 {
	return chartPlotLo + (v-d.lo)/(d.hi-d.lo)*(chartPlotHi-chartPlotLo)
}

func (d chartDomain) ticks() []float64 {
	var out []float64
	for i := 0; ; i++ {
		v := d.lo + float64(i)*d.step
		if v > d.hi+d.step/1000 {
			return out
		}
		out = append(out, math.Round(v/d.step)*d.step)
	}
}

func chartTick(v, step float64) string {
	if step >= 1 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// chartCoord writes a position across the chart, in % of its width.
func chartCoord(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

func chartFinite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func chartNum(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func chartSigned(v float64) string {
	if v > 0 {
		return "+" + chartNum(v)
	}
	return chartNum(v)
}

// chartEsc escapes text for SVG content and attribute values: html's
// escaping (& < > ' ") is also valid XML.
func chartEsc(s string) string { return html.EscapeString(s) }
