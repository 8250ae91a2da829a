package ladder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Growth against the ladder (growth.proto): an engineer's assessment of a
// review cycle, users/{user}/assessments/{cycle}, made from the latest
// published revision of their framework for their track and level as the
// directory has them. The entries copy the expectations' words, so that an
// assessment reads the same after the framework moves on: it is a record
// of that cycle.
//
// Who: the engineer writes and submits their own; their manager (the
// directory's manager field, read when asked) reviews it; admins read
// every one. Anyone else gets NOT_FOUND: an assessment is private.

// Assessments is the store of assessments.
type Assessments = versioned.Store[assessment]

// NewAssessments returns the store over db.
func NewAssessments(db *mongo.Database) *Assessments {
	return versioned.New[assessment](db, "assessments", "assessment_changes", versioned.Options[assessment]{
		Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "data.owner", Value: 1}}}}, // ListAssessments
	})
}

// InitAssessments creates the store's indexes and finishes the changes a
// crash left half-written.
func InitAssessments(ctx context.Context, a *Assessments) error {
	if err := mongodb.EnsureIndexes(ctx, a.Indexes()); err != nil {
		return err
	}
	_, err := a.Sweep(ctx)
	return err
}

type assessment struct {
	Owner      string            `bson:"owner"` // users/{user}
	Revision   string            `bson:"revision"`
	Track      string            `bson:"track"`
	Level      string            `bson:"level"`
	NextLevel  string            `bson:"next_level,omitempty"`
	Entries    []assessmentEntry `bson:"entries"`
	State      int32             `bson:"state"`
	Reviewer   string            `bson:"reviewer,omitempty"`
	ReviewTime time.Time         `bson:"review_time,omitempty"`
}

type assessmentEntry struct {
	Level         string   `bson:"level"`
	Competency    string   `bson:"competency"`
	Expectation   string   `bson:"expectation"`
	Rating        int32    `bson:"rating,omitempty"`
	Evidence      []string `bson:"evidence,omitempty"`
	Review        int32    `bson:"review,omitempty"`
	ManagerRating int32    `bson:"manager_rating,omitempty"`
	ManagerNote   string   `bson:"manager_note,omitempty"`
}

const (
	assessmentsInfix   = "/assessments/"
	maxAssessments     = 100
	maxEvidenceItems   = 10
	maxEvidenceLen     = 500
	maxManagerNote     = 2000
	kindAssessmentEdit = "update"
)

// assessmentOwner resolves users/me in a parent and returns the owner.
func assessmentOwner(ctx context.Context, parent string) string {
	if parent == "users/me" {
		return principal.User(ctx)
	}
	return parent
}

// splitAssessment returns an assessment name's owner, with users/me
// resolved, and the name with it.
func splitAssessment(ctx context.Context, name string) (owner, resolved string) {
	owner, id, _ := strings.Cut(name, assessmentsInfix)
	owner = assessmentOwner(ctx, owner)
	return owner, owner + assessmentsInfix + id
}

// assessmentRole is how the caller stands to an engineer's assessments.
type assessmentRole int

const (
	stranger assessmentRole = iota
	engineer
	manager
	adminRole
)

func (s *Server) roleTowards(ctx context.Context, owner string) (assessmentRole, error) {
	if s.assessments == nil {
		return stranger, apierr.Unavailable("this process does not serve assessments")
	}
	caller := principal.User(ctx)
	if caller == owner {
		return engineer, nil
	}
	p, err := s.users.Find(ctx, owner)
	if err != nil {
		return stranger, err
	}
	if p.Live() && p.Data.Manager == caller {
		return manager, nil
	}
	if principal.Has(ctx, principal.Admin) {
		return adminRole, nil
	}
	return stranger, nil
}

// CreateAssessment makes an engineer's assessment of a cycle.
func (s *Server) CreateAssessment(ctx context.Context, req *ladderv1.CreateAssessmentRequest) (*ladderv1.Assessment, error) {
	owner := assessmentOwner(ctx, req.GetParent())
	name := owner + assessmentsInfix + req.GetAssessmentId()
	role, err := s.roleTowards(ctx, owner)
	if err != nil {
		return nil, err
	}
	if role != engineer && role != adminRole {
		return nil, apierr.NotFound(name)
	}
	p, err := s.users.Find(ctx, owner)
	if err != nil {
		return nil, err
	}
	if !p.Live() || p.Data.Framework == "" || p.Data.Track == "" || p.Data.Level == "" {
		return nil, apierr.FailedPrecondition("%s has no place on a ladder in the directory: an admin sets their framework, track and level first", owner)
	}
	rev, err := s.revisions.Get(ctx, publishing.LatestAlias(p.Data.Framework))
	if err != nil {
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, apierr.FailedPrecondition("%s is not published yet: an assessment is made from a published revision", p.Data.Framework)
		}
		return nil, err
	}
	a, err := newAssessment(owner, rev, p.Data.Track, p.Data.Level)
	if err != nil {
		return nil, err
	}
	doc, err := s.assessments.Apply(ctx, name, principal.User(ctx), versioned.Expect{Exists: versioned.MustNotExist},
		func(*versioned.Doc[assessment]) (versioned.Edit[assessment], error) {
			return versioned.Edit[assessment]{Kind: "create", Data: a}, nil
		})
	if err != nil {
		return nil, err
	}
	return assessmentToProto(doc), nil
}

