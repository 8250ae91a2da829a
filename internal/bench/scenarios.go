package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The scenarios whose runs are bounded by a count as well as by time.
const (
	scenarioSubmit      = "submit"
	scenarioCalibration = "calibration"
)

// opTimeout bounds one operation, so that a stuck call ends a run.
const opTimeout = 60 * time.Second

// operation is one thing a person does, the i-th of a run: it picks whom
// and what by i, so that the clients of a run spread over the data.
type operation func(ctx context.Context, a api, i int) error

// scenario is one kind of work, timed an operation at a time.
type scenario struct {
	id    string // for --scenarios and the table
	who   string // the person who does it
	calls string // what one operation calls
	// requests is how many calls one operation makes (1 when zero).
	requests int
	op       operation
	// prepare, when set, makes fresh data for n operations before a run
	// (untimed) and returns the run's operation instead of op.
	prepare func(ctx context.Context, a api, n int) (operation, error)
}

// ScenarioIDs lists the scenarios in the order they run.
func ScenarioIDs() []string {
	var ids []string
	for _, s := range scenarios(nil) {
		ids = append(ids, s.id)
	}
	return ids
}

// scenarios are what the tool measures, reads first: the draft-and-submit
// scenario adds scorecards, so it runs last and the reads see the size
// that was asked for.
func scenarios(d *dataset) []scenario {
	return []scenario{
		{id: "my-interviews", who: "interviewer", calls: "ListInterviews of `candidates/-`", op: d.myInterviews},
		{id: "debrief", who: "recruiter", calls: fmt.Sprintf("SummarizeCandidate, ListInterviews of the candidate, GetScorecard of each of the %d", PanelSize), requests: 2 + PanelSize, op: d.debrief},
		{id: "compare", who: "recruiter", calls: "CompareCandidates of a role", op: d.compare},
		{id: "list-candidates", who: "recruiter", calls: "ListCandidates of a role (first page)", op: d.listCandidates},
		{id: scenarioCalibration, who: "recruiter", calls: "ComputeCalibration of a role", op: d.calibrate},
		{id: "framework-revision", who: "engineer", calls: "GetFrameworkRevision", op: d.frameworkRevision},
		{id: "rubric-revision", who: "interviewer", calls: "GetRubricRevision", op: d.rubricRevision},
		{id: scenarioSubmit, who: "interviewer", calls: "UpdateScorecard (a complete draft) then SubmitScorecard, on a fresh interview", requests: 2, prepare: d.prepareSubmits},
	}
}

func (d *dataset) myInterviews(ctx context.Context, a api, i int) error {
	p := d.interviewers[i%len(d.interviewers)]
	l, err := a.ListInterviews(ctx, p.token, "candidates/-")
	if err == nil && len(l.GetInterviews()) == 0 {
		err = fmt.Errorf("%s: no interviews listed", p.subject)
	}
	return err
}

func (d *dataset) debrief(ctx context.Context, a api, i int) error {
	c := d.candidates[i%len(d.candidates)]
	s, err := a.SummarizeCandidate(ctx, d.recruiter.token, c.name)
	if err != nil {
		return err
	}
	if int(s.GetScorecards()) != len(c.interviews) {
		return fmt.Errorf("%s: the summary counts %d scorecards, want %d", c.name, s.GetScorecards(), len(c.interviews))
	}
	l, err := a.ListInterviews(ctx, d.recruiter.token, c.name)
	if err != nil {
		return err
	}
	if len(l.GetInterviews()) != len(c.interviews) {
		return fmt.Errorf("%s: %d interviews listed, want %d", c.name, len(l.GetInterviews()), len(c.interviews))
	}
	for _, iv := range c.interviews {
		if _, err := a.GetScorecard(ctx, d.recruiter.token, iv+"/scorecard"); err != nil {
			return err
		}
	}
	return nil
}

