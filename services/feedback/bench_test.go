package feedback_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

var benchScales = flag.String("scale", "1000,50000", "how many scorecards BenchmarkFeedbackAtScale stores, comma-separated")

// BenchmarkFeedbackAtScale measures the feedback service's hot paths and
// pages with 1k and 50k other scorecards stored, in ten other roles, by
// other interviewers (each with its two change records, draft and submit;
// their candidates, panels of six, listed over two years; their
// interviewers' lists, ten interviews each), each alternated in one loop
// with the raw driver's nearest operation on the same collections. The
// role "ic" and the interviewer "bench-busy" hold the same data at every
// scale: twenty candidates with panels of five, every scorecard submitted,
// the busy interviewer on each panel.
//
//   - Submit: SubmitScorecard of a saved draft (a fresh one each time,
//     saved outside the measured part) vs InsertOne of a same-size
//     scorecard document;
//   - GetScorecard: a recruiter's read of one submitted scorecard vs
//     FindOne of the same scorecard document;
//   - AddInterview: CreateInterview for the busy interviewer (whose list
//     grows by one each time) vs InsertOne of a candidate document;
//   - Summarize: SummarizeCandidate of a five-interview panel vs FindOne of
//     the candidate document;
//   - MyInterviews: the busy interviewer's first page of "my interviews",
//     latest first (the web page) vs FindOne of their list's head;
//   - RoleCandidates, Compare, Calibration: the role's first page of
//     candidates, its comparison, its calibration report vs FindOne of a
//     candidate document.
//
// The targets: each within 2x between 1k and 50k; Submit within 4x of the
// raw insert, GetScorecard within 2x of the raw read.
//
//	go test -run '^$' -bench FeedbackAtScale -benchtime 1s -timeout 30m ./services/feedback/
func BenchmarkFeedbackAtScale(b *testing.B) {
	ctx := context.Background()
	e := testenv.Start(b, testenv.Options{})
	db := mongotest.Client(b).Database(e.DatabasePrefix + "feedback")
	rev := benchRubric(ctx, b, e)
	recruiter := e.FeedbackAs("users/bench-recruiter", principal.Recruiter)
	interviewer := func(user string) feedbackv1.FeedbackServiceClient { return e.FeedbackAs(user, principal.Interviewer) }
	draft := benchDraft(rev)

	// The role "ic": twenty candidates, panels of five, every scorecard
	// submitted; the busy interviewer on each panel.
	const busy = "users/bench-busy"
	var oneScorecard string
	for c := range 20 {
		id := fmt.Sprintf("bench-ic-%d", c)
		if _, err := recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id, Candidate: benchCandidate("IC " + strconv.Itoa(c))}); err != nil {
			b.Fatal(err)
		}
		for k := range 5 {
			user := busy
			if k > 0 {
				user = fmt.Sprintf("users/bench-panel-%d", (c+k)%8)
			}
			iv, err := recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: "candidates/" + id, Interview: &feedbackv1.Interview{
				Interviewer: user, Rubric: rev.GetName(), ScheduledTime: timestamppb.New(time.Now().Add(time.Duration(c-10) * 24 * time.Hour)),
			}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := benchSaveAndSubmit(ctx, interviewer(user), iv.GetName()+"/scorecard", draft, true); err != nil {
				b.Fatal(err)
			}
			oneScorecard = iv.GetName() + "/scorecard"
		}
	}

	// Drafts to submit, made as the loop needs them: six interviews to a
	// candidate of another role, each saved by its interviewer.
	const submitter = "users/bench-submitter"
	drafts := 0
	nextDraft := func() (*feedbackv1.Scorecard, error) {
		cand := fmt.Sprintf("bench-submit-%d", drafts/6)
		if drafts%6 == 0 {
			if _, err := recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: cand, Candidate: benchCandidateOf("Submit", "submit")}); err != nil {
				return nil, err
			}
		}
		drafts++
		iv, err := recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: "candidates/" + cand, Interview: &feedbackv1.Interview{Interviewer: submitter, Rubric: rev.GetName()}})
		if err != nil {
			return nil, err
		}
		return benchSaveAndSubmit(ctx, interviewer(submitter), iv.GetName()+"/scorecard", draft, false)
	}
	// Candidates to add the busy interviewer's interviews to, in another role.
	adds := 0
	nextAdd := func() (string, error) {
		cand := fmt.Sprintf("bench-add-%d", adds/5)
		if adds%5 == 0 {
			if _, err := recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: cand, Candidate: benchCandidateOf("Add", "adds")}); err != nil {
				return "", err
			}
		}
		adds++
		return "candidates/" + cand, nil
	}

	scorecards, changes, candidates := db.Collection("scorecards"), db.Collection("scorecard_changes"), db.Collection("candidates")
	findCandidate := func() error {
		return candidates.FindOne(ctx, bson.D{{Key: "_id", Value: "candidates/bench-ic-7"}}).Err()
	}
	raw := 0 // the raw inserts' documents, across runs
	stored := 0
	for _, field := range strings.Split(*benchScales, ",") {
		n, err := strconv.Atoi(field)
		if err != nil {
			b.Fatalf("-scale: %v", err)
		}
		if err := benchFill(ctx, db, stored, n); err != nil {
			b.Fatal(err)
		}
		stored = n
		b.Run(fmt.Sprintf("scorecards=%d/Submit", n), func(b *testing.B) {
			var next *feedbackv1.Scorecard
			benchAlternate(b, func() (err error) {
				next, err = nextDraft()
				return err
			}, func() error {
				_, err := interviewer(submitter).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: next.GetName(), Etag: next.GetEtag(), RequestId: "bench-" + strconv.Itoa(drafts)})
				return err
			}, func() error {
				raw++
				_, err := scorecards.InsertOne(ctx, benchScorecardDoc(fmt.Sprintf("candidates/bench-raw-%d/interviews/i0/scorecard", raw), "users/bench-raw", rev.GetName(), 2, true))
				return err
			})
		})
		b.Run(fmt.Sprintf("scorecards=%d/GetScorecard", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				sc, err := recruiter.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: oneScorecard})
				if err == nil && sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
					err = fmt.Errorf("scorecard in state %v", sc.GetState())
				}
				return err
			}, func() error {
				return scorecards.FindOne(ctx, bson.D{{Key: "_id", Value: oneScorecard}}).Err()
			})
		})
		b.Run(fmt.Sprintf("scorecards=%d/AddInterview", n), func(b *testing.B) {
			var cand string
			benchAlternate(b, func() (err error) {
				cand, err = nextAdd()
				return err
			}, func() error {
				_, err := recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: cand, Interview: &feedbackv1.Interview{
					Interviewer: busy, Rubric: rev.GetName(), ScheduledTime: timestamppb.New(time.Now().Add(time.Duration(adds) * time.Hour)),
				}})
				return err
			}, func() error {
				raw++
				d := benchCandidateDoc(raw, time.Now())
				d[0].Value = fmt.Sprintf("candidates/bench-raw-%d", raw)
				_, err := candidates.InsertOne(ctx, d)
				return err
			})
		})
		b.Run(fmt.Sprintf("scorecards=%d/Summarize", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				s, err := recruiter.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: "candidates/bench-ic-7"})
				if err == nil && s.GetScorecards() != 5 {
					err = fmt.Errorf("the summary counts %d scorecards, want 5", s.GetScorecards())
				}
				return err
			}, findCandidate)
		})
		b.Run(fmt.Sprintf("scorecards=%d/MyInterviews", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				l, err := interviewer(busy).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-", OrderBy: "scheduled_time desc", PageSize: 50})
				if err == nil && len(l.GetInterviews()) < 20 {
					err = fmt.Errorf("%d interviews listed, want at least 20", len(l.GetInterviews()))
				}
				return err
			}, func() error {
				return db.Collection("memberships").FindOne(ctx, bson.D{{Key: "_id", Value: busy + "/interviews"}}).Err()
			})
		})
		b.Run(fmt.Sprintf("scorecards=%d/RoleCandidates", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				l, err := recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{Role: "ic", PageSize: 50})
				if err == nil && len(l.GetCandidates()) != 20 {
					err = fmt.Errorf("%d candidates listed, want 20", len(l.GetCandidates()))
				}
				return err
			}, findCandidate)
		})
		b.Run(fmt.Sprintf("scorecards=%d/Compare", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				l, err := recruiter.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: "ic"})
				if err == nil && len(l.GetCandidates()) != 20 {
					err = fmt.Errorf("%d candidates compared, want 20", len(l.GetCandidates()))
				}
				return err
			}, findCandidate)
		})
		b.Run(fmt.Sprintf("scorecards=%d/Calibration", n), func(b *testing.B) {
			benchAlternate(b, nil, func() error {
				r, err := recruiter.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
				if err == nil && r.GetScorecards() != 100 {
					err = fmt.Errorf("the report covers %d scorecards, want 100", r.GetScorecards())
				}
				return err
			}, findCandidate)
		})
		if total, err := changes.EstimatedDocumentCount(ctx); err != nil {
			b.Fatal(err)
		} else if total < int64(2*n) {
			b.Fatalf("%d scorecard change records stored, want at least %d", total, 2*n)
		}
	}
}

