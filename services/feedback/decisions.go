package feedback

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The hiring decision about a candidate (decision.proto): one versioned
// document, keyed candidates/{c}/decision, read and written by _id. Its
// earlier versions travel inside it (amendments), so the debrief shows the
// whole record with one read; the store's change records keep the same
// history for audit. Like a scorecard, it exists only under a live
// candidate: the erasure purges it, and its fence (scorecardFence's rule)
// purges one written while the candidate was being erased.
//
// Who: recruiters, admins (reading only) and the candidate's role's hiring
// team (its hiring managers). Nobody on the panel while their own scorecard
// of the candidate is unsubmitted: the decision would tell them how the
// others judged ("blind until submitted", visibility.go). Hidden is
// NOT_FOUND, as everywhere here.

// decision is the document.
type decision struct {
	Current    decisionStatement   `bson:",inline"`
	Amendments []decisionAmendment `bson:"amendments,omitempty"`
}

// decisionStatement is what one version of a decision says.
type decisionStatement struct {
	Outcome      int32     `bson:"outcome"`
	Level        string    `bson:"level,omitempty"`
	Rationale    string    `bson:"rationale"`
	Scorecards   []string  `bson:"scorecards,omitempty"`
	Competencies []string  `bson:"competencies,omitempty"`
	EarlyReason  string    `bson:"early_reason,omitempty"`
	LoopComplete bool      `bson:"loop_complete"`
	Decider      string    `bson:"decider"`
	DecideTime   time.Time `bson:"decide_time"`
}

// decisionAmendment is a version a change replaced, with why.
type decisionAmendment struct {
	Before decisionStatement `bson:"before"`
	Reason string            `bson:"reason"`
	Actor  string            `bson:"actor"`
	Time   time.Time         `bson:"time"`
}

const (
	decisionSuffix = "/decision"
	// maxAmendments bounds a decision's document: a decision changed more
	// often than this is a process problem, not a record to keep growing.
	maxAmendments = 50
	kindDecide    = "decide"
)

var decisionMask = fieldcheck.UpdateMask{
	Updatable: []string{"outcome", "level", "rationale", "cited_scorecards", "cited_competencies", "early_reason"},
	Ignored: map[string]bool{"name": true, "etag": true, "loop_complete": true, "decider": true, "decide_time": true,
		"amendments": true},
}

func decisionName(candidate string) string { return candidate + decisionSuffix }

// decisionFence lets a decision exist only under a candidate that is not
// erased, as scorecardFence does for scorecards.
func (s *Store) decisionFence(ctx context.Context, c *versioned.Change[decision]) error {
	return s.underLiveCandidate(ctx, c.Resource, strings.TrimSuffix(c.Resource, decisionSuffix))
}

// decisionContext is what the rules need to know about a decision's
// candidate: its panel with every scorecard, and the role's hiring team.
type decisionContext struct {
	panel *panel
	team  []string
}

// decides reports whether the caller may make or amend the decision.
func (d *decisionContext) decides(ctx context.Context) bool {
	v := viewerOf(ctx)
	return (principal.Has(ctx, principal.Recruiter) || slices.Contains(d.team, v.user)) && !v.blind(d.panel)
}

// reads reports whether the caller may read the decision.
func (d *decisionContext) reads(ctx context.Context) bool {
	v := viewerOf(ctx)
	return (v.hiring || slices.Contains(d.team, v.user)) && !v.blind(d.panel)
}

// complete reports whether every interview of the panel has its scorecard
// submitted (and there is at least one).
func (d *decisionContext) complete() bool {
	ivs := d.panel.candidate.Data.Interviews
	return len(ivs) > 0 && !slices.ContainsFunc(ivs, func(iv interview) bool {
		sc := d.panel.scorecards[iv.ID]
		return sc == nil || !sc.Data.Submitted
	})
}

