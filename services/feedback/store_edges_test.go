package feedback_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc/codes"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// The regression cases of the store review's findings: each failed on the
// store as it was, in most trials.

// Finding 1: concurrent creates with one request_id and no candidate_id
// made a candidate each.
func TestConcurrentCreatesWithOneRequestIDMakeOneCandidate(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	for trial := range 4 {
		const attempts = 5
		var wg sync.WaitGroup
		names := make([]string, attempts)
		errs := make([]error, attempts)
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{
					RequestId: fmt.Sprint("create-once-", trial), Candidate: &feedbackv1.Candidate{DisplayName: "Una Once", Role: "ic", Level: "l2"},
				})
				names[i], errs[i] = c.GetName(), err
			}()
		}
		wg.Wait()
		for i := range attempts {
			if errs[i] != nil || names[i] != names[0] {
				t.Errorf("trial %d, attempt %d = %q, %v, want the first attempt's %q", trial, i, names[i], errs[i], names[0])
			}
		}
	}
	list, err := e.recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{})
	if err != nil || len(list.GetCandidates()) != 4 {
		t.Errorf("ListCandidates() = %d candidates, %v, want 4 (one per request)", len(list.GetCandidates()), err)
	}
}

// Finding 2: an erase racing a submit left the submit's change record,
// which came back as the scorecard of a new candidate of the same ID. Now
// nothing of the candidate survives, and the ID cannot be used again.
func TestEraseRacingWritesLeavesNothing(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	const trials = 6
	for trial := range trials {
		id := fmt.Sprint("race-", trial)
		cand, ivs := e.candidate(t, id, ivan, ines)
		drafts := []*feedbackv1.Scorecard{e.fill(t, ivan, ivs[0], 3, 3, false), e.fill(t, ines, ivs[1], 2, 2, false)}
		var wg sync.WaitGroup
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, _ = e.as(ivan).SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: drafts[0].GetName(), RequestId: "submit-" + id})
		}()
		go func() {
			defer wg.Done()
			in := complete(drafts[1].GetName(), 4, 4)
			in.Etag, in.PrivateNote = drafts[1].GetEtag(), "Late note on "+id
			_, _ = e.as(ines).UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: in})
		}()
		go func() {
			defer wg.Done()
			if trial%2 == 1 {
				time.Sleep(time.Duration(trial) * time.Millisecond)
			}
			if _, err := e.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: cand.GetName()}); err != nil {
				t.Errorf("DeleteCandidate(%s) = %v", id, err)
			}
		}()
		wg.Wait()
		// The ID is not used again: no record of the erased candidate can
		// roll into a new one.
		_, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id, Candidate: &feedbackv1.Candidate{DisplayName: "New Person", Role: "ic", Level: "l2"}})
		wantCode(t, err, codes.FailedPrecondition, "")
	}
	assertNoTrace(t, e, "race-", "Late note on", "submit-race")
}

// Finding 3: an erase interrupted by a crash was not finished on restart.
// The store's start-up finishes it, from any step, without a client call.
func TestStartUpFinishesAnInterruptedErasure(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	cand, ivs := e.candidate(t, "halfway", ivan, ines)
	e.fill(t, ivan, ivs[0], 3, 3, true)
	e.fill(t, ines, ivs[1], 2, 2, false)
	db := mongotest.Client(t).Database(e.DatabasePrefix + "feedback")
	// The process died just after recording the erasure (step 1): the
	// in-flight record names the candidate, nothing else happened yet.
	inFlight := bson.D{{Key: "_id", Value: cand.GetName()}, {Key: "time", Value: time.Now()}, {Key: "role", Value: "ic"}}
	if _, err := db.Collection("erasures_in_flight").InsertOne(ctx, inFlight); err != nil {
		t.Fatal(err)
	}
	if err := feedback.NewStore(db).Init(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: cand.GetName()})
	wantCode(t, err, codes.NotFound, "")
	assertNoTrace(t, e, "candidates/halfway")
	_, err = e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: "halfway", Candidate: &feedbackv1.Candidate{DisplayName: "New", Role: "ic", Level: "l2"}})
	wantCode(t, err, codes.FailedPrecondition, "")
}

// Another replica that died in the middle of an erasure leaves it to the
// running ones: each looks for unfinished erasures now and then.
func TestARunningServiceFinishesAnotherReplicasErasure(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	cand, ivs := e.candidate(t, "elsewhere", ivan)
	e.fill(t, ivan, ivs[0], 3, 3, true)
	db := mongotest.Client(t).Database(e.DatabasePrefix + "feedback")
	inFlight := bson.D{{Key: "_id", Value: cand.GetName()}, {Key: "time", Value: time.Now()}, {Key: "role", Value: "ic"}}
	if _, err := db.Collection("erasures_in_flight").InsertOne(ctx, inFlight); err != nil {
		t.Fatal(err)
	}
	sweepCtx, stop := context.WithCancel(ctx)
	defer stop()
	go feedback.NewStore(db).FinishErasuresEvery(sweepCtx, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		open, err := db.Collection("erasures_in_flight").CountDocuments(ctx, bson.D{})
		if err == nil && open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d erasures still open 5 s after one was left to the others (%v)", open, err)
		}
	}
	stop()
	_, err := e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: cand.GetName()})
	wantCode(t, err, codes.NotFound, "")
	assertNoTrace(t, e, "candidates/elsewhere")
}

// assertNoTrace reads every document of the feedback database, raw, and
// fails on any that holds one of the traces.
func assertNoTrace(t *testing.T, e *env, traces ...string) {
	t.Helper()
	ctx := context.Background()
	db := mongotest.Client(t).Database(e.DatabasePrefix + "feedback")
	colls, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, coll := range colls {
		cur, err := db.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			for _, trace := range traces {
				if strings.Contains(d.String(), trace) {
					t.Errorf("%s still holds %q: %.300s", coll, trace, d)
				}
			}
		}
	}
}