// benchAlternate runs setup (unmeasured, may be nil), then the service's
// operation and the raw driver's in turns, and reports both and their ratio.
func benchAlternate(b *testing.B, setup, service, driver func() error) {
	var ts, td time.Duration
	for range b.N {
		if setup != nil {
			b.StopTimer()
			if err := setup(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		t0 := time.Now()
		if err := service(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := driver(); err != nil {
			b.Fatal(err)
		}
		ts += t1.Sub(t0)
		td += time.Since(t1)
	}
	b.ReportMetric(float64(ts.Microseconds())/float64(b.N), "service-µs/op")
	b.ReportMetric(float64(td.Microseconds())/float64(b.N), "driver-µs/op")
	b.ReportMetric(float64(ts)/float64(td), "service/driver")
}

// benchRubric publishes the sample framework and a rubric derived from it,
// and returns the rubric's revision.
func benchRubric(ctx context.Context, b *testing.B, e *testenv.Env) *rubricv1.RubricRevision {
	b.Helper()
	frameworks := e.LadderAs(testenv.AdminSubject, principal.Admin)
	f, err := frameworks.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: ladder.SampleFrameworkID, Content: ladder.SampleFramework})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := frameworks.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		b.Fatal(err)
	}
	rubrics := e.RubricAs(testenv.AdminSubject, principal.Admin)
	r, err := rubrics.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{
		RubricId: "bench", Framework: f.GetName(), Track: "ic", Level: "l3", InterviewType: "coding",
		Competencies: []string{"technical-skill", "quality", "communication"},
	})
	if err != nil {
		b.Fatal(err)
	}
	rev, err := rubrics.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()})
	if err != nil {
		b.Fatal(err)
	}
	return rev
}

