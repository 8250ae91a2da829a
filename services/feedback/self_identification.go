package feedback

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Voluntary self-identification and the adverse-impact report on it
// (compliance.proto). The answers live in a collection of their own,
// keyed candidates/{c}/selfIdentification, and only two handlers read it:
// GetSelfIdentification and ComputeAdverseImpact, both the compliance
// role's alone (rules.go). No summary, comparison, calibration, list,
// webhook payload or page for anyone else reads or joins it: a recruiter
// records it and cannot read it back. Like a decision it exists only
// under a live candidate (the erasure purges it; its fence purges one
// written during an erasure).

// selfIdentification is the document: category ID → answer ID.
type selfIdentification struct {
	Answers map[string]string `bson:"answers"`
}

const (
	selfIDSuffix = "/selfIdentification"
	kindRecord   = "record"
	// preferNotToSay is an answer of every category.
	preferNotToSay = "prefer-not-to-say"
)

// DefaultSelfIDCategories are the categories asked about unless a
// deployment gives its own: those of the US EEO-1 report, which the
// Uniform Guidelines' monitoring is usually run on.
var DefaultSelfIDCategories = []*feedbackv1.SelfIdentificationCategory{
	{Id: "gender", Title: "Gender", Answers: []*feedbackv1.SelfIdentificationAnswer{
		{Id: "woman", Title: "Woman"}, {Id: "man", Title: "Man"}, {Id: "non-binary", Title: "Non-binary"},
		{Id: "self-described", Title: "Self-described"},
	}},
	{Id: "ethnicity", Title: "Race or ethnicity", Answers: []*feedbackv1.SelfIdentificationAnswer{
		{Id: "hispanic-or-latino", Title: "Hispanic or Latino"}, {Id: "white", Title: "White"},
		{Id: "black-or-african-american", Title: "Black or African American"}, {Id: "asian", Title: "Asian"},
		{Id: "native-hawaiian-or-pacific-islander", Title: "Native Hawaiian or Other Pacific Islander"},
		{Id: "american-indian-or-alaska-native", Title: "American Indian or Alaska Native"},
		{Id: "two-or-more", Title: "Two or more races"},
	}},
}

// withPreferNotToSay adds the answer every category has, once.
func withPreferNotToSay(cats []*feedbackv1.SelfIdentificationCategory) []*feedbackv1.SelfIdentificationCategory {
	out := make([]*feedbackv1.SelfIdentificationCategory, len(cats))
	for i, c := range cats {
		answers := slices.Clone(c.GetAnswers())
		if !slices.ContainsFunc(answers, func(a *feedbackv1.SelfIdentificationAnswer) bool { return a.GetId() == preferNotToSay }) {
			answers = append(answers, &feedbackv1.SelfIdentificationAnswer{Id: preferNotToSay, Title: "Prefers not to say"})
		}
		out[i] = &feedbackv1.SelfIdentificationCategory{Id: c.GetId(), Title: c.GetTitle(), Answers: answers}
	}
	return out
}

func (s *Server) category(id string) *feedbackv1.SelfIdentificationCategory {
	i := slices.IndexFunc(s.opts.SelfIDCategories, func(c *feedbackv1.SelfIdentificationCategory) bool { return c.GetId() == id })
	if i < 0 {
		return nil
	}
	return s.opts.SelfIDCategories[i]
}

func (s *Server) categoryIDs() string {
	ids := make([]string, len(s.opts.SelfIDCategories))
	for i, c := range s.opts.SelfIDCategories {
		ids[i] = c.GetId()
	}
	return strings.Join(ids, ", ")
}

// selfIDFence lets a self-identification exist only under a candidate that
// is not erased.
func (s *Store) selfIDFence(ctx context.Context, c *versioned.Change[selfIdentification]) error {
	return s.underLiveCandidate(ctx, c.Resource, strings.TrimSuffix(c.Resource, selfIDSuffix))
}

