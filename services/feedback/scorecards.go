package feedback

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// panelOf reads a candidate the caller may see with every scorecard of its
// panel, each by _id.
func (s *Server) panelOf(ctx context.Context, name string) (*panel, error) {
	return s.readPanel(ctx, name, false, nil, func(*interview) bool { return true })
}

// listedPanel is panelOf (all) or panelFor with no interview of its own
// (!all) for lists and comparisons: documents as stored, like List shows
// them (versioned.Store.Stored), one read each instead of two. The
// scorecards of early are read beside the candidate (readPanel).
func (s *Server) listedPanel(ctx context.Context, name string, all bool, early ...string) (*panel, error) {
	user := viewerOf(ctx).user
	return s.readPanel(ctx, name, true, early, func(iv *interview) bool { return all || iv.Interviewer == user })
}

// panelFor reads a candidate the caller may see with the scorecards the
// rules need to show the given interviews: theirs, and the caller's own on
// the panel (whether the caller is blind). A scorecard GET reads two or
// three documents, not the whole panel.
func (s *Server) panelFor(ctx context.Context, name string, ids ...string) (*panel, error) {
	user := viewerOf(ctx).user
	return s.readPanel(ctx, name, false, ids, func(iv *interview) bool { return iv.Interviewer == user || slices.Contains(ids, iv.ID) })
}