func benchCandidate(name string) *feedbackv1.Candidate { return benchCandidateOf(name, "ic") }

func benchCandidateOf(name, role string) *feedbackv1.Candidate {
	return &feedbackv1.Candidate{DisplayName: name, Role: role, Level: "l3", ExternalId: "ats-" + name}
}

// benchDraft is a complete scorecard for rev: every competency scored, with
// evidence of a realistic length.
func benchDraft(rev *rubricv1.RubricRevision) *feedbackv1.Scorecard {
	sc := &feedbackv1.Scorecard{
		Recommendation: feedbackv1.Recommendation_RECOMMENDATION_YES,
		NoteToPanel:    benchText("Note to the panel", 200),
		PrivateNote:    benchText("Private note", 100),
	}
	scale := rev.GetSnapshot().GetScale()
	for i, c := range rev.GetSnapshot().GetCompetencies() {
		score := scale.GetMin() + int32(i)%(scale.GetMax()-scale.GetMin()+1)
		sc.Ratings = append(sc.Ratings, &feedbackv1.Rating{Competency: c.GetId(), Score: &score, Evidence: benchText("Evidence for "+c.GetId(), 300)})
	}
	return sc
}

// benchSaveAndSubmit saves a draft of the scorecard name and, if asked,
// submits it.
func benchSaveAndSubmit(ctx context.Context, c feedbackv1.FeedbackServiceClient, name string, draft *feedbackv1.Scorecard, submit bool) (*feedbackv1.Scorecard, error) {
	sc := &feedbackv1.Scorecard{
		Name: name, Ratings: draft.GetRatings(), Recommendation: draft.GetRecommendation(),
		NoteToPanel: draft.GetNoteToPanel(), PrivateNote: draft.GetPrivateNote(),
	}
	saved, err := c.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc})
	if err != nil || !submit {
		return saved, err
	}
	return c.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: saved.GetEtag()})
}

