package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Imports from an applicant tracking system (ATS) are upserts keyed by the
// ATS's own IDs. The key is the resource's ID: an imported candidate's ID
// is a hash of (source, external ID) and an imported interview's a hash of
// (source, candidate's external ID, interview's external ID). So finding
// what an earlier push made is a point read by _id, and two pushes of the
// same candidate at once race on the create of one name, which the store
// decides (one wins, the other finds it and updates) — no lookup index to
// keep in step. The hash also keeps the ID from spelling a name.

// kindReschedule is the change kind of an imported interview's new
// schedule, interviewer, rubric or focus.
const kindReschedule = "reschedule"

// maxImportAttempts bounds the retries of an import step that lost a race
// to another writer of the same candidate.
const maxImportAttempts = 5

func importedCandidateID(source, externalID string) string {
	return "ats-" + hashHex(16, source, externalID)
}

func importedInterviewID(source, candidateExternalID, externalID string) string {
	return "ats-" + hashHex(12, source, candidateExternalID, externalID)
}

// hashHex is the first n hex digits of the SHA-256 of the parts, each
// preceded by its length, so that no two lists of parts hash alike.
func hashHex(n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(p))))
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

// ImportCandidates creates or updates candidates and their interviews from
// an ATS push.
func (s *Server) ImportCandidates(ctx context.Context, req *feedbackv1.ImportCandidatesRequest) (*feedbackv1.ImportCandidatesResponse, error) {
	plan, err := s.planImport(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ImportCandidatesResponse{}
	for _, c := range plan {
		r, err := s.importCandidate(ctx, req.GetSource(), c)
		if err != nil {
			return nil, err // not the candidate's fault (the database): the push is safe to repeat
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

// importedCandidate is a checked candidate of a push, with its interviews'
// rubrics read.
type importedCandidate struct {
	in         *feedbackv1.ImportedCandidate
	interviews []importedInterview
}

type importedInterview struct {
	in     *feedbackv1.ImportedInterview
	rubric *rubricv1.RubricRevision
	latest bool // the push asked for the rubric's latest revision
	focus  []string
}

// planImport checks the whole push before anything is written: every
// field, and every rubric it names (read once each), so that bad input
// changes nothing.
func (s *Server) planImport(ctx context.Context, req *feedbackv1.ImportCandidatesRequest) ([]importedCandidate, error) {
	var v apierr.Violations
	seen := map[string]bool{}
	for i, c := range req.GetCandidates() {
		p := fmt.Sprintf("candidates[%d]", i)
		validateImportedCandidate(&v, p, c)
		if seen[c.GetExternalId()] {
			v.Add(p+".external_id", "appears twice in this push")
		}
		seen[c.GetExternalId()] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	rubrics := map[string]*rubricv1.RubricRevision{}
	plan := make([]importedCandidate, len(req.GetCandidates()))
	for i, c := range req.GetCandidates() {
		plan[i].in = c
		for j, iv := range c.GetInterviews() {
			field := fmt.Sprintf("candidates[%d].interviews[%d]", i, j)
			rev, ok := rubrics[iv.GetRubric()]
			if !ok {
				var err error
				if rev, err = s.rubrics.get(ctx, iv.GetRubric(), field+".rubric"); err != nil {
					return nil, err
				}
				rubrics[iv.GetRubric()] = rev
			}
			focus, err := focusOf(iv.GetFocusCompetencies(), rev)
			if err != nil {
				return nil, prefixed(err, field)
			}
			plan[i].interviews = append(plan[i].interviews, importedInterview{
				in: iv, rubric: rev, latest: isLatest(iv.GetRubric()), focus: focus,
			})
		}
	}
	return plan, nil
}

// validateImportedCandidate checks one candidate of a push, and its
// interviews, with the fields named from the request's root.
func validateImportedCandidate(v *apierr.Violations, p string, c *feedbackv1.ImportedCandidate) {
	fieldcheck.Text(v, p+".external_id", c.GetExternalId(), maxNameLen, true)
	fieldcheck.Text(v, p+".display_name", c.GetDisplayName(), maxNameLen, true)
	slugField(v, p+".role", c.GetRole())
	slugField(v, p+".level", c.GetLevel())
	if _, ok := feedbackv1.Candidate_State_name[int32(c.GetState())]; !ok {
		v.Add(p+".state", "unknown state %d", c.GetState())
	}
	if len(c.GetInterviews()) > maxInterviews {
		v.Add(p+".interviews", "at most %d interviews a candidate", maxInterviews)
		return
	}
	seen := map[string]bool{}
	for j, iv := range c.GetInterviews() {
		q := fmt.Sprintf("%s.interviews[%d]", p, j)
		fieldcheck.Text(v, q+".external_id", iv.GetExternalId(), maxNameLen, true)
		if seen[iv.GetExternalId()] {
			v.Add(q+".external_id", "appears twice for this candidate")
		}
		seen[iv.GetExternalId()] = true
		if err := validateInterview(&feedbackv1.Interview{
			Interviewer: iv.GetInterviewer(), Rubric: iv.GetRubric(), FocusCompetencies: iv.GetFocusCompetencies(),
		}); err != nil {
			var invalid *apierr.InvalidArgumentError
			if errors.As(prefixed(err, q), &invalid) {
				*v = append(*v, invalid.Violations...)
			}
		}
		if t := iv.GetScheduledTime(); t != nil && !t.IsValid() {
			v.Add(q+".scheduled_time", "must be a valid time")
		}
	}
}

// prefixed puts a field path's root in front of an error's fields
// (validateInterview names them from "interview.").
func prefixed(err error, root string) error {
	var invalid *apierr.InvalidArgumentError
	if !errors.As(err, &invalid) {
		return err
	}
	var v apierr.Violations
	for _, f := range invalid.Violations {
		field := f.Field
		field = strings.TrimPrefix(field, "interview.")
		v.Add(root+"."+field, "%s", f.Description)
	}
	return v.Err()
}

func isLatest(rubric string) bool { return strings.HasSuffix(rubric, "/revisions/latest") }

// importCandidate upserts one candidate, then its interviews. What a
// candidate or an interview did wrong is its result's error; what the
// database did wrong is returned, and ends the push.
func (s *Server) importCandidate(ctx context.Context, source string, p importedCandidate) (*feedbackv1.ImportedCandidateResult, error) {
	in := p.in
	r := &feedbackv1.ImportedCandidateResult{ExternalId: in.GetExternalId()}
	name := candidatesPrefix + importedCandidateID(source, in.GetExternalId())
	outcome, cand, err := s.upsertCandidate(ctx, source, name, in)
	if err != nil {
		return r, failed(ctx, &r.Outcome, &r.Error, err)
	}
	r.Outcome = outcome
	for _, iv := range p.interviews {
		ir := &feedbackv1.ImportedInterviewResult{ExternalId: iv.in.GetExternalId()}
		r.Interviews = append(r.Interviews, ir)
		id := importedInterviewID(source, in.GetExternalId(), iv.in.GetExternalId())
		ir.Outcome, ir.Interview, err = s.upsertInterview(ctx, name, id, iv)
		if err != nil {
			if err := failed(ctx, &ir.Outcome, &ir.Error, err); err != nil {
				return nil, err
			}
		}
	}
	// The candidate as its interviews left it: its etag moved with each.
	if len(p.interviews) > 0 {
		if doc, err := s.store.candidates.Get(ctx, name); err == nil {
			cand = candidateToProto(doc)
		} else if !errors.Is(err, apierr.ErrNotFound) {
			return nil, err
		}
	}
	r.Candidate = cand
	return r, nil
}

// failed records a domain error as a result's outcome and status, and
// returns any other error (the database's) for the whole push to end with.
func failed(ctx context.Context, outcome *feedbackv1.ImportOutcome, st **spb.Status, err error) error {
	if !domainError(err) {
		return err
	}
	*outcome = feedbackv1.ImportOutcome_IMPORT_OUTCOME_FAILED
	*st = status.Convert(grpcerr.ToStatus(ctx, slog.Default(), err)).Proto()
	return nil
}

// domainError reports whether err is one of the API's own (a candidate's
// or an interview's fault), not an outage.
func domainError(err error) bool {
	var invalid *apierr.InvalidArgumentError
	if errors.As(err, &invalid) {
		return true
	}
	for _, k := range []error{apierr.ErrNotFound, apierr.ErrAlreadyExists, apierr.ErrConflict, apierr.ErrFailedPrecondition} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// upsertCandidate creates the candidate a push names, or brings the one an
// earlier push created up to date.
func (s *Server) upsertCandidate(ctx context.Context, source, name string, in *feedbackv1.ImportedCandidate) (feedbackv1.ImportOutcome, *feedbackv1.Candidate, error) {
	if erased, err := s.store.erased(ctx, name); err != nil || erased {
		if err == nil {
			err = apierr.FailedPrecondition("candidate %s of %s was erased here (a data-protection request) and is not imported again; erase it in %s too", in.GetExternalId(), source, source)
		}
		return 0, nil, err
	}
	for attempt := 1; ; attempt++ {
		cur, err := s.store.candidates.Get(ctx, name)
		if errors.Is(err, apierr.ErrNotFound) {
			c := candidate{
				DisplayName: in.GetDisplayName(), Role: in.GetRole(), Level: in.GetLevel(), State: int32(in.GetState()),
				ExternalID: in.GetExternalId(), Source: source,
			}
			if c.State == 0 {
				c.State = int32(feedbackv1.Candidate_STATE_ACTIVE)
			}
			created, err := s.createCandidate(ctx, name[len(candidatesPrefix):], "", c)
			if errors.Is(err, apierr.ErrAlreadyExists) && attempt < maxImportAttempts {
				continue // a concurrent push of the same candidate created it: update that
			}
			return feedbackv1.ImportOutcome_IMPORT_OUTCOME_CREATED, created, err
		}
		if err != nil {
			return 0, nil, err
		}
		if cur.Data.Source != source || cur.Data.ExternalID != in.GetExternalId() {
			return 0, nil, apierr.FailedPrecondition("%s exists and was not imported from %s as %s", name, source, in.GetExternalId())
		}
		update, paths := importedChanges(cur, in)
		if len(paths) == 0 {
			return feedbackv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED, candidateToProto(cur), nil
		}
		updated, err := s.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{Candidate: update, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}})
		if errors.Is(err, apierr.ErrConflict) && attempt < maxImportAttempts {
			continue // changed meanwhile (an interview added): compare again
		}
		return feedbackv1.ImportOutcome_IMPORT_OUTCOME_UPDATED, updated, err
	}
}

// importedChanges is the update that brings cur to what the push says, and
// the fields it changes.
func importedChanges(cur *versioned.Doc[candidate], in *feedbackv1.ImportedCandidate) (*feedbackv1.Candidate, []string) {
	update := &feedbackv1.Candidate{Name: cur.Name, Etag: cur.ETag()}
	var paths []string
	if in.GetDisplayName() != cur.Data.DisplayName {
		update.DisplayName, paths = in.GetDisplayName(), append(paths, "display_name")
	}
	if in.GetRole() != cur.Data.Role {
		update.Role, paths = in.GetRole(), append(paths, "role")
	}
	if in.GetLevel() != cur.Data.Level {
		update.Level, paths = in.GetLevel(), append(paths, "level")
	}
	if in.GetState() != 0 && int32(in.GetState()) != cur.Data.State {
		update.State, paths = in.GetState(), append(paths, "state")
	}
	return update, paths
}

// upsertInterview schedules the interview a push names, or brings the one
// an earlier push scheduled up to date. A new time is always taken; a new
// interviewer, rubric or focus only while nobody has started the
// scorecard, which was written by one interviewer against one rubric.
func (s *Server) upsertInterview(ctx context.Context, cand, id string, p importedInterview) (feedbackv1.ImportOutcome, *feedbackv1.Interview, error) {
	want := interview{
		ID: id, Interviewer: p.in.GetInterviewer(), Rubric: p.rubric.GetName(), Focus: p.focus,
		ExternalID: p.in.GetExternalId(),
	}
	if t := p.in.GetScheduledTime(); t != nil {
		want.ScheduledTime = t.AsTime().UTC().Truncate(time.Millisecond)
	}
	for attempt := 1; ; attempt++ {
		doc, err := s.store.candidates.Get(ctx, cand)
		if err != nil {
			return 0, nil, err
		}
		cur := interviewByID(&doc.Data, id)
		if cur == nil || cur.Interviewer != want.Interviewer {
			if err := s.assignable(ctx, want.Interviewer, "interviewer"); err != nil {
				return 0, nil, err
			}
		}
		if cur == nil {
			want.CreateTime = time.Now().UTC().Truncate(time.Millisecond)
			created, err := s.scheduleInterview(ctx, cand, "", want)
			if errors.Is(err, apierr.ErrAlreadyExists) && attempt < maxImportAttempts {
				continue // a concurrent push added it
			}
			return feedbackv1.ImportOutcome_IMPORT_OUTCOME_CREATED, created, err
		}
		next := *cur
		next.ScheduledTime = want.ScheduledTime
		next.Interviewer = want.Interviewer
		next.Focus = want.Focus
		if !p.latest || rubricOf(cur.Rubric) != rubricOf(want.Rubric) {
			next.Rubric = want.Rubric // `latest` keeps the revision of the same rubric
		}
		if sameInterview(cur, &next) {
			return feedbackv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED, interviewToProto(doc, cur, false), nil
		}
		if next.Interviewer != cur.Interviewer || next.Rubric != cur.Rubric || !slices.Equal(next.Focus, cur.Focus) {
			started, err := s.store.scorecards.Find(ctx, scorecardName(cand, id))
			if err != nil {
				return 0, nil, err
			}
			if started.Live() {
				return 0, nil, apierr.FailedPrecondition("%s has a scorecard already: only its time can change; schedule a new interview for another interviewer, rubric or focus", interviewName(cand, id))
			}
		}
		moved, err := s.reschedule(ctx, doc, cur, &next)
		if errors.Is(err, apierr.ErrConflict) && attempt < maxImportAttempts {
			continue
		}
		return feedbackv1.ImportOutcome_IMPORT_OUTCOME_UPDATED, moved, err
	}
}

// reschedule replaces an interview of a candidate, read at doc's version,
// with next. The interviewer's list entry moves like a role's candidate
// does: the new entry first, the old one out after (membership.go).
func (s *Server) reschedule(ctx context.Context, doc *versioned.Doc[candidate], cur, next *interview) (*feedbackv1.Interview, error) {
	name := interviewName(doc.Name, cur.ID)
	oldKey, newKey := interviewsKey(cur.Interviewer), interviewsKey(next.Interviewer)
	moves := oldKey != newKey || !cur.listedAt().Equal(next.listedAt())
	if moves {
		if err := s.store.members.add(ctx, newKey, name, next.listedAt()); err != nil {
			return nil, err
		}
	}
	want := versioned.Expect{ETag: doc.ETag(), Exists: versioned.MustExist}
	saved, err := s.store.candidates.Apply(ctx, doc.Name, principal.User(ctx), want, func(c *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
		data := c.Data
		data.Interviews = slices.Clone(data.Interviews)
		i := slices.IndexFunc(data.Interviews, func(iv interview) bool { return iv.ID == cur.ID })
		data.Interviews[i] = *next // the etag matched: the interview is cur
		return versioned.Edit[candidate]{Kind: kindReschedule, Ref: cur.ID, Data: data}, nil
	})
	if moves {
		// Out goes the entry the interview left, or, when the change
		// failed, the one it did not take.
		key, at := oldKey, cur.listedAt()
		if err != nil {
			key, at = newKey, next.listedAt()
		}
		if err := s.store.members.remove(context.WithoutCancel(ctx), key, name, at); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	return interviewToProto(saved, interviewByID(&saved.Data, cur.ID), false), nil
}

func sameInterview(a, b *interview) bool {
	return a.Interviewer == b.Interviewer && a.Rubric == b.Rubric && slices.Equal(a.Focus, b.Focus) &&
		a.ScheduledTime.Equal(b.ScheduledTime)
}

// rubricOf is the rubric of a revision's name: rubrics/{r}.
func rubricOf(revision string) string {
	rubric, _, _ := strings.Cut(revision, "/revisions/")
	return rubric
}

// LookupCandidate returns the candidate an ATS knows by its own ID.
func (s *Server) LookupCandidate(ctx context.Context, req *feedbackv1.LookupCandidateRequest) (*feedbackv1.Candidate, error) {
	name := candidatesPrefix + importedCandidateID(req.GetSource(), req.GetExternalId())
	doc, err := s.candidate(ctx, name)
	if err == nil && (doc.Data.Source != req.GetSource() || doc.Data.ExternalID != req.GetExternalId()) {
		err = apierr.NotFound(name)
	}
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.New(apierr.ErrNotFound, fmt.Sprintf("no candidate was imported from %s as %s", req.GetSource(), req.GetExternalId()))
	}
	if err != nil {
		return nil, err
	}
	return candidateToProto(doc), nil
}