// newAssessment lays out the entries: every expectation of the level, then
// of the next, in the revision's order.
func newAssessment(owner string, rev *ladderv1.FrameworkRevision, track, level string) (assessment, error) {
	snap := rev.GetSnapshot()
	i := slices.IndexFunc(snap.GetTracks(), func(t *ladderv1.Track) bool { return t.GetId() == track })
	if i < 0 {
		return assessment{}, apierr.FailedPrecondition("the directory places %s on track %q, which %s does not have", owner, track, rev.GetName())
	}
	levels := snap.GetTracks()[i].GetLevels()
	j := slices.IndexFunc(levels, func(l *ladderv1.Level) bool { return l.GetId() == level })
	if j < 0 {
		return assessment{}, apierr.FailedPrecondition("the directory places %s at level %q, which track %q of %s does not have", owner, level, track, rev.GetName())
	}
	a := assessment{Owner: owner, Revision: rev.GetName(), Track: track, Level: level, State: int32(ladderv1.Assessment_STATE_DRAFT)}
	for _, l := range levels[j:min(j+2, len(levels))] {
		if l.GetId() != level {
			a.NextLevel = l.GetId()
		}
		for _, e := range l.GetExpectations() {
			a.Entries = append(a.Entries, assessmentEntry{Level: l.GetId(), Competency: e.GetCompetency(), Expectation: e.GetDescription()})
		}
	}
	return a, nil
}

// readAssessment reads an assessment the caller may see.
func (s *Server) readAssessment(ctx context.Context, name string) (*versioned.Doc[assessment], assessmentRole, error) {
	owner, resolved := splitAssessment(ctx, name)
	role, err := s.roleTowards(ctx, owner)
	if err != nil {
		return nil, stranger, err
	}
	if role == stranger {
		return nil, stranger, apierr.NotFound(resolved)
	}
	doc, err := s.assessments.Get(ctx, resolved)
	return doc, role, err
}