func benchText(prefix string, size int) string {
	s := prefix + ": the candidate walked through the trade-offs, asked about the load, and tested the edge cases first. "
	return strings.Repeat(s, size/len(s)+1)[:size]
}

// The filler: scorecard i belongs to interview i%6 of candidate i/6, and is
// written by one of six interviewers of a block of ten candidates, so that
// each interviewer has ten interviews, as the bench interviewer has.

func benchFillCandidate(i int) string { return fmt.Sprintf("candidates/fill-%06d", i/6) }

func benchFillInterviewer(i int) string { return fmt.Sprintf("users/fill-%06d", i%6+6*(i/60)) }

func benchFillScorecard(i int) string {
	return fmt.Sprintf("%s/interviews/i%d/scorecard", benchFillCandidate(i), i%6)
}

// benchFill stores scorecards from..to-1 as the store writes them (with a
// change record for the draft and one for the submit), the candidates they
// belong to, and their interviewers' index documents, in batches.
func benchFill(ctx context.Context, db *mongo.Database, from, to int) error {
	const batch = 500
	now := time.Now().UTC().Truncate(time.Millisecond)
	for start := from; start < to; start += batch {
		var scs, scChanges, cands, candChanges, idx []any
		for i := start; i < min(start+batch, to); i++ {
			name := benchFillScorecard(i)
			draft := benchScorecardDoc(name, benchFillInterviewer(i), "rubrics/fill/revisions/1", 1, false)
			submitted := benchScorecardDoc(name, benchFillInterviewer(i), "rubrics/fill/revisions/1", 2, true)
			scs = append(scs, submitted)
			scChanges = append(scChanges, benchChange(name, 1, "update", benchFillInterviewer(i), draft, now), benchChange(name, 2, "submit", benchFillInterviewer(i), submitted, now))
			if i%6 == 0 {
				c := benchCandidateDoc(i, benchFillListed(i, now))
				cands = append(cands, c)
				candChanges = append(candChanges, benchChange(benchFillCandidate(i), 7, "add_interview", "users/bench-recruiter", c, now))
			}
			if i%60 < 6 {
				user := benchFillInterviewer(i)
				var entries []feedback.RawMember
				for k := range 10 {
					entries = append(entries, feedback.RawMember{Name: fmt.Sprintf("%s/interviews/i%d", benchFillCandidate(i+6*k), i%6), At: benchFillListed(i+6*k, now)})
				}
				idx = append(idx, feedback.RawMembershipDocs("interviews", user, entries, now)...)
			}
		}
		if start+batch >= to { // the last batch: every filler candidate's lists, written anew
			if _, err := db.Collection("memberships").DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^(candidates|roles/fill-[0-9]/candidates)(@|$)"}}}}); err != nil {
				return err
			}
			byRole := map[string][]string{}
			var all []string
			for c := 0; c < to; c += 6 {
				byRole[benchFillRole(c)] = append(byRole[benchFillRole(c)], benchFillCandidate(c))
				all = append(all, benchFillCandidate(c))
			}
			idx = append(idx, benchListed("all", "", all, now)...)
			for role, names := range byRole {
				idx = append(idx, benchListed("role", role, names, now)...)
			}
		}
		for _, w := range []struct {
			coll string
			docs []any
		}{
			{"scorecards", scs}, {"scorecard_changes", scChanges},
			{"candidates", cands}, {"candidate_changes", candChanges},
			{"memberships", idx},
		} {
			if len(w.docs) == 0 {
				continue
			}
			if _, err := db.Collection(w.coll).InsertMany(ctx, w.docs); err != nil {
				return fmt.Errorf("fill %s: %w", w.coll, err)
			}
		}
	}
	return nil
}

