package web

import (
	"fmt"
	"math"
	"strings"
)

// Plain words for the statistics, so that a recruiter can act on a report
// without reading its numbers; the numbers stay one click away.

// leniencyWords says how an interviewer's scores compare with their
// colleagues': effect is the interviewer's leniency in scale points
// (positive: generous).
func leniencyWords(effect float64) string {
	size := math.Abs(effect)
	var amount string
	switch {
	case size < 0.15:
		return "in line with colleagues"
	case size < 0.35:
		amount = "a little"
	case size < 0.75:
		amount = "about half a point"
	case size < 1.25:
		amount = "about a point"
	default:
		amount = fmt.Sprintf("about %.0f points", size)
	}
	if effect > 0 {
		return "scores " + amount + " above colleagues"
	}
	return "scores " + amount + " below colleagues"
}

// certaintyWords says how sure an estimate is, from its 95 % interval: an
// interval that excludes no difference at all is "fairly sure"; a wide one
// says more scorecards are needed.
func certaintyWords(low, high float64) string {
	switch {
	case low > 0 || high < 0:
		return "fairly sure"
	case high-low > 1.5:
		return "not sure yet: too few scorecards"
	default:
		return "could be chance"
	}
}

// agreementAdvice is what to do about a competency's agreement between
// interviewers, from the report's band.
func agreementAdvice(band string) string {
	switch band {
	case "poor", "slight", "none":
		return "Interviewers disagree: consider rewriting its anchors, or a calibration session on it."
	case "fair":
		return "Interviewers agree only loosely: compare a few scorecards in a calibration session."
	case "moderate":
		return "Interviewers mostly agree; check the anchors where scores split."
	case "good", "substantial", "excellent", "almost perfect":
		return "Interviewers agree: nothing to do."
	}
	return "Not enough ratings to tell yet."
}

// calibrationWords says, in a recruiter's words, why a page shows no
// calibrated scores, from the service's note (which speaks to API
// clients: roles by ID, the call to make).
func calibrationWords(note string) string {
	switch {
	case strings.Contains(note, "to submit"):
		return "None while you have a scorecard of this role to submit: the role's calibration includes that panel's scores."
	case strings.Contains(note, "shown to recruiters"):
		return "Calibrated scores are shown to recruiters."
	case strings.Contains(note, "earlier version"):
		return "The role's calibration was computed by an earlier version: compute it again on the Calibration page."
	}
	return "The role has no calibration yet: compute one on the Calibration page."
}
