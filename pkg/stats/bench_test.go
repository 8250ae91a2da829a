package stats

import (
	"fmt"
	"testing"
)

// The benchmark panels: 5 interviews per candidate from a pool of 40
// interviewers, 6 competencies per interview; 1,000 candidates make 30,000
// ratings, 10,000 make 300,000. The interviewer pool stays the same, as it
// would when a company reports on a longer period.
var benchSizes = []int{1_000, 10_000}

func benchPanel(candidates int) panel {
	return simulatePanel(1, panelSpec{candidates: candidates, interviewers: 40, competencies: 6, minMeet: 5, maxMeet: 5, tau: 0.5, sigma: 0.6})
}

func BenchmarkFitLeniency(b *testing.B) {
	for _, n := range benchSizes {
		p := benchPanel(n)
		b.Run(fmt.Sprintf("ratings=%d", len(p.ratings)), func(b *testing.B) {
			for b.Loop() {
				if _, err := FitLeniency(p.ratings, LeniencyOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkKrippendorffAlpha(b *testing.B) {
	for _, n := range benchSizes {
		p := benchPanel(n)
		data := p.alphaData(40)
		for _, level := range []Level{Nominal, Ordinal, Interval} {
			b.Run(fmt.Sprintf("ratings=%d/%v", len(p.ratings), level), func(b *testing.B) {
				for b.Loop() {
					if _, err := KrippendorffAlpha(data, level); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
