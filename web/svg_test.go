package web

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// svgTree decodes a chart as XML, failing the test when it is not well
// formed, and returns its root element's attributes, the text of its title
// and desc, every text element's content, every circle's cx (in % of the
// chart's width), and every font-size.
type svgTree struct {
	root        xml.StartElement
	title, desc string
	texts       []string
	cx          []float64
	fontSizes   []string
}

func decodeSVG(t *testing.T, s string) svgTree {
	t.Helper()
	var tree svgTree
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				tree.root = e
			}
			stack = append(stack, e.Name.Local)
			if v := attr(e, "font-size"); v != "" {
				tree.fontSizes = append(tree.fontSizes, v)
			}
			if e.Name.Local == "circle" {
				for _, a := range e.Attr {
					if a.Name.Local == "cx" {
						pct, ok := strings.CutSuffix(a.Value, "%")
						v, err := strconv.ParseFloat(pct, 64)
						if err != nil || !ok {
							t.Fatalf("circle cx %q: want a percentage (%v)", a.Value, err)
						}
						tree.cx = append(tree.cx, v)
					}
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				t.Fatalf("text outside the root element: %q", e)
			}
			switch stack[len(stack)-1] {
			case "title":
				tree.title += string(e)
			case "desc":
				tree.desc += string(e)
			case "text":
				tree.texts = append(tree.texts, string(e))
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	return tree
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestSVGIntervalChartIsAnAccessibleImage(t *testing.T) {
	s := intervalChart(chartText{Title: "Leniency", Desc: "One row per interviewer.", Axis: "points"}, []intervalRow{
		{Label: "users/ivan", Value: 0.4, Low: 0.1, High: 0.7},
		{Label: "users/ines", Value: -0.3, Low: -0.6, High: 0.0, Muted: true, Detail: "(not used)"},
	})
	tree := decodeSVG(t, s)
	if tree.root.Name.Local != "svg" || attr(tree.root, "role") != "img" || attr(tree.root, "aria-label") != "Leniency" {
		t.Errorf("root = %v, want an <svg role=img aria-label=Leniency>", tree.root)
	}
	if tree.title != "Leniency" || tree.desc != "One row per interviewer." {
		t.Errorf("title %q, desc %q", tree.title, tree.desc)
	}
	joined := strings.Join(tree.texts, "|")
	for _, want := range []string{"users/ivan", "users/ines", "+0.40", "-0.30 (not used)", "points", "0"} {
		if !strings.Contains(joined, want) {
			t.Errorf("texts %q lack %q", joined, want)
		}
	}
	if !strings.Contains(s, `stroke-dasharray="4 3"`) {
		t.Error("a muted row is not dashed")
	}
	if intervalChart(chartText{Title: "none"}, nil) != "" {
		t.Error("no rows should draw no chart")
	}
}

func TestSVGEscapesHostileText(t *testing.T) {
	hostile := `</svg><script>alert("x")</script>&`
	for name, s := range map[string]string{
		"interval": intervalChart(chartText{Title: hostile, Desc: hostile, Axis: hostile}, []intervalRow{{Label: hostile, Value: 1, Low: 0, High: 2, Detail: hostile}}),
		"shift":    shiftChart(chartText{Title: hostile, Desc: hostile, Axis: hostile}, []shiftRow{{Label: hostile, From: 2, To: 3}}),
	} {
		if strings.Contains(s, "<script") || strings.Count(s, "</svg>") != 1 {
			t.Errorf("%s: hostile text not escaped:\n%s", name, s)
		}
		tree := decodeSVG(t, s)
		if tree.title != hostile || tree.desc != hostile || attr(tree.root, "aria-label") != hostile {
			t.Errorf("%s: the text decodes to %q / %q / %q, want it as given", name, tree.title, tree.desc, attr(tree.root, "aria-label"))
		}
	}
}

func TestSVGAxisBoundsHoldNegativeValues(t *testing.T) {
	rows := []intervalRow{
		{Label: "a", Value: -1.3, Low: -2.05, High: -0.6},
		{Label: "b", Value: -0.2, Low: -0.5, High: -0.1},
	}
	d := chartNiceDomain(-1.3, -2.05, -0.6, -0.2, -0.5, -0.1, 0)
	if d.lo > -2.05 || d.hi < 0 || d.step <= 0 {
		t.Fatalf("domain %+v does not hold -2.05 to 0", d)
	}
	if ticks := d.ticks(); len(ticks) < 3 || len(ticks) > 8 || ticks[0] != d.lo || ticks[len(ticks)-1] != d.hi {
		t.Errorf("ticks %v for domain %+v: want 3 to 8, from lo to hi", ticks, d)
	}
	tree := decodeSVG(t, intervalChart(chartText{Title: "t"}, rows))
	for _, x := range tree.cx {
		if x < chartPlotLo || x > chartPlotHi {
			t.Errorf("a point at x=%v%% is outside the plot [%v%%, %v%%]", x, chartPlotLo, chartPlotHi)
		}
	}
	// The axis shows zero, so every value sits left of the zero line.
	if !strings.Contains(strings.Join(tree.texts, "|"), "|0|") {
		t.Errorf("no zero tick among %q", tree.texts)
	}
}

func TestSVGDomainEdgeCases(t *testing.T) {
	for _, vals := range [][]float64{nil, {2, 2, 2}, {math.NaN(), math.Inf(1), 1}, {-1000, 1000}} {
		d := chartNiceDomain(vals...)
		if !(d.lo < d.hi) || d.step <= 0 || math.IsNaN(d.lo) || math.IsInf(d.hi, 0) {
			t.Errorf("chartNiceDomain(%v) = %+v, want a finite, non-empty axis", vals, d)
		}
		for _, v := range vals {
			if !math.IsNaN(v) && !math.IsInf(v, 0) && (v < d.lo || v > d.hi) {
				t.Errorf("chartNiceDomain(%v) = %+v does not hold %v", vals, d, v)
			}
		}
	}
	// Non-finite values draw at zero rather than breaking the SVG.
	decodeSVG(t, intervalChart(chartText{Title: "t"}, []intervalRow{{Label: "x", Value: math.NaN(), Low: math.Inf(-1), High: 1}}))
}

func TestSVGShiftChart(t *testing.T) {
	tree := decodeSVG(t, shiftChart(chartText{Title: "Raw and calibrated", Desc: "d", Axis: "score"}, []shiftRow{
		{Label: "demo-ada", From: 2.9, To: 2.7},
		{Label: "demo-ken", From: 1.5, To: 1.5},
	}))
	if attr(tree.root, "role") != "img" {
		t.Errorf("root %v is not an image", tree.root)
	}
	joined := strings.Join(tree.texts, "|")
	for _, want := range []string{"demo-ada", "2.90 → 2.70", "1.50 → 1.50"} {
		if !strings.Contains(joined, want) {
			t.Errorf("texts %q lack %q", joined, want)
		}
	}
	if shiftChart(chartText{}, nil) != "" {
		t.Error("no rows should draw no chart")
	}
}

// The charts reflow instead of scaling down: no viewBox (a user unit is a
// CSS pixel), as wide as their box, and text of at least 12 px, which is
// then what a 390-pixel phone shows (web/phone_browser_test.go measures it
// in the browser).
func TestSVGChartsKeepTheirTextSize(t *testing.T) {
	for name, s := range map[string]string{
		"interval": intervalChart(chartText{Title: "t", Axis: "points"}, []intervalRow{{Label: "a", Value: 0.4, Low: 0.1, High: 0.7}}),
		"shift":    shiftChart(chartText{Title: "t", Axis: "score"}, []shiftRow{{Label: "a", From: 2, To: 3}}),
		"standing": string(standingChart{Mine: 0.3, Low: -0.1, High: 0.7, Peers: []float64{-0.5, 0, 0.2}, Label: "t"}.svg()),
	} {
		tree := decodeSVG(t, s)
		if vb := attr(tree.root, "viewBox"); vb != "" || attr(tree.root, "width") != "100%" {
			t.Errorf("%s: viewBox %q, width %q: want no viewBox and width 100%%", name, vb, attr(tree.root, "width"))
		}
		if len(tree.fontSizes) == 0 {
			t.Errorf("%s: no font-size", name)
		}
		for _, fs := range tree.fontSizes {
			if v, err := strconv.ParseFloat(fs, 64); err != nil || v < 12 {
				t.Errorf("%s: font-size %q, want 12 or more", name, fs)
			}
		}
	}
}