// readPanel reads a candidate the caller may see and the scorecards of the
// interviews want picks. The scorecards of early (IDs known before the
// candidate is read) are read beside the candidate, not after it: a
// scorecard GET then waits for two reads, not four. What they hold is
// returned only under a candidate the caller may see.
func (s *Server) readPanel(ctx context.Context, name string, stored bool, early []string, want func(*interview) bool) (*panel, error) {
	readCard := s.store.scorecards.Find
	if stored {
		readCard = s.store.scorecards.Stored
	}
	prefetched := make([]*versioned.Doc[scorecard], len(early))
	var doc *versioned.Doc[candidate]
	err := readEach(ctx, len(early)+1, func(ctx context.Context, i int) error {
		var err error
		switch {
		case i < len(early):
			prefetched[i], err = readCard(ctx, scorecardName(name, early[i]))
		case stored:
			doc, err = s.storedCandidate(ctx, name)
		default:
			doc, err = s.candidate(ctx, name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	p := &panel{candidate: doc, scorecards: map[string]*versioned.Doc[scorecard]{}}
	var ivs []*interview
	cards := []*versioned.Doc[scorecard]{}
	for i := range doc.Data.Interviews {
		iv := &doc.Data.Interviews[i]
		if !want(iv) {
			continue
		}
		ivs = append(ivs, iv)
		var sc *versioned.Doc[scorecard]
		if k := slices.Index(early, iv.ID); k >= 0 {
			sc = prefetched[k]
		}
		cards = append(cards, sc)
	}
	err = readEach(ctx, len(ivs), func(ctx context.Context, i int) error {
		if slices.Contains(early, ivs[i].ID) {
			return nil
		}
		var err error
		cards[i], err = readCard(ctx, scorecardName(doc.Name, ivs[i].ID))
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
	return p, nil
}

// scorecardOf reads a scorecard's candidate, its interview, and the
// scorecards the rules need to show it (panelFor).
func (s *Server) scorecardOf(ctx context.Context, name string) (*panel, *interview, error) {
	cand, id := splitInterview(name)
	p, err := s.panelFor(ctx, cand, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, nil, apierr.NotFound(name)
	}
	if err != nil {
		return nil, nil, err
	}
	iv := interviewByID(&p.candidate.Data, id)
	if iv == nil {
		return nil, nil, apierr.NotFound(name)
	}
	return p, iv, nil
}

// GetScorecard returns a scorecard as the caller may see it.
func (s *Server) GetScorecard(ctx context.Context, req *feedbackv1.GetScorecardRequest) (*feedbackv1.Scorecard, error) {
	p, iv, err := s.scorecardOf(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	v := viewerOf(ctx)
	doc := p.scorecards[iv.ID]
	if doc == nil {
		if v.writesScorecard(iv) {
			return scorecardToProto(req.GetName(), iv, nil, authorsAccess), nil // an empty draft
		}
		return nil, apierr.NotFound(req.GetName())
	}
	access := v.seeScorecard(p, &doc.Data)
	if access == hidden {
		return nil, apierr.NotFound(req.GetName())
	}
	out := scorecardToProto(req.GetName(), iv, doc, access)
	if access == authorsAccess && !doc.Data.Submitted {
		// The author's draft: the checks need the rubric's scale, a read
		// of the in-process cache of published revisions.
		rev, err := s.rubrics.get(ctx, iv.Rubric, "rubric")
		if err != nil {
			return nil, err
		}
		addEvidenceWarnings(out, scaleOf(rev), s.opts.NotJobRelated)
	}
	return out, nil
}

// live reports whether a candidate exists and is not being erased.
func (s *Server) live(ctx context.Context, candidate string) bool {
	doc, err := s.store.candidates.Find(ctx, candidate)
	return err == nil && doc.Live()
}

// ownScorecard checks that the caller writes this scorecard and returns its
// interview. It reads the candidate alone, as stored (the write reads the
// scorecard): an interview never changes once added, so a stored candidate
// that has it answers right; one that does not may be a version behind an
// add a crash left unapplied, and is read again rolled forward. An erased
// candidate is the scorecard fence's to refuse, after the write.
func (s *Server) ownScorecard(ctx context.Context, name string) (*interview, error) {
	cand, id := splitInterview(name)
	doc, err := s.storedCandidate(ctx, cand)
	if err == nil && interviewByID(&doc.Data, id) == nil || errors.Is(err, apierr.ErrNotFound) {
		doc, err = s.candidate(ctx, cand)
	}
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound(name)
	}
	if err != nil {
		return nil, err
	}
	iv := interviewByID(&doc.Data, id)
	if iv == nil {
		return nil, apierr.NotFound(name)
	}
	if !viewerOf(ctx).writesScorecard(iv) {
		return nil, apierr.New(apierr.ErrPermissionDenied, "only the interviewer writes this scorecard")
	}
	return iv, nil
}

// writerOf checks that the caller writes this scorecard (ownScorecard) and
// returns its interview and the rubric revision it is written on: what a
// write of the scorecard checks beside reading it (versioned.Expect's
// Alongside).
func (s *Server) writerOf(ctx context.Context, name string) (*interview, *rubricv1.RubricRevision, error) {
	iv, err := s.ownScorecard(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.rubrics.get(ctx, iv.Rubric, "rubric")
	if err != nil {
		return nil, nil, err
	}
	return iv, rev, nil
}

// UpdateScorecard saves the caller's draft.
func (s *Server) UpdateScorecard(ctx context.Context, req *feedbackv1.UpdateScorecardRequest) (*feedbackv1.Scorecard, error) {
	in := req.GetScorecard()
	name := in.GetName()
	if !scorecardPattern.MatchString(name) {
		return nil, apierr.Invalid("scorecard.name", "must be candidates/{candidate}/interviews/{interview}/scorecard, with lower-case IDs")
	}
	paths, err := scorecardMask.Paths(req.GetUpdateMask().GetPaths(), scorecardFieldSet(in))
	if err != nil {
		return nil, err
	}
	// The first save needs no etag; every later one does (checked on the
	// version the write reads, so two first saves at once make one).
	var (
		iv  *interview
		rev *rubricv1.RubricRevision
	)
	want := versioned.Expect{ETag: in.GetEtag(), Alongside: func(ctx context.Context) (err error) {
		iv, rev, err = s.writerOf(ctx, name)
		return err
	}}
	doc, err := s.store.scorecards.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[scorecard]) (versioned.Edit[scorecard], error) {
		next := scorecard{Interviewer: iv.Interviewer, Rubric: iv.Rubric}
		if cur.Live() && in.GetEtag() == "" {
			return versioned.Edit[scorecard]{}, apierr.Invalid("scorecard.etag", "required: send the etag of the version you are changing")
		}
		if cur.Live() {
			if cur.Data.Submitted {
				return versioned.Edit[scorecard]{}, apierr.FailedPrecondition("the scorecard is submitted: amend it, with a reason")
			}
			next = cur.Data
		}
		setScorecardFields(&next, in, paths)
		err := validateDraft(ratingsToProto(next.Ratings), feedbackv1.Recommendation(next.Recommendation),
			map[string]string{"scorecard.note_to_panel": next.NoteToPanel, "scorecard.private_note": next.PrivateNote}, iv, rev, "scorecard.ratings")
		if err != nil {
			return versioned.Edit[scorecard]{}, err
		}
		return versioned.Edit[scorecard]{Kind: kindUpdate, Fields: paths, Data: next}, nil
	})
	if err != nil {
		return nil, err
	}
	out := scorecardToProto(name, iv, doc, authorsAccess)
	addEvidenceWarnings(out, scaleOf(rev), s.opts.NotJobRelated)
	return out, nil
}

// scaleOf is a rubric revision's scale.
func scaleOf(rev *rubricv1.RubricRevision) ratingScale {
	sc := rev.GetSnapshot().GetScale()
	return ratingScale{min: sc.GetMin(), max: sc.GetMax(), known: sc.GetMax() > sc.GetMin()}
}

// SubmitScorecard checks the caller's draft against its rubric revision and
// submits it. With a request ID, the same request again — also retried
// concurrently — returns the first result and records nothing new.
func (s *Server) SubmitScorecard(ctx context.Context, req *feedbackv1.SubmitScorecardRequest) (*feedbackv1.Scorecard, error) {
	var (
		iv       *interview
		rev      *rubricv1.RubricRevision
		checkErr error
	)
	want := versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist, RequestID: req.GetRequestId(), Alongside: func(ctx context.Context) error {
		iv, rev, checkErr = s.writerOf(ctx, req.GetName())
		return checkErr
	}}
	doc, err := s.store.scorecards.Apply(ctx, req.GetName(), principal.User(ctx), want, func(cur *versioned.Doc[scorecard]) (versioned.Edit[scorecard], error) {
		if cur.Data.Submitted {
			return versioned.Edit[scorecard]{}, apierr.FailedPrecondition("the scorecard is submitted already: amend it, with a reason")
		}
		next := cur.Data
		if err := validateComplete(&next, iv, rev, "scorecard"); err != nil {
			return versioned.Edit[scorecard]{}, err
		}
		next.Submitted = true
		next.SubmitTime = time.Now().UTC().Truncate(time.Millisecond)
		next.Submitter = principal.User(ctx)
		next.SubmitVersion = cur.Version + 1
		return versioned.Edit[scorecard]{Kind: kindSubmit, Data: next}, nil
	})
	if checkErr != nil {
		return nil, checkErr
	}
	if errors.Is(err, apierr.ErrNotFound) {
		if cand, _ := splitInterview(req.GetName()); !s.live(ctx, cand) {
			return nil, apierr.NotFound(req.GetName()) // erased while it was submitted
		}
		return nil, apierr.FailedPrecondition("nothing to submit: save the scorecard's ratings first")
	}
	if err != nil {
		return nil, err
	}
	s.opts.Metrics.submitted(iv.ScheduledTime, doc.Data.SubmitTime)
	return scorecardToProto(req.GetName(), iv, doc, authorsAccess), nil
}

// AmendScorecard changes a submitted scorecard's ratings or recommendation,
// with a reason; the history keeps the original.
func (s *Server) AmendScorecard(ctx context.Context, req *feedbackv1.AmendScorecardRequest) (*feedbackv1.Scorecard, error) {
	iv, err := s.ownScorecard(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	if len(req.GetRatings()) == 0 && req.GetRecommendation() == feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED {
		return nil, apierr.Invalid("ratings", "an amendment changes at least one rating or the recommendation")
	}
	rev, err := s.rubrics.get(ctx, iv.Rubric, "rubric")
	if err != nil {
		return nil, err
	}
	if err := validateDraft(req.GetRatings(), req.GetRecommendation(), nil, iv, rev, "ratings"); err != nil {
		return nil, err
	}
	want := versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist, RequestID: req.GetRequestId()}
	doc, err := s.store.scorecards.Apply(ctx, req.GetName(), principal.User(ctx), want, func(cur *versioned.Doc[scorecard]) (versioned.Edit[scorecard], error) {
		if !cur.Data.Submitted {
			return versioned.Edit[scorecard]{}, apierr.FailedPrecondition("the scorecard is a draft: update it instead")
		}
		next := cur.Data
		next.Ratings = slices.Clone(next.Ratings)
		var fields []string
		for _, r := range ratingsFromProto(req.GetRatings()) {
			i := slices.IndexFunc(next.Ratings, func(x rating) bool { return x.Competency == r.Competency })
			if i < 0 {
				next.Ratings = append(next.Ratings, r)
			} else {
				next.Ratings[i] = r
			}
			fields = append(fields, "ratings."+r.Competency)
		}
		if req.GetRecommendation() != feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED {
			next.Recommendation = int32(req.GetRecommendation())
			fields = append(fields, "recommendation")
		}
		if err := validateComplete(&next, iv, rev, "scorecard"); err != nil {
			return versioned.Edit[scorecard]{}, err
		}
		next.Reason = req.GetReason()
		return versioned.Edit[scorecard]{Kind: kindAmend, Fields: fields, Data: next}, nil
	})
	if err != nil {
		return nil, err
	}
	return scorecardToProto(req.GetName(), iv, doc, authorsAccess), nil
}

// ListScorecardChanges lists the versions of a scorecard the caller may
// read, newest first, each read by _id.
func (s *Server) ListScorecardChanges(ctx context.Context, req *feedbackv1.ListScorecardChangesRequest) (*feedbackv1.ListScorecardChangesResponse, error) {
	name := req.GetParent()
	query := name + "/changes"
	before, err := paging.Number(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	p, iv, err := s.scorecardOf(ctx, name)
	if err != nil {
		return nil, err
	}
	doc := p.scorecards[iv.ID]
	if doc == nil {
		return nil, apierr.NotFound(name)
	}
	v := viewerOf(ctx)
	from, ok := v.seesHistoryFrom(p, &doc.Data)
	if !ok {
		return nil, apierr.NotFound(name)
	}
	access := v.seeScorecard(p, &doc.Data)
	size := paging.Size(req.GetPageSize())
	changes, err := s.store.scorecards.History(ctx, name, before, size+1)
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListScorecardChangesResponse{}
	for i := range changes {
		c := &changes[i]
		if c.Version < from {
			break
		}
		if len(resp.Changes) == size {
			resp.NextPageToken = paging.Token(strconv.FormatInt(c.Version+1, 10), query)
			break
		}
		resp.Changes = append(resp.Changes, changeToProto(c, iv, access))
	}
	return resp, nil
}

var scorecardPattern = regexp.MustCompile(`^candidates/[a-z]([a-z0-9-]{0,61}[a-z0-9])?/interviews/[a-z]([a-z0-9-]{0,61}[a-z0-9])?/scorecard$`)

// scorecardMask is what an update mask of a draft scorecard may name.
var scorecardMask = fieldcheck.UpdateMask{
	Updatable: []string{"ratings", "recommendation", "note_to_panel", "private_note"},
	Ignored: map[string]bool{
		"name": true, "etag": true, "state": true, "submit_time": true, "submitter": true,
		"interviewer": true, "rubric": true, "update_time": true,
	},
}

// scorecardFieldSet says whether a scorecard field is set in a request.
func scorecardFieldSet(in *feedbackv1.Scorecard) func(string) bool {
	set := map[string]bool{
		"ratings": len(in.GetRatings()) > 0, "recommendation": in.GetRecommendation() != 0,
		"note_to_panel": in.GetNoteToPanel() != "", "private_note": in.GetPrivateNote() != "",
	}
	return func(field string) bool { return set[field] }
}

func setScorecardFields(dst *scorecard, src *feedbackv1.Scorecard, paths []string) {
	for _, p := range paths {
		switch p {
		case "ratings":
			dst.Ratings = ratingsFromProto(src.GetRatings())
		case "recommendation":
			dst.Recommendation = int32(src.GetRecommendation())
		case "note_to_panel":
			dst.NoteToPanel = src.GetNoteToPanel()
		case "private_note":
			dst.PrivateNote = src.GetPrivateNote()
		}
	}
}
