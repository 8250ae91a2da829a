// Package stats holds the statistics behind calibration reports: agreement
// between interviewers, and interviewer leniency. It is pure computation —
// no I/O, standard library only — and every statistic is tested against a
// published worked example cited in its test.
//
// # Reliability
//
// KrippendorffAlpha is Krippendorff's α for nominal, ordinal and interval
// scores, any number of raters, missing ratings allowed (Krippendorff,
// "Computing Krippendorff's Alpha-Reliability", 2011). ICC gives the six
// intraclass correlations of Shrout & Fleiss ("Intraclass correlations: uses
// in assessing rater reliability", Psychological Bulletin 86(2), 1979) for
// complete designs, where every judge scores every target. AgreementICC and
// AgreementAlpha put a value into words, after Koo & Li (J Chiropractic
// Medicine 15(2), 2016) and Krippendorff (Content Analysis, 2004).
//
// # Leniency
//
// FitLeniency fits a linear mixed model to every score in scope:
//
//	score = level of the candidate on the competency + leniency of the interviewer + noise
//
// The candidate-by-competency levels are fixed effects: they are what is
// being measured, and a candidate's strengths may differ between
// competencies. The leniencies are random effects, drawn from N(0, τ²), with
// noise N(0, σ²). σ² and τ² are estimated by restricted maximum likelihood,
// and each interviewer's leniency is its posterior mean given the data — an
// empirical-Bayes estimate, shrunk towards zero by τ²/(τ² + σ²/n_eff), where
// n_eff counts the ratings the interviewer shared with colleagues. So an
// interviewer with one generous scorecard is not branded lenient, while one
// with a long, consistent record is estimated almost at face value; the
// posterior standard deviation gives every estimate an interval. A
// calibrated score is the raw score minus the interviewer's leniency.
//
// Why this model and not a many-facet Rasch model? Roberts et al. ("Should
// candidate scores be adjusted for interviewer stringency or leniency in the
// multiple mini-interview?", Medical Education 44(7):690–698, 2010) fitted
// many-facet Rasch models to interview scores: 8.9 % of the score variance
// was interviewer stringency or leniency, and adjusting for it would have
// changed the ranking of 11.5 % of candidates significantly — the effect is
// real and worth correcting. But Rasch models treat the scale as ordered
// categories and want specialised software and large, well-linked data; a
// panel report has a few hundred numeric scores, sparse links (each candidate
// meets three to five of fifteen or more interviewers) and readers who want a
// leniency in score points with an honest interval. The random-effects
// model answers in those units, degrades gracefully when an interviewer has
// little data (shrinkage instead of an extreme estimate), and in a complete
// balanced design reduces to the ANOVA of Shrout & Fleiss that the ICCs use.
// Hartwell & Campion ("Getting on the same page: the effect of normative
// feedback interventions on structured interview ratings", Journal of
// Applied Psychology 101(6), 2016) found that normative feedback — showing
// interviewers how their ratings compare with their colleagues' — brings
// their ratings closer together: the
// report's per-interviewer effect with its interval is meant as that
// feedback, not as a verdict.
//
// Absorbing the candidate levels leaves a problem the size of the
// interviewer pool, so the fit is O(ratings) plus O(interviewers³) and
// deterministic.
package stats
