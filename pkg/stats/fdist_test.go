package stats

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Quantiles of the F distribution as R 4.2 gives them (qf(p, d1, d2),
// printed with options(digits = 16)), to 1e-9 relative; the distribution
// function gives each probability back.
func TestFQuantileMatchesR(t *testing.T) {
	tests := []struct {
		p, d1, d2, want float64
	}{
		{0.975, 5, 18, 3.3819678058752429},
		{0.975, 18, 5, 6.3618832046543519},
		{0.975, 5, 15, 3.5764153492790602},
		{0.95, 1, 1, 161.4476387975881835},
		{0.5, 3.3, 7.1, 0.8895439282559552},
		{0.025, 10, 40, 0.3071822845543775},
		{0.999, 2, 1000, 6.9556928683397468},
	}
	for _, tt := range tests {
		got := FQuantile(tt.p, tt.d1, tt.d2)
		if math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
			t.Errorf("FQuantile(%v, %v, %v) = %.15g, want %.15g", tt.p, tt.d1, tt.d2, got, tt.want)
		}
		if back := FCDF(got, tt.d1, tt.d2); math.Abs(back-tt.p) > 1e-12 {
			t.Errorf("FCDF(FQuantile(%v, %v, %v)) = %.15g, want the probability back", tt.p, tt.d1, tt.d2, back)
		}
	}
	for _, bad := range [][3]float64{{0, 1, 1}, {1, 1, 1}, {0.5, 0, 1}, {0.5, 1, -1}, {math.NaN(), 1, 1}, {0.5, math.Inf(1), 1}} {
		if got := FQuantile(bad[0], bad[1], bad[2]); !math.IsNaN(got) {
			t.Errorf("FQuantile(%v) = %v, want NaN", bad, got)
		}
	}
}

// The 95 % intervals of the six ICCs of Shrout & Fleiss's Table 2, as R's
// psych::ICC (McGraw & Wong 1996) gives them (psych 2.2, ICC(x, lmer =
// FALSE), printed to ten digits), here to 1e-6.
func TestICCIntervalsShroutFleiss(t *testing.T) {
	got, err := ICC(shroutFleissTable2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		got            Bounds
		low, high      float64
		readLow, shown string
	}{
		{"ICC(1,1)", got.CI1, -0.132932, 0.722560, "", ""},
		{"ICC(2,1)", got.CI2, 0.018787, 0.761084, "(.02, .76)", "poor to good"},
		{"ICC(3,1)", got.CI3, 0.342465, 0.945858, "(.34, .95)", "poor to excellent"},
		{"ICC(1,4)", got.CI1K, -0.884442, 0.912415, "", ""},
		{"ICC(2,4)", got.CI2K, 0.071137, 0.927232, "", ""},
		{"ICC(3,4)", got.CI3K, 0.675675, 0.985892, "", ""},
	}
	for _, tt := range tests {
		if math.Abs(tt.got.Low-tt.low) > 1e-6 || math.Abs(tt.got.High-tt.high) > 1e-6 {
			t.Errorf("ICC(Table 2) %s interval = (%.6f, %.6f), want (%.6f, %.6f)", tt.name, tt.got.Low, tt.got.High, tt.low, tt.high)
		}
		if tt.readLow != "" {
			if shown := "(" + twoDecimals(tt.got.Low) + ", " + twoDecimals(tt.got.High) + ")"; shown != tt.readLow {
				t.Errorf("ICC(Table 2) %s interval to two decimals = %s, want %s", tt.name, shown, tt.readLow)
			}
		}
		if tt.shown != "" {
			if r := AgreementICCInterval(tt.got.Low, tt.got.High); r != tt.shown {
				t.Errorf("AgreementICCInterval(%s) = %q, want %q", tt.name, r, tt.shown)
			}
		}
	}
}

// twoDecimals prints x as a statistician would: ".29".
func twoDecimals(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 2, 64), "0.", ".", 1)
}