// benchScorecardDoc is a scorecard document of about 1.5 KB, shaped as the
// store keeps it: three ratings with evidence, a recommendation and notes.
func benchScorecardDoc(name, interviewer, rubric string, version int64, submitted bool) bson.D {
	now := time.Now().UTC().Truncate(time.Millisecond)
	var ratings bson.A
	for k, comp := range []string{"technical-skill", "quality", "communication"} {
		ratings = append(ratings, bson.D{{Key: "competency", Value: comp}, {Key: "score", Value: int32(1 + k)}, {Key: "evidence", Value: benchText("Evidence for "+comp, 300)}})
	}
	data := bson.D{
		{Key: "interviewer", Value: interviewer}, {Key: "rubric", Value: rubric}, {Key: "ratings", Value: ratings},
		{Key: "recommendation", Value: int32(feedbackv1.Recommendation_RECOMMENDATION_YES)},
		{Key: "note_to_panel", Value: benchText("Note to the panel", 200)}, {Key: "private_note", Value: benchText("Private note", 100)},
		{Key: "submitted", Value: submitted},
	}
	if submitted {
		data = append(data, bson.E{Key: "submit_time", Value: now}, bson.E{Key: "submitter", Value: interviewer}, bson.E{Key: "submit_version", Value: version})
	}
	return bson.D{
		{Key: "_id", Value: name}, {Key: "version", Value: version}, {Key: "deleted", Value: false},
		{Key: "create_time", Value: now}, {Key: "update_time", Value: now}, {Key: "data", Value: data},
	}
}

// benchFillRole is the role of filler scorecard i's candidate: one of ten,
// none of them the benchmark's own.
func benchFillRole(i int) string { return fmt.Sprintf("fill-%d", (i/6)%10) }

// benchFillListed is when filler scorecard i's candidate was listed: the
// fillers arrive every two hours back from now, as a company with 200
// interviewers would produce them (25,000 scorecards a year).
func benchFillListed(i int, now time.Time) time.Time {
	return now.Add(-time.Duration(i/6) * 2 * time.Hour)
}

// benchListed lists filler candidates as membership.go does, each at its
// filler time.
func benchListed(kind, key string, names []string, now time.Time) []any {
	members := make([]feedback.RawMember, len(names))
	for k, name := range names {
		var i int
		fmt.Sscanf(strings.TrimPrefix(name, "candidates/fill-"), "%d", &i)
		members[k] = feedback.RawMember{Name: name, At: benchFillListed(i*6, now)}
	}
	return feedback.RawMembershipDocs(kind, key, members, now)
}

// benchCandidateDoc is the candidate of scorecard i (its first interview),
// with its six interviews, listed at a time.
func benchCandidateDoc(i int, now time.Time) bson.D {
	var interviews bson.A
	for k := range 6 {
		interviews = append(interviews, bson.D{
			{Key: "id", Value: "i" + strconv.Itoa(k)}, {Key: "interviewer", Value: benchFillInterviewer(i + k)},
			{Key: "rubric", Value: "rubrics/fill/revisions/1"}, {Key: "focus", Value: bson.A{"technical-skill", "quality", "communication"}},
			{Key: "scheduled_time", Value: now}, {Key: "create_time", Value: now},
		})
	}
	return bson.D{
		{Key: "_id", Value: benchFillCandidate(i)}, {Key: "version", Value: 7}, {Key: "deleted", Value: false},
		{Key: "create_time", Value: now}, {Key: "update_time", Value: now},
		{Key: "data", Value: bson.D{
			{Key: "display_name", Value: fmt.Sprintf("Filler %d", i/6)}, {Key: "role", Value: benchFillRole(i)}, {Key: "level", Value: "l3"},
			{Key: "external_id", Value: fmt.Sprintf("ats-%d", i/6)}, {Key: "state", Value: int32(feedbackv1.Candidate_STATE_ACTIVE)},
			{Key: "interviews", Value: interviews}, {Key: "listed", Value: now},
		}},
	}
}

// benchChange is a change record as the store writes it, with the document
// it produced.
func benchChange(resource string, version int64, kind, actor string, after bson.D, now time.Time) bson.D {
	return bson.D{
		{Key: "_id", Value: resource + "#" + strconv.FormatInt(version, 10)}, {Key: "resource", Value: resource}, {Key: "version", Value: version},
		{Key: "kind", Value: kind}, {Key: "actor", Value: actor}, {Key: "time", Value: now}, {Key: "after", Value: after},
	}
}
