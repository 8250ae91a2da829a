package stats

import (
	"math"
	"testing"
)

func TestAgreementICC(t *testing.T) {
	// Koo & Li (2016), p. 158: < 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good,
	// > 0.9 excellent.
	tests := []struct {
		v    float64
		want string
	}{
		{-0.2, ReadingPoor}, {0.49, ReadingPoor}, {0.5, ReadingModerate},
		{0.74, ReadingModerate}, {0.75, ReadingGood}, {0.9, ReadingGood},
		{0.91, ReadingExcellent}, {math.NaN(), ReadingUndefined},
	}
	for _, tt := range tests {
		if got := AgreementICC(tt.v); got != tt.want {
			t.Errorf("AgreementICC(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestAgreementAlpha(t *testing.T) {
	// Krippendorff (2004, p. 241): α ≥ .800 reliable; .667 ≤ α < .800 for
	// tentative conclusions only.
	tests := []struct {
		v    float64
		want string
	}{
		{1, ReadingReliable}, {0.8, ReadingReliable}, {0.799, ReadingTentative},
		{0.667, ReadingTentative}, {0.666, ReadingUnreliable}, {-0.1, ReadingUnreliable},
		{math.NaN(), ReadingUndefined},
	}
	for _, tt := range tests {
		if got := AgreementAlpha(tt.v); got != tt.want {
			t.Errorf("AgreementAlpha(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
