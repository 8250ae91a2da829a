package stats

import "errors"

// Sentinel errors. Callers test for them with errors.Is; the returned errors
// wrap them with the detail (which unit, which row).
var (
	// ErrTooFewValues: the statistic needs more data than it was given
	// (fewer than two pairable values, targets, judges or ratings).
	ErrTooFewValues = errors.New("too few values")
	// ErrNoVariation: every value is the same, so a ratio of variances or
	// disagreements is 0/0.
	ErrNoVariation = errors.New("no variation in the values")
	// ErrNonFinite: an input is NaN or ±Inf where a number is required.
	ErrNonFinite = errors.New("value is not a finite number")
	// ErrShape: inputs of different lengths, or ragged rows.
	ErrShape = errors.New("inputs do not have the expected shape")
	// ErrNoOverlap: no candidate was scored on the same competency by two
	// different interviewers, so interviewers cannot be compared at all.
	ErrNoOverlap = errors.New("no two interviewers scored the same candidate and competency")
	// ErrInvalid: counts that make no table (negative, or none at all).
	ErrInvalid = errors.New("invalid counts")
)
