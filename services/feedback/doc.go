// Package feedback is the feedback service: candidates, their interviews,
// and the interviewers' structured scorecards, judged independently — no
// interviewer sees a colleague's scorecard for a candidate before
// submitting their own — and the debrief views built from them.
//
// # Who may learn what from calibration
//
// Scorecards are guarded by one visibility function (visibility.go).
// Calibration derives figures from many scorecards at once, so it has a
// threat model of its own (DESIGN.md, "Who may learn what"):
//
// What a reader knows: every scorecard they may see — their own, and their
// colleagues' on the panels they are on once their own scorecards there are
// submitted — and so roughly how each colleague they share panels with
// scores. A recruiter knows everything they may see as a recruiter.
//
// What a reader must not learn: anything of a scorecard they may not see (a
// panel they are not on, or one they have not judged yet: not its
// existence, count, timing or scores), and, unless they are a recruiter or
// admin, any colleague's leniency or panel distance as a value matchable to
// that colleague.
//
// So:
//   - named interviewer effects (reports, summaries, comparisons) are for
//     recruiters and admins; an interviewer's summary carries no calibration
//     at all — a calibrated mean beside the scores they read is a sum of
//     their colleagues' effects, and a few panels solve for each — and a
//     recruiter who is still to submit on a panel of a role is shown none of
//     that role (keptCalibration);
//   - a report leaves out the panels its caller is blind on, and is kept for
//     the role's summaries only when it left none out (ComputeCalibration);
//   - an interviewer's standing is built only from panels both the
//     interviewer and its reader may see and are not blind on (cardsInScope
//     with both as viewers): a colleague's submission on a panel the reader
//     has not judged yet, or cannot see, changes nothing in it, byte for
//     byte;
//   - in a standing, peers count only with enough scorecards on those panels
//     and are shown only when there are at least minPeers of them; each
//     peer's leniency is rounded to 0.1 point and the list is sorted, never
//     named; the peers' panel distances are one middle figure, the mean of
//     the middle two or three values (never one peer's own), rounded, and
//     only from minPeersForMiddle peers on;
//   - ratings are put on one scale before a fit (calibration_scale.go), so
//     rubrics with different scales pool, and figures are in points of the
//     scale most of the scorecards use.
//
// TestStandingNamesNoPeer tries the re-identification an outside probe once
// made (a summary's named effects equal to the standing's unnamed peer
// values); TestStandingIgnoresPanelsTheReaderIsBlindOn and
// TestRecruiterBlindOnARoleSeesNoCalibration the side channels.
package feedback
