package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// standingChart is one interviewer's leniency among their peers' as an
// SVG strip: the peers as dots on a horizontal axis in scale points, the
// interviewer as a highlighted marker with their 95 % interval as a bar.
// It is written from numbers and fixed words only, and names nobody: the
// API sends the peers' leniencies without names, and so does the chart.
type standingChart struct {
	Mine, Low, High float64
	Peers           []float64
	Label           string // what the chart shows, in words, for screen readers
}

// Chart geometry. Like the debrief charts (svg.go) it reflows rather than
// scales: no viewBox, so its text keeps its size on a phone; heights are in
// pixels, positions across it in % of its width.
const (
	standingHeight       = 160
	standingLeft         = 18.0 // % of the width: room for the row labels
	standingRight        = 95.0 // % of the width: where the axis ends
	standingSlot         = 3.0  // % of the width within which peers' dots stack
	standingPeersRow     = 50
	standingMineRow      = 88
	standingAxisRow      = 118
	standingDotRadius    = 5
	standingMarkerRadius = 8
)

// svg writes the chart. The result is safe to put in a page as is: every
// piece of text in it is escaped.
func (c standingChart) svg() template.HTML {
	lo, hi := c.domain()
	x := func(v float64) float64 {
		return standingLeft + (v-lo)/(hi-lo)*(standingRight-standingLeft)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="standing-chart" role="img" aria-label="%s" width="100%%" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(c.Label), standingHeight)
	b.WriteString(`<title>Your leniency among your peers'</title>`)
	fmt.Fprintf(&b, `<desc>%s</desc>`, html.EscapeString(c.Label))

	// The axis, its ticks, and zero: a typical interviewer.
	fmt.Fprintf(&b, `<line x1="%g%%" y1="%d" x2="%g%%" y2="%d" stroke="#5b6775" stroke-width="1"/>`, standingLeft, standingAxisRow, standingRight, standingAxisRow)
	step := 0.5
	if hi-lo > 4 {
		step = 1
	}
	for v := lo; v <= hi+1e-9; v += step {
		fmt.Fprintf(&b, `<line x1="%.2f%%" y1="%d" x2="%.2f%%" y2="%d" stroke="#5b6775"/>`, x(v), standingAxisRow, x(v), standingAxisRow+5)
		fmt.Fprintf(&b, `<text x="%.2f%%" y="%d" text-anchor="middle" font-size="12" fill="#1d2733">%s</text>`, x(v), standingAxisRow+19, standingTick(v))
	}
	fmt.Fprintf(&b, `<line x1="%.2f%%" y1="%d" x2="%.2f%%" y2="%d" stroke="#5b6775" stroke-dasharray="4 3"/>`, x(0), standingPeersRow-22, x(0), standingAxisRow)
	fmt.Fprintf(&b, `<text x="%g%%" y="%d" font-size="12" fill="#5b6775">← harsher</text>`, standingLeft, standingHeight-4)
	fmt.Fprintf(&b, `<text x="%g%%" y="%d" text-anchor="end" font-size="12" fill="#5b6775">more generous →</text>`, standingRight, standingHeight-4)

	// The peers: one dot each, stacked upwards where they would overlap.
	fmt.Fprintf(&b, `<text x="4" y="%d" font-size="13" fill="#1d2733">Peers</text>`, standingPeersRow+4)
	taken := map[int]int{}
	for _, p := range c.Peers {
		slot := int(math.Round(x(p) / standingSlot))
		fmt.Fprintf(&b, `<circle cx="%.2f%%" cy="%d" r="%d" fill="#8a96a3"/>`, x(p), standingPeersRow-taken[slot]*(2*standingDotRadius+1), standingDotRadius)
		taken[slot]++
	}

	// The interviewer: the interval as a bar, the estimate as a marker.
	fmt.Fprintf(&b, `<text x="4" y="%d" font-size="13" font-weight="700" fill="#1b5fad">You</text>`, standingMineRow+4)
	fmt.Fprintf(&b, `<line x1="%.2f%%" y1="%d" x2="%.2f%%" y2="%d" stroke="#1b5fad" stroke-opacity="0.35" stroke-width="8" stroke-linecap="round"/>`,
		x(c.Low), standingMineRow, x(c.High), standingMineRow)
	fmt.Fprintf(&b, `<circle cx="%.2f%%" cy="%d" r="%d" fill="#1b5fad" stroke="#fff" stroke-width="2"/>`, x(c.Mine), standingMineRow, standingMarkerRadius)
	fmt.Fprintf(&b, `<text x="%.2f%%" y="%d" text-anchor="middle" font-size="12" font-weight="700" fill="#1b5fad">%s</text>`,
		x(c.Mine), standingMineRow-standingMarkerRadius-5, standingPoints(c.Mine))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203: numbers and escaped fixed text only
}

// domain is the axis range: every value and at least ±1 point, widened to
// whole half points.
func (c standingChart) domain() (lo, hi float64) {
	lo, hi = math.Min(-1, c.Low), math.Max(1, c.High)
	for _, v := range append([]float64{c.Mine}, c.Peers...) {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return math.Floor(lo*2) / 2, math.Ceil(hi*2) / 2
}

// standingPoints writes a number of scale points with its sign.
func standingPoints(v float64) string {
	if math.Abs(v) < 0.005 {
		return "0"
	}
	return fmt.Sprintf("%+.2f", v)
}

// standingTick writes an axis tick: +0.5, 0, -1.
func standingTick(v float64) string {
	if math.Abs(v) < 1e-9 {
		return "0"
	}
	return fmt.Sprintf("%+g", math.Round(v*10)/10)
}