// GetAssessment returns an assessment.
func (s *Server) GetAssessment(ctx context.Context, req *ladderv1.GetAssessmentRequest) (*ladderv1.Assessment, error) {
	doc, _, err := s.readAssessment(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return assessmentToProto(doc), nil
}

// ListAssessments lists an engineer's assessments, newest cycle first.
func (s *Server) ListAssessments(ctx context.Context, req *ladderv1.ListAssessmentsRequest) (*ladderv1.ListAssessmentsResponse, error) {
	owner := assessmentOwner(ctx, req.GetParent())
	role, err := s.roleTowards(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := &ladderv1.ListAssessmentsResponse{}
	if role == stranger {
		return out, nil // as for someone without any: whether they have some is private too
	}
	docs, err := s.assessments.List(ctx, owner+assessmentsInfix, maxAssessments, bson.D{{Key: "data.owner", Value: owner}})
	if err != nil {
		return nil, err
	}
	for i := len(docs) - 1; i >= 0; i-- {
		out.Assessments = append(out.Assessments, assessmentToProto(&docs[i]))
	}
	return out, nil
}

// UpdateAssessment changes the engineer's ratings and evidence.
func (s *Server) UpdateAssessment(ctx context.Context, req *ladderv1.UpdateAssessmentRequest) (*ladderv1.Assessment, error) {
	in := req.GetAssessment()
	doc, role, err := s.readAssessment(ctx, in.GetName())
	if err != nil {
		return nil, err
	}
	if role != engineer {
		return nil, apierr.New(apierr.ErrPermissionDenied, "only the engineer writes their assessment")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("assessment.etag", "send the etag of the version you read")
	}
	var bad apierr.Violations
	for i, e := range in.GetEntries() {
		f := fmt.Sprintf("assessment.entries[%d]", i)
		if e.GetRating() != ladderv1.AssessmentEntry_RATING_UNSPECIFIED && ladderv1.AssessmentEntry_Rating_name[int32(e.GetRating())] == "" {
			bad.Add(f+".rating", "must be RATING_NOT_YET, RATING_MEETING or RATING_EXCEEDING")
		}
		if len(e.GetEvidence()) > maxEvidenceItems {
			bad.Add(f+".evidence", "at most %d items", maxEvidenceItems)
		}
		for _, ev := range e.GetEvidence() {
			if len(ev) > maxEvidenceLen || strings.TrimSpace(ev) == "" {
				bad.Add(f+".evidence", "each item is a link or a few words: not empty, at most %d characters", maxEvidenceLen)
				break
			}
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	doc, err = s.assessments.Apply(ctx, doc.Name, principal.User(ctx), versioned.Expect{ETag: in.GetEtag(), Exists: versioned.MustExist},
		func(cur *versioned.Doc[assessment]) (versioned.Edit[assessment], error) {
			if cur.Data.State != int32(ladderv1.Assessment_STATE_DRAFT) {
				return versioned.Edit[assessment]{}, apierr.FailedPrecondition("the assessment is submitted: it no longer changes")
			}
			next := cur.Data
			next.Entries = slices.Clone(cur.Data.Entries)
			for i, e := range in.GetEntries() {
				k := entryIndex(next.Entries, e.GetLevel(), e.GetCompetency())
				if k < 0 {
					return versioned.Edit[assessment]{}, apierr.Invalid(fmt.Sprintf("assessment.entries[%d]", i),
						"the assessment has no expectation of competency %q at level %q", apierr.Clip(e.GetCompetency(), 63), apierr.Clip(e.GetLevel(), 63))
				}
				next.Entries[k].Rating, next.Entries[k].Evidence = int32(e.GetRating()), trimAll(e.GetEvidence())
			}
			return versioned.Edit[assessment]{Kind: kindAssessmentEdit, Fields: []string{"entries"}, Data: next}, nil
		})
	if err != nil {
		return nil, err
	}
	return assessmentToProto(doc), nil
}

func entryIndex(entries []assessmentEntry, level, competency string) int {
	return slices.IndexFunc(entries, func(e assessmentEntry) bool { return e.Level == level && e.Competency == competency })
}

// SubmitAssessment hands a draft to the manager.
func (s *Server) SubmitAssessment(ctx context.Context, req *ladderv1.SubmitAssessmentRequest) (*ladderv1.Assessment, error) {
	doc, role, err := s.readAssessment(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	if role != engineer {
		return nil, apierr.New(apierr.ErrPermissionDenied, "only the engineer submits their assessment")
	}
	doc, err = s.assessments.Apply(ctx, doc.Name, principal.User(ctx), versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist},
		func(cur *versioned.Doc[assessment]) (versioned.Edit[assessment], error) {
			if cur.Data.State != int32(ladderv1.Assessment_STATE_DRAFT) {
				return versioned.Edit[assessment]{}, apierr.FailedPrecondition("the assessment is submitted already")
			}
			unrated := 0
			for _, e := range cur.Data.Entries {
				if e.Rating == 0 {
					unrated++
				}
			}
			if unrated > 0 {
				return versioned.Edit[assessment]{}, apierr.FailedPrecondition("%d of %d expectations have no rating yet: rate each before submitting", unrated, len(cur.Data.Entries))
			}
			next := cur.Data
			next.State = int32(ladderv1.Assessment_STATE_SUBMITTED)
			return versioned.Edit[assessment]{Kind: "submit", Fields: []string{"state"}, Data: next}, nil
		})
	if err != nil {
		return nil, err
	}
	return assessmentToProto(doc), nil
}

// ReviewAssessment records the manager's review.
func (s *Server) ReviewAssessment(ctx context.Context, req *ladderv1.ReviewAssessmentRequest) (*ladderv1.Assessment, error) {
	doc, role, err := s.readAssessment(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	if role != manager {
		return nil, apierr.New(apierr.ErrPermissionDenied, "the engineer's manager reviews their assessment")
	}
	user := principal.User(ctx)
	doc, err = s.assessments.Apply(ctx, doc.Name, user, versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist},
		func(cur *versioned.Doc[assessment]) (versioned.Edit[assessment], error) {
			if cur.Data.State != int32(ladderv1.Assessment_STATE_SUBMITTED) {
				return versioned.Edit[assessment]{}, apierr.FailedPrecondition("only a submitted assessment is reviewed (this one is %s)",
					strings.ToLower(strings.TrimPrefix(ladderv1.Assessment_State(cur.Data.State).String(), "STATE_")))
			}
			next := cur.Data
			next.Entries = slices.Clone(cur.Data.Entries)
			var bad apierr.Violations
			for i, e := range req.GetEntries() {
				f := fmt.Sprintf("entries[%d]", i)
				k := entryIndex(next.Entries, e.GetLevel(), e.GetCompetency())
				switch {
				case k < 0:
					bad.Add(f, "the assessment has no expectation of competency %q at level %q", apierr.Clip(e.GetCompetency(), 63), apierr.Clip(e.GetLevel(), 63))
					continue
				case e.GetReview() == ladderv1.AssessmentEntry_REVIEW_DIFFER && (e.GetManagerRating() == 0 || e.GetManagerRating() == next.Entries[k].rating()):
					bad.Add(f+".manager_rating", "differing needs a rating of your own, other than the engineer's")
				case e.GetReview() == ladderv1.AssessmentEntry_REVIEW_UNSPECIFIED:
					bad.Add(f+".review", "REVIEW_AGREE or REVIEW_DIFFER")
				case len(e.GetManagerNote()) > maxManagerNote:
					bad.Add(f+".manager_note", "at most %d characters", maxManagerNote)
				}
				next.Entries[k].Review, next.Entries[k].ManagerNote = int32(e.GetReview()), strings.TrimSpace(e.GetManagerNote())
				next.Entries[k].ManagerRating = 0
				if e.GetReview() == ladderv1.AssessmentEntry_REVIEW_DIFFER {
					next.Entries[k].ManagerRating = int32(e.GetManagerRating())
				}
			}
			if err := bad.Err(); err != nil {
				return versioned.Edit[assessment]{}, err
			}
			for _, e := range next.Entries {
				if e.Review == 0 {
					return versioned.Edit[assessment]{}, apierr.Invalid("entries", "review every expectation: %s at %s has no review", e.Competency, e.Level)
				}
			}
			next.State, next.Reviewer, next.ReviewTime = int32(ladderv1.Assessment_STATE_REVIEWED), user, time.Now().UTC().Truncate(time.Millisecond)
			return versioned.Edit[assessment]{Kind: "review", Fields: []string{"entries", "state"}, Data: next}, nil
		})
	if err != nil {
		return nil, err
	}
	return assessmentToProto(doc), nil
}

// rating is the entry's engineer's rating as the API's type.
func (e assessmentEntry) rating() ladderv1.AssessmentEntry_Rating {
	return ladderv1.AssessmentEntry_Rating(e.Rating)
}

// effective is the rating that counts: the manager's where they differ.
func (e assessmentEntry) effective() ladderv1.AssessmentEntry_Rating {
	if e.Review == int32(ladderv1.AssessmentEntry_REVIEW_DIFFER) {
		return ladderv1.AssessmentEntry_Rating(e.ManagerRating)
	}
	return e.rating()
}

// GetGapReport lists what stands between the engineer and the next level.
func (s *Server) GetGapReport(ctx context.Context, req *ladderv1.GetGapReportRequest) (*ladderv1.GapReport, error) {
	doc, _, err := s.readAssessment(ctx, req.GetAssessment())
	if err != nil {
		return nil, err
	}
	return gapReport(doc), nil
}

// gapReport: every expectation not shown to be met — rated not yet, or not
// rated at all — by the rating that counts.
func gapReport(doc *versioned.Doc[assessment]) *ladderv1.GapReport {
	a := assessmentToProto(doc)
	out := &ladderv1.GapReport{Assessment: doc.Name, Level: doc.Data.Level, NextLevel: doc.Data.NextLevel,
		Reviewed: doc.Data.State == int32(ladderv1.Assessment_STATE_REVIEWED)}
	for i, e := range doc.Data.Entries {
		if r := e.effective(); r != ladderv1.AssessmentEntry_RATING_MEETING && r != ladderv1.AssessmentEntry_RATING_EXCEEDING {
			out.Gaps = append(out.Gaps, a.GetEntries()[i])
		}
	}
	return out
}

func assessmentToProto(doc *versioned.Doc[assessment]) *ladderv1.Assessment {
	d := doc.Data
	out := &ladderv1.Assessment{
		Name: doc.Name, FrameworkRevision: d.Revision, Track: d.Track, Level: d.Level, NextLevel: d.NextLevel,
		State: ladderv1.Assessment_State(d.State), Reviewer: d.Reviewer, Etag: doc.ETag(),
		CreateTime: timestamppb.New(doc.CreateTime), UpdateTime: timestamppb.New(doc.UpdateTime),
	}
	if !d.ReviewTime.IsZero() {
		out.ReviewTime = timestamppb.New(d.ReviewTime)
	}
	for _, e := range d.Entries {
		out.Entries = append(out.Entries, &ladderv1.AssessmentEntry{
			Level: e.Level, Competency: e.Competency, Expectation: e.Expectation, Rating: e.rating(), Evidence: e.Evidence,
			Review: ladderv1.AssessmentEntry_Review(e.Review), ManagerRating: ladderv1.AssessmentEntry_Rating(e.ManagerRating), ManagerNote: e.ManagerNote,
		})
	}
	return out
}