func (d *dataset) compare(ctx context.Context, a api, i int) error {
	role := d.roles[i%len(d.roles)]
	r, err := a.CompareCandidates(ctx, d.recruiter.token, role)
	if err == nil && len(r.GetCandidates()) == 0 {
		err = fmt.Errorf("%s: no candidates compared", role)
	}
	return err
}

func (d *dataset) listCandidates(ctx context.Context, a api, i int) error {
	role := d.roles[i%len(d.roles)]
	l, err := a.ListCandidates(ctx, d.recruiter.token, role)
	if err == nil && len(l.GetCandidates()) == 0 {
		err = fmt.Errorf("%s: no candidates listed", role)
	}
	return err
}

func (d *dataset) calibrate(ctx context.Context, a api, i int) error {
	role := d.roles[i%len(d.roles)]
	r, err := a.ComputeCalibration(ctx, d.recruiter.token, role)
	if err == nil && r.GetScorecards() == 0 {
		err = fmt.Errorf("%s: a calibration of no scorecards", role)
	}
	return err
}

func (d *dataset) frameworkRevision(ctx context.Context, a api, _ int) error {
	_, err := a.GetFrameworkRevision(ctx, d.employee.token, d.framework)
	return err
}

func (d *dataset) rubricRevision(ctx context.Context, a api, i int) error {
	p := d.interviewers[i%len(d.interviewers)]
	_, err := a.GetRubricRevision(ctx, p.token, d.rubrics[i%len(d.rubrics)].GetName())
	return err
}

// prepareSubmits makes n fresh interviews (in panels, for candidates of
// a role of their own) and returns the operation that drafts and submits
// the i-th one's scorecard as its interviewer.
func (d *dataset) prepareSubmits(ctx context.Context, _ api, n int) (operation, error) {
	type fresh struct {
		interviewer person
		draft       *feedbackv1.Scorecard
	}
	pool := make([]fresh, 0, n)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.cfg.SeedConcurrency)
	for left := n; left > 0; left -= PanelSize {
		k := len(d.candidates) + int(d.made.Add(1)) - 1
		g.Go(func() error {
			c, err := d.seedCandidate(gctx, fmt.Sprintf("%s-w%06d", d.prefix, k+1), d.writesRole, k, min(PanelSize, left), false)
			if err != nil {
				return err
			}
			rng := rand.New(rand.NewPCG(uint64(k), 3))
			mu.Lock()
			defer mu.Unlock()
			for slot, iv := range c.interviewers {
				pool = append(pool, fresh{d.interviewers[iv], d.scorecard(c.interviews[slot]+"/scorecard", d.rubrics[panel[slot]], d.leniency[iv], rng)})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, a api, i int) error {
		if i >= len(pool) {
			return fmt.Errorf("only %d fresh interviews were made", len(pool))
		}
		f := pool[i]
		saved, err := a.UpdateScorecard(ctx, f.interviewer.token, f.draft)
		if err != nil {
			return err
		}
		_, err = a.SubmitScorecard(ctx, f.interviewer.token, saved.GetName(), saved.GetEtag())
		return err
	}, nil
}

// measure runs op with clients concurrent callers until duration has
// passed or limit operations (when positive) have started. Operation 0 is
// a warm-up, untimed; if it fails, so does the run, without going on.
func measure(ctx context.Context, clients int, duration time.Duration, limit int, op func(ctx context.Context, i int) error) Stats {
	call := bounded(ctx, op)
	if err := call(0); err != nil {
		return warmUpFailed(err)
	}
	var (
		next atomic.Int64 // the next operation's index
		t    tally
		wg   sync.WaitGroup
	)
	next.Store(1)
	start := time.Now()
	deadline := start.Add(duration)
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if limit > 0 && i > limit {
					break
				}
				t0 := time.Now()
				err := call(i)
				t.add(time.Since(t0), err)
			}
		})
	}
	wg.Wait()
	return t.stats(time.Since(start))
}

// bounded calls op with each call bounded by opTimeout.
func bounded(ctx context.Context, op func(ctx context.Context, i int) error) func(i int) error {
	return func(i int) error {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		return op(ctx, i)
	}
}
