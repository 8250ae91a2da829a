package web

import "testing"

func TestPlainWords(t *testing.T) {
	for effect, want := range map[float64]string{
		0.05: "in line with colleagues", 0.3: "scores a little above colleagues", -0.57: "scores about half a point below colleagues",
		1.1: "scores about a point above colleagues", -2.2: "scores about 2 points below colleagues",
	} {
		if got := leniencyWords(effect); got != want {
			t.Errorf("leniencyWords(%v) = %q, want %q", effect, got, want)
		}
	}
	for _, tt := range []struct {
		low, high float64
		want      string
	}{{0.1, 0.9, "fairly sure"}, {-0.9, -0.2, "fairly sure"}, {-1, 1, "not sure yet: too few scorecards"}, {-0.3, 0.5, "could be chance"}} {
		if got := certaintyWords(tt.low, tt.high); got != tt.want {
			t.Errorf("certaintyWords(%v, %v) = %q, want %q", tt.low, tt.high, got, tt.want)
		}
	}
	if got := agreementAdvice("poor"); got != "Interviewers disagree: consider rewriting its anchors, or a calibration session on it." {
		t.Errorf("agreementAdvice(poor) = %q", got)
	}
	for note, want := range map[string]string{
		"no calibrated scores while you have a scorecard of role ic to submit: …":         "None while you have a scorecard of this role to submit: the role's calibration includes that panel's scores.",
		"no calibration of role ic yet: POST /v1/calibrations:compute with scope.role ic": "The role has no calibration yet: compute one on the Calibration page.",
	} {
		if got := calibrationWords(note); got != want {
			t.Errorf("calibrationWords(%q) = %q, want %q", note, got, want)
		}
	}
}