// decisionContextOf reads a live candidate, its whole panel and its role's
// hiring team: the candidate and the role by _id, then each scorecard.
func (s *Server) decisionContextOf(ctx context.Context, candidateName string) (*decisionContext, error) {
	doc, err := s.store.candidates.Get(ctx, candidateName)
	if err != nil {
		return nil, err
	}
	p := &panel{candidate: doc, scorecards: map[string]*versioned.Doc[scorecard]{}}
	ivs := doc.Data.Interviews
	cards := make([]*versioned.Doc[scorecard], len(ivs))
	var team []string
	err = readEach(ctx, len(ivs)+1, func(ctx context.Context, i int) error {
		var err error
		if i == len(ivs) {
			team, err = s.store.hiringTeam(ctx, doc.Data.Role)
			return err
		}
		cards[i], err = s.store.scorecards.Find(ctx, scorecardName(candidateName, ivs[i].ID))
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, sc := range cards {
		if sc.Live() {
			p.scorecards[ivs[i].ID] = sc
		}
	}
	return &decisionContext{panel: p, team: team}, nil
}

// GetDecision returns the decision about a candidate.
func (s *Server) GetDecision(ctx context.Context, req *feedbackv1.GetDecisionRequest) (*feedbackv1.Decision, error) {
	name := req.GetName()
	dc, err := s.decisionContextOf(ctx, strings.TrimSuffix(name, decisionSuffix))
	if err != nil {
		return nil, hideMissing(err, name)
	}
	if !dc.reads(ctx) {
		return nil, apierr.NotFound(name)
	}
	doc, err := s.store.decisions.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return decisionToProto(doc), nil
}

// UpdateDecision makes or amends the decision about a candidate.
func (s *Server) UpdateDecision(ctx context.Context, req *feedbackv1.UpdateDecisionRequest) (*feedbackv1.Decision, error) {
	in := req.GetDecision()
	name := in.GetName()
	candidateName, ok := strings.CutSuffix(name, decisionSuffix)
	if !ok || !fieldcheck.IDPattern.MatchString(strings.TrimPrefix(candidateName, "candidates/")) || !strings.HasPrefix(candidateName, "candidates/") {
		return nil, apierr.Invalid("decision.name", "must be candidates/{candidate}/decision")
	}
	paths, err := decisionMask.Paths(req.GetUpdateMask().GetPaths(), func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	dc, err := s.decisionContextOf(ctx, candidateName)
	if err != nil {
		return nil, hideMissing(err, name)
	}
	if !dc.decides(ctx) {
		if dc.reads(ctx) { // an admin: they see it, and it is not theirs to make
			return nil, apierr.New(apierr.ErrPermissionDenied, "the decision is made by a recruiter or the role's hiring team")
		}
		return nil, apierr.NotFound(name)
	}
	exists := versioned.MustExist
	if req.GetAllowMissing() {
		exists = versioned.MayExist
	}
	user := principal.User(ctx)
	now := time.Now().UTC().Truncate(time.Millisecond)
	doc, err := s.store.decisions.Apply(ctx, name, user, versioned.Expect{ETag: in.GetEtag(), Exists: exists},
		func(cur *versioned.Doc[decision]) (versioned.Edit[decision], error) {
			var next decision
			if cur.Live() {
				if in.GetEtag() == "" {
					return versioned.Edit[decision]{}, apierr.Invalid("decision.etag", "the decision is made already: send the etag of the version you read, to change it")
				}
				if req.GetReason() == "" {
					return versioned.Edit[decision]{}, apierr.Invalid("reason", "the decision is made already: say why it changes")
				}
				if len(cur.Data.Amendments) >= maxAmendments {
					return versioned.Edit[decision]{}, apierr.FailedPrecondition("the decision was changed %d times already, the most it keeps", maxAmendments)
				}
				next = cur.Data
				next.Amendments = append(slices.Clone(cur.Data.Amendments), decisionAmendment{
					Before: cur.Data.Current, Reason: req.GetReason(), Actor: user, Time: now,
				})
			} else if req.GetReason() != "" {
				return versioned.Edit[decision]{}, apierr.Invalid("reason", "is for changing a decision; this is the first")
			}
			setDecisionFields(&next.Current, in, paths)
			// What an earlier version said and this one's mask leaves out
			// (the gateway derives the mask from the JSON sent) must not
			// contradict the new version: a hold has no level, a decision
			// on the complete loop no early reason.
			if !slices.Contains(paths, "level") && next.Current.Outcome != int32(feedbackv1.Decision_OUTCOME_HIRE) {
				next.Current.Level = ""
			}
			if !slices.Contains(paths, "early_reason") && dc.complete() {
				next.Current.EarlyReason = ""
			}
			next.Current.LoopComplete, next.Current.Decider, next.Current.DecideTime = dc.complete(), user, now
			if err := validateDecision(&next.Current, dc); err != nil {
				return versioned.Edit[decision]{}, err
			}
			return versioned.Edit[decision]{Kind: kindDecide, Fields: paths, Data: next}, nil
		})
	if err != nil {
		return nil, hideMissing(err, name)
	}
	return decisionToProto(doc), nil
}

// hideMissing answers a decision whose candidate is missing as the
// decision missing.
func hideMissing(err error, name string) error {
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound(name)
	}
	return err
}

// setDecisionFields copies the masked fields of in into d.
func setDecisionFields(d *decisionStatement, in *feedbackv1.Decision, paths []string) {
	for _, p := range paths {
		switch p {
		case "outcome":
			d.Outcome = int32(in.GetOutcome())
		case "level":
			d.Level = in.GetLevel()
		case "rationale":
			d.Rationale = strings.TrimSpace(in.GetRationale())
		case "cited_scorecards":
			d.Scorecards = slices.Clone(in.GetCitedScorecards())
		case "cited_competencies":
			d.Competencies = slices.Clone(in.GetCitedCompetencies())
		case "early_reason":
			d.EarlyReason = strings.TrimSpace(in.GetEarlyReason())
		}
	}
}

// validateDecision checks a decision against its candidate's panel: a hire
// names its level; the rationale says something; what it cites is this
// panel's; and a decision before the last scorecard says why it could not
// wait (and only then).
func validateDecision(d *decisionStatement, dc *decisionContext) error {
	var bad apierr.Violations
	switch feedbackv1.Decision_Outcome(d.Outcome) {
	case feedbackv1.Decision_OUTCOME_HIRE:
		if d.Level == "" {
			bad.Add("decision.level", "a hire names the level it is at (a level ID of the role's track, such as l3)")
		}
	case feedbackv1.Decision_OUTCOME_NO_HIRE, feedbackv1.Decision_OUTCOME_HOLD:
		if d.Level != "" {
			bad.Add("decision.level", "only a hire has a level; leave it empty")
		}
	default:
		bad.Add("decision.outcome", "must be OUTCOME_HIRE, OUTCOME_NO_HIRE or OUTCOME_HOLD")
	}
	if d.Rationale == "" {
		bad.Add("decision.rationale", "say why: what the panel saw that decided it")
	}
	c := &dc.panel.candidate.Data
	for i, name := range d.Scorecards {
		cand, id := splitInterview(strings.TrimSuffix(name, "/scorecard"))
		sc := dc.panel.scorecards[id]
		if cand != dc.panel.candidate.Name || interviewByID(c, id) == nil || sc == nil || !sc.Data.Submitted {
			bad.Add("decision.cited_scorecards", "%s (item %d) is not a submitted scorecard of this candidate", apierr.Clip(name, 200), i)
		}
	}
	assessed := map[string]bool{}
	for _, iv := range c.Interviews {
		for _, comp := range iv.Focus {
			assessed[comp] = true
		}
	}
	for i, comp := range d.Competencies {
		if !assessed[comp] {
			bad.Add("decision.cited_competencies", "%s (item %d) is not a competency this panel assessed", apierr.Clip(comp, 100), i)
		}
	}
	complete := dc.complete()
	switch {
	case !complete && d.EarlyReason == "":
		bad.Add("decision.early_reason", "not every scorecard of the panel is submitted: wait for them, or say why the decision cannot wait")
	case complete && d.EarlyReason != "":
		bad.Add("decision.early_reason", "every scorecard is submitted: leave it empty")
	}
	return bad.Err()
}

func decisionToProto(doc *versioned.Doc[decision]) *feedbackv1.Decision {
	out := statementToProto(doc.Name, &doc.Data.Current)
	out.Etag = doc.ETag()
	for _, a := range doc.Data.Amendments {
		out.Amendments = append(out.Amendments, &feedbackv1.DecisionAmendment{
			Before: statementToProto(doc.Name, &a.Before), Reason: a.Reason, Actor: a.Actor, AmendTime: timestamppb.New(a.Time),
		})
	}
	return out
}

func statementToProto(name string, d *decisionStatement) *feedbackv1.Decision {
	return &feedbackv1.Decision{
		Name: name, Outcome: feedbackv1.Decision_Outcome(d.Outcome), Level: d.Level, Rationale: d.Rationale,
		CitedScorecards: d.Scorecards, CitedCompetencies: d.Competencies, EarlyReason: d.EarlyReason,
		LoopComplete: d.LoopComplete, Decider: d.Decider, DecideTime: timestamppb.New(d.DecideTime),
	}
}
