package feedback

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// BenchmarkCalibrationReport measures a role's report over 1,000
// candidates × 5 interviews × 6 competencies, and ten times that: reading
// the scorecards from the store (a list of every candidate, then, as the
// role holds them all, the scorecards in one scan) against computing the
// statistics from them, in the same run — and, as the baseline that chose
// the scan, reading the same scorecards each by _id.
//
//	go test -run '^$' -bench CalibrationReport -benchtime 1x -timeout 60m ./services/feedback/
func BenchmarkCalibrationReport(b *testing.B) {
	for _, candidates := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("candidates=%d", candidates), func(b *testing.B) {
			ctx := context.Background()
			db := mongotest.Database(b)
			store := NewStore(db)
			if err := store.Init(ctx); err != nil {
				b.Fatal(err)
			}
			mongotest.IndexIDs(b, db)
			if err := fillPanels(ctx, db, candidates); err != nil {
				b.Fatal(err)
			}
			s := New(store, nil, Options{})
			var list, read, compute, byID time.Duration
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, _, err := s.candidatesInScope(ctx, &feedbackv1.CalibrationScope{Role: "ic"}); err != nil {
					b.Fatal(err)
				}
				list += time.Since(t0)
				t0 = time.Now()
				cards, _, err := s.cardsInScope(ctx, &feedbackv1.CalibrationScope{Role: "ic"}, viewer{user: "users/bench", hiring: true})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				rep, _ := buildReport(cards, nil, 3, t1)
				compute += time.Since(t1)
				read += t1.Sub(t0)
				if int(rep.GetScorecards()) != candidates*5 {
					b.Fatalf("report covers %d scorecards, want %d", rep.GetScorecards(), candidates*5)
				}
				names := make([]string, len(cards))
				for i, c := range cards {
					names[i] = scorecardName(c.candidate, c.iv.ID)
				}
				t2 := time.Now()
				if _, err := s.submittedScorecards(ctx, names, false); err != nil {
					b.Fatal(err)
				}
				byID += time.Since(t2)
			}
			ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
			b.ReportMetric(ms(list), "list-ms/op")
			b.ReportMetric(ms(read), "read-ms/op")
			b.ReportMetric(ms(compute), "stats-ms/op")
			b.ReportMetric(float64(compute)/float64(read), "stats/read")
			b.ReportMetric(ms(byID), "by-id-ms/op")
		})
	}
}

// fillPanels stores candidates with 5 submitted interviews each (of 30
// interviewers, 6 competencies, scores on 1..4), as the store writes them.
func fillPanels(ctx context.Context, db *mongo.Database, candidates int) error {
	r := rand.New(rand.NewPCG(1, 2))
	comps := []string{"technical-skill", "delivery", "quality", "collaboration", "communication", "leadership"}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var cands, cards []any
	var listed []member
	flush := func() error {
		if len(cands) > 0 {
			if _, err := db.Collection("candidates").InsertMany(ctx, cands); err != nil {
				return err
			}
		}
		if len(cards) > 0 {
			if _, err := db.Collection("scorecards").InsertMany(ctx, cards); err != nil {
				return err
			}
		}
		cands, cards = cands[:0], cards[:0]
		return nil
	}
	for c := range candidates {
		name := fmt.Sprintf("candidates/c%06d", c)
		doc := versioned.Doc[candidate]{Name: name, Version: 1, CreateTime: now, UpdateTime: now,
			Data: candidate{DisplayName: "C", Role: "ic", Level: "l3", State: 1}}
		for k, who := range r.Perm(30)[:5] {
			iv := interview{ID: fmt.Sprint("i", k), Interviewer: fmt.Sprintf("users/u%02d", who), Rubric: "rubrics/r/revisions/1", Focus: comps, CreateTime: now}
			doc.Data.Interviews = append(doc.Data.Interviews, iv)
			sc := scorecard{Interviewer: iv.Interviewer, Rubric: iv.Rubric, Recommendation: 3, Submitted: true, SubmitTime: now.Add(time.Hour)}
			for _, comp := range comps {
				sc.Ratings = append(sc.Ratings, rating{Competency: comp, Score: int32(1 + r.IntN(4)), Evidence: "Evidence of a realistic length for one competency."})
			}
			cards = append(cards, versioned.Doc[scorecard]{Name: scorecardName(name, iv.ID), Version: 2, CreateTime: now, UpdateTime: now, Data: sc})
		}
		cands = append(cands, doc)
		listed = append(listed, member{Name: name, At: now})
		if len(cands) == 200 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, err := db.Collection("memberships").InsertMany(ctx, rawMemberships(roleCandidatesKey("ic"), listed, now))
	return err
}