// RecordSelfIdentification records a candidate's answers, replacing any
// recorded before.
func (s *Server) RecordSelfIdentification(ctx context.Context, req *feedbackv1.RecordSelfIdentificationRequest) (*emptypb.Empty, error) {
	name := req.GetName()
	cand := strings.TrimSuffix(name, selfIDSuffix)
	var bad apierr.Violations
	for _, cat := range slices.Sorted(maps.Keys(req.GetAnswers())) {
		c := s.category(cat)
		answer := req.GetAnswers()[cat]
		switch {
		case c == nil:
			bad.Add("answers", "%q is not a category: ask about %s", apierr.Clip(cat, 60), s.categoryIDs())
		case !slices.ContainsFunc(c.GetAnswers(), func(a *feedbackv1.SelfIdentificationAnswer) bool { return a.GetId() == answer }):
			bad.Add("answers", "%q is not an answer of %s: choose one the category offers (ListSelfIdentificationCategories)", apierr.Clip(answer, 60), cat)
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if _, err := s.store.candidates.Get(ctx, cand); err != nil {
		return nil, err
	}
	want := versioned.Expect{RequestID: req.GetRequestId()}
	_, err := s.store.selfIDs.Apply(ctx, name, principal.User(ctx), want, func(*versioned.Doc[selfIdentification]) (versioned.Edit[selfIdentification], error) {
		return versioned.Edit[selfIdentification]{Kind: kindRecord, Data: selfIdentification{Answers: req.GetAnswers()}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// GetSelfIdentification returns a candidate's answers.
func (s *Server) GetSelfIdentification(ctx context.Context, req *feedbackv1.GetSelfIdentificationRequest) (*feedbackv1.SelfIdentification, error) {
	doc, err := s.store.selfIDs.Get(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return &feedbackv1.SelfIdentification{Name: doc.Name, Answers: doc.Data.Answers, UpdateTime: timestamppb.New(doc.UpdateTime)}, nil
}

// ListSelfIdentificationCategories lists the categories asked about.
func (s *Server) ListSelfIdentificationCategories(context.Context, *feedbackv1.ListSelfIdentificationCategoriesRequest) (*feedbackv1.ListSelfIdentificationCategoriesResponse, error) {
	return &feedbackv1.ListSelfIdentificationCategoriesResponse{Categories: s.opts.SelfIDCategories}, nil
}

// ComputeAdverseImpact reads a role's candidates — each by _id from the
// role's membership, then their scorecards, decision and answers by _id —
// and builds the report (adverse_impact.go).
func (s *Server) ComputeAdverseImpact(ctx context.Context, req *feedbackv1.ComputeAdverseImpactRequest) (*feedbackv1.AdverseImpactReport, error) {
	cat := s.category(req.GetCategory())
	if cat == nil {
		return nil, apierr.Invalid("category", "%q is not a category: one of %s", req.GetCategory(), s.categoryIDs())
	}
	docs, _, err := s.candidatesInScope(ctx, &feedbackv1.CalibrationScope{Role: req.GetRole()})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range docs {
		for _, iv := range d.Data.Interviews {
			names = append(names, scorecardName(d.Name, iv.ID))
		}
	}
	submitted, err := s.submittedScorecards(ctx, names, false)
	if err != nil {
		return nil, err
	}
	decisions := make([]*versioned.Doc[decision], len(docs))
	answers := make([]*versioned.Doc[selfIdentification], len(docs))
	err = readEach(ctx, 2*len(docs), func(ctx context.Context, i int) error {
		var err error
		if i < len(docs) {
			decisions[i], err = s.store.decisions.Find(ctx, decisionName(docs[i].Name))
		} else {
			answers[i-len(docs)], err = s.store.selfIDs.Find(ctx, docs[i-len(docs)].Name+selfIDSuffix)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	cands := make([]impactCandidate, len(docs))
	competencies := map[string]bool{}
	for i, d := range docs {
		c := impactCandidate{Interviewed: len(d.Data.Interviews) > 0, LoopComplete: len(d.Data.Interviews) > 0, Ratings: map[string][]float64{}}
		if answers[i].Live() {
			c.Answer = answers[i].Data.Answers[cat.GetId()]
		}
		for _, iv := range d.Data.Interviews {
			sc := submitted[scorecardName(d.Name, iv.ID)]
			if sc == nil {
				c.LoopComplete = false
				continue
			}
			for _, r := range sc.Ratings {
				if !r.NotAssessed {
					c.Ratings[r.Competency] = append(c.Ratings[r.Competency], float64(r.Score))
					competencies[r.Competency] = true
				}
			}
		}
		c.Hired = c.LoopComplete && decisions[i].Live() && decisions[i].Data.Current.Outcome == int32(feedbackv1.Decision_OUTCOME_HIRE)
		cands[i] = c
	}
	comps := make([]string, 0, len(competencies))
	for k := range competencies {
		comps = append(comps, k)
	}
	sort.Strings(comps)
	return buildAdverseImpact(req.GetRole(), cat, cands, comps, time.Now().UTC()), nil
}
