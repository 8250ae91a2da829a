package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// TestRobustness runs random concurrent clients against the real binary —
// saving drafts, submitting, amending, erasing candidates, creating them
// with request ids — kills the process with SIGKILL in the middle of the
// work, round after round, and then checks the recorded history:
//
//   - every scorecard's history is linearizable against its specification
//     (robustness_model_test.go), which includes exactly-once replays of
//     request ids;
//   - every create retried with one request id made at most one candidate;
//   - after a last restart (no client call) and a clean stop, no file of
//     the data directory and no log line holds anything of an erased
//     candidate;
//   - no call answered INTERNAL or UNKNOWN.
//
// The seed decides every client's choices and is printed; timing is the
// machine's, so a replay repeats the choices, not the interleaving. CI runs
// a short run; `make robustness` a longer one (YARDSTICK_ROBUSTNESS=long).
func TestRobustness(t *testing.T) {
	cfg := robustnessConfigOf(t)
	bin := buildYardstick(t)
	dir := t.TempDir()
	run := &robustRun{cfg: cfg, t: t}

	var logs bytes.Buffer
	for round := range cfg.rounds {
		p, grpcAddr := launch(t, bin, dir, &logs)
		run.connect(t, dir, grpcAddr)
		if round == 0 {
			run.setup(t)
		}
		run.round(round, p)
		run.close()
		if round == cfg.rounds-1 {
			p.stop(t)
		}
	}
	// A last start finishes whatever the kills interrupted, with no client
	// call; then every scorecard is read once more, into the history.
	p, grpcAddr := launch(t, bin, dir, &logs)
	run.connect(t, dir, grpcAddr)
	for _, sc := range run.scorecards {
		run.get(context.Background(), 0, sc)
	}
	run.frameworkGet(0)
	run.checkRevisions(t)
	run.checkErased(t)
	run.checkCreates(t)
	run.close()
	p.stop(t)
	if t.Failed() {
		t.Logf("the processes' logs:\n%s", tail(logs.Bytes(), 4000))
	}

	run.checkLinearizable(t)

	run.checkNothingErasedRemains(t, dir, logs.Bytes())
	for _, failure := range run.failures {
		t.Error(failure)
	}
	t.Logf("robustness: %d operations over %d rounds, %d erased candidates, %d revisions published, %d unknown outcomes (replay with YARDSTICK_ROBUSTNESS_SEED=%d)",
		len(run.history), cfg.rounds, len(run.erased), run.revisions, run.unknown, cfg.seed)
}

func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

type robustnessConfig struct {
	seed       uint64
	rounds     int
	roundTime  time.Duration
	clients    int
	candidates int
}

func robustnessConfigOf(t *testing.T) robustnessConfig {
	cfg := robustnessConfig{seed: uint64(time.Now().UnixNano()), rounds: 3, roundTime: 3 * time.Second, clients: 4}
	if os.Getenv("YARDSTICK_ROBUSTNESS") == "long" {
		cfg.rounds, cfg.roundTime, cfg.clients = 12, 8*time.Second, 6
	}
	if s := os.Getenv("YARDSTICK_ROBUSTNESS_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("YARDSTICK_ROBUSTNESS_SEED=%q: %v", s, err)
		}
		cfg.seed = seed
	}
	cfg.candidates = cfg.rounds + 2 // one is erased per round
	t.Logf("robustness seed %d: replay with YARDSTICK_ROBUSTNESS_SEED=%d", cfg.seed, cfg.seed)
	return cfg
}

// process is one run of `yardstick dev`.
type process struct{ cmd *exec.Cmd }

// launch starts `yardstick dev` on dir, on new addresses each time: a port
// the last process listened on may since be the local end of one of the
// clients' connections.
func launch(t *testing.T, bin, dir string, logs *bytes.Buffer) (p *process, grpcAddr string) {
	t.Helper()
	grpcAddr, httpAddr := freeAddr(t), freeAddr(t)
	// No rate limit: the clients are a few callers making hundreds of calls
	// a second, and the test is about what the store does with them.
	cmd := exec.Command(bin, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr, "--rate-limit-rps", "0")
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p = &process{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, grpcAddr
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Signal(syscall.SIGQUIT) // its goroutines, into the logs
			time.Sleep(2 * time.Second)
			b, _ := os.ReadFile(f.Name())
			t.Fatalf("yardstick dev not ready within 60s of its start; its logs end:\n%s", tail(b, 30000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func (p *process) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("yardstick dev stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("yardstick dev did not stop within 30s of SIGTERM")
	}
}

// robustRun is the state of one robustness run: the resources, the
// clients, and the recorded history.
type robustRun struct {
	cfg        robustnessConfig
	t          *testing.T
	conns      []*grpc.ClientConn
	recruiter  feedbackv1.FeedbackServiceClient
	admin      ladderv1.LadderServiceClient
	writers    map[string]feedbackv1.FeedbackServiceClient // interviewer → client
	scorecards []robustScorecard

	mu        sync.Mutex
	history   []porcupine.Operation
	creates   map[string][]string // request id → names its OK answers gave
	erasing   map[int]string      // candidate number → the erase's outcome
	erased    []int               // the candidates gone after the last start
	revisions int                 // the framework's, after the last start
	unknown   int
	failures  []string
}

type robustScorecard struct {
	name, interviewer string
	candidate         int
}

// The interviewers of the run; each writes one scorecard per candidate.
var robustInterviewers = []string{"users/rb-ivan", "users/rb-ines"}

func robustCandidate(k int) string { return fmt.Sprintf("candidates/rb%d", k) }

// robustTrace is text that only candidate k's documents hold: the
// erasure check looks for it in every file.
func robustTrace(k int) string { return fmt.Sprintf("Rbtrace%03dx", k) }

func (r *robustRun) connect(t *testing.T, dir, grpcAddr string) {
	t.Helper()
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	as := func(subject string, role principal.Role) feedbackv1.FeedbackServiceClient {
		tok, err := auth.MintDev(key, subject, []principal.Role{role}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.Bearer(tok)))
		if err != nil {
			t.Fatal(err)
		}
		r.conns = append(r.conns, cc)
		return feedbackv1.NewFeedbackServiceClient(cc)
	}
	r.recruiter = as("users/rb-rita", principal.Recruiter)
	tok, err := auth.MintDev(key, "users/rb-ada", []principal.Role{principal.Admin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.Bearer(tok)))
	if err != nil {
		t.Fatal(err)
	}
	r.conns = append(r.conns, cc)
	r.admin = ladderv1.NewLadderServiceClient(cc)
	r.writers = map[string]feedbackv1.FeedbackServiceClient{}
	for _, who := range robustInterviewers {
		r.writers[who] = as(who, principal.Interviewer)
	}
	if r.creates == nil {
		r.creates, r.erasing = map[string][]string{}, map[int]string{}
	}
}

func (r *robustRun) close() {
	for _, cc := range r.conns {
		_ = cc.Close()
	}
	r.conns = nil
}

// setup creates the candidates and their interviews, outside the history.
func (r *robustRun) setup(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	in := scInput{Op: opFrameworkCreate, Scorecard: robustFramework, Title: "T0"}
	r.call(0, in, func(ctx context.Context) (scOutput, error) {
		f, err := r.admin.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "rb-fw", Framework: &ladderv1.Framework{
			Title:        in.Title,
			Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}},
			Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
				{Id: "l1", Title: "Engineer", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Builds."}}},
			}}},
		}})
		return frameworkOutput(f), err
	})
	for k := range r.cfg.candidates {
		c, err := r.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: fmt.Sprintf("rb%d", k), Candidate: &feedbackv1.Candidate{
			DisplayName: "Person " + robustTrace(k), Role: "ic", Level: "l3", ExternalId: "ext-" + robustTrace(k),
		}})
		if err != nil {
			t.Fatal(err)
		}
		for i, who := range robustInterviewers {
			iv, err := r.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), InterviewId: fmt.Sprint("i", i),
				Interview: &feedbackv1.Interview{Interviewer: who, Rubric: "rubrics/l3-coding/revisions/1"}})
			if err != nil {
				t.Fatal(err)
			}
			r.scorecards = append(r.scorecards, robustScorecard{name: iv.GetName() + "/scorecard", interviewer: who, candidate: k})
		}
	}
}

// round runs the clients until the round's time is up, erases one
// candidate among their calls, and kills the process in the middle of the
// work — right after the erasure starts — in every round but the last,
// whose process the caller stops cleanly.
func (r *robustRun) round(n int, p *process) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range r.cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.client(ctx, n, c)
		}()
	}
	rng := rand.New(rand.NewPCG(r.cfg.seed, uint64(n)))
	last := n == r.cfg.rounds-1
	time.Sleep(r.cfg.roundTime/3 + time.Duration(rng.Int64N(int64(r.cfg.roundTime/3))))
	erasing, erased := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(erased)
		r.erase(context.Background(), n, erasing)
	}()
	<-erasing
	if last {
		<-erased // an erasure that finishes, among the clients' calls
		time.Sleep(r.cfg.roundTime / 3)
	} else {
		time.Sleep(time.Duration(rng.Int64N(int64(20 * time.Millisecond))))
		cancel() // no new calls: those in flight meet the kill
		p.kill()
	}
	cancel()
	wg.Wait()
}

// client makes random calls as one interviewer or the recruiter until ctx
// ends. It keeps the etag it last saw of each scorecard, and retries calls
// with a request id whose outcome it did not learn.
func (r *robustRun) client(ctx context.Context, round, id int) {
	rng := rand.New(rand.NewPCG(r.cfg.seed, uint64(1000+round*100+id)))
	etags := map[string]string{}
	var retry []pending
	seq := 0
	for ctx.Err() == nil {
		seq++
		if len(retry) > 0 && rng.IntN(2) == 0 {
			p := retry[0]
			retry = retry[1:]
			write := r.write
			if p.in.Scorecard == robustFramework {
				write = r.frameworkWrite
			}
			if out := write(ctx, id, p.sc, p.in); out.Code == outUnknown {
				retry = append(retry, p)
			}
			continue
		}
		if rng.IntN(100) < 15 {
			if p, retryLater := r.frameworkCall(ctx, id, round, seq, rng, etags); retryLater {
				retry = append(retry, p)
			}
			continue
		}
		sc := r.scorecards[rng.IntN(len(r.scorecards))]
		reqID := ""
		if rng.IntN(2) == 0 {
			reqID = fmt.Sprintf("r%d-%d-%d", round, id, seq)
		}
		switch x := rng.IntN(100); {
		case x < 35:
			if out := r.get(ctx, id, sc); out.Code == outOK {
				etags[sc.name] = out.ETag
			}
		case x < 92:
			in := scInput{Scorecard: sc.name, ETag: etags[sc.name], Score: int32(1 + rng.IntN(4)), RequestID: reqID}
			switch {
			case x < 65:
				in.Op, in.RequestID = opUpdate, ""
			case x < 80:
				in.Op = opSubmit
			default:
				in.Op = opAmend
			}
			out := r.write(ctx, id, sc, in)
			switch {
			case out.Code == outOK:
				etags[sc.name] = out.ETag
			case out.Code == outUnknown && in.RequestID != "":
				retry = append(retry, pending{in, sc})
			}
		default:
			r.create(ctx, fmt.Sprintf("c%d-%d-%d", round, id, seq), rng)
		}
	}
}

// pending is a write whose outcome a client did not learn, to retry with
// its request id.
type pending struct {
	in scInput
	sc robustScorecard
}

// robustFramework is the framework the admin edits and publishes.
const robustFramework = "frameworks/rb-fw"

// frameworkCall reads, retitles or publishes the framework; it returns a
// publish to retry when its outcome is unknown.
func (r *robustRun) frameworkCall(ctx context.Context, client, round, seq int, rng *rand.Rand, etags map[string]string) (pending, bool) {
	in := scInput{Scorecard: robustFramework, ETag: etags[robustFramework]}
	switch x := rng.IntN(10); {
	case x < 4:
		if out := r.frameworkGet(client); out.Code == outOK {
			etags[robustFramework] = out.ETag
		}
		return pending{}, false
	case x < 7:
		in.Op, in.Title = opFrameworkUpdate, fmt.Sprint("T", rng.IntN(4))
	default:
		in.Op = opFrameworkPublish
		if rng.IntN(2) == 0 {
			in.RequestID = fmt.Sprintf("p%d-%d-%d", round, client, seq)
		}
	}
	out := r.frameworkWrite(ctx, client, robustScorecard{}, in)
	if out.Code == outOK && out.ETag != "" {
		etags[robustFramework] = out.ETag
	}
	return pending{in: in}, out.Code == outUnknown && in.RequestID != ""
}

func (r *robustRun) frameworkGet(client int) scOutput {
	return r.call(client, scInput{Op: opFrameworkGet, Scorecard: robustFramework}, func(ctx context.Context) (scOutput, error) {
		f, err := r.admin.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: robustFramework})
		return frameworkOutput(f), err
	})
}

func (r *robustRun) frameworkWrite(_ context.Context, client int, _ robustScorecard, in scInput) scOutput {
	return r.call(client, in, func(ctx context.Context) (scOutput, error) {
		if in.Op == opFrameworkUpdate {
			f, err := r.admin.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{
				Name: robustFramework, Etag: in.ETag, Title: in.Title}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
			return frameworkOutput(f), err
		}
		rev, err := r.admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: robustFramework, Etag: in.ETag, RequestId: in.RequestID})
		if err != nil {
			return scOutput{}, err
		}
		return scOutput{Code: outOK, Revision: path.Base(rev.GetName())}, nil
	})
}

// frameworkOutput is what the model follows of a framework.
func frameworkOutput(f *ladderv1.Framework) scOutput {
	out := scOutput{Code: outOK, ETag: f.GetEtag(), Title: f.GetTitle()}
	if f.GetLatestRevision() != "" {
		out.Revision = path.Base(f.GetLatestRevision())
	}
	return out
}

// checkRevisions reads every revision the framework has: each publish made
// one, and a kill cannot leave a number without its revision.
func (r *robustRun) checkRevisions(t *testing.T) {
	t.Helper()
	f, err := r.admin.GetFramework(context.Background(), &ladderv1.GetFrameworkRequest{Name: robustFramework})
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := strconv.Atoi(path.Base(f.GetLatestRevision()))
	for n := 1; n <= latest; n++ {
		name := fmt.Sprintf("%s/revisions/%d", robustFramework, n)
		if _, err := r.admin.GetFrameworkRevision(context.Background(), &ladderv1.GetFrameworkRevisionRequest{Name: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	r.revisions = latest
}

// call runs one recorded operation, and records it.
func (r *robustRun) call(client int, in scInput, do func(context.Context) (scOutput, error)) scOutput {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now().UnixNano()
	out, err := do(ctx)
	end := time.Now().UnixNano()
	var why string
	if err != nil {
		out, why = scOutput{Code: r.outcomeOf(in, err)}, err.Error()
	}
	if out.Code == outUnknown {
		end = math.MaxInt64 // it may take effect at any time after its call
	}
	r.mu.Lock()
	r.history = append(r.history, porcupine.Operation{ClientId: client, Input: in, Call: start, Output: out, Return: end, Metadata: why})
	r.mu.Unlock()
	return out
}

func (r *robustRun) outcomeOf(in scInput, err error) string {
	switch status.Code(err) {
	case codes.Aborted:
		return outConflict
	case codes.FailedPrecondition:
		return outPrecondition
	case codes.NotFound:
		return outNotFound
	case codes.InvalidArgument:
		return outInvalid
	case codes.AlreadyExists:
		return outExists
	case codes.Internal, codes.Unknown, codes.DataLoss:
		r.mu.Lock()
		r.failures = append(r.failures, fmt.Sprintf("%s %s: %v", in.Op, in.Scorecard, err))
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.unknown++
	r.mu.Unlock()
	return outUnknown
}

func scorecardOutput(sc *feedbackv1.Scorecard) scOutput {
	out := scOutput{Code: outOK, ETag: sc.GetEtag(), Submitted: sc.GetState() == feedbackv1.Scorecard_STATE_SUBMITTED}
	if len(sc.GetRatings()) > 0 {
		out.Score = sc.GetRatings()[0].GetScore()
	}
	return out
}

func (r *robustRun) get(_ context.Context, client int, sc robustScorecard) scOutput {
	in := scInput{Op: opGet, Scorecard: sc.name}
	return r.call(client, in, func(ctx context.Context) (scOutput, error) {
		got, err := r.writers[sc.interviewer].GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: sc.name})
		return scorecardOutput(got), err
	})
}

// ratings rates the three competencies of the demo's coding rubric; the
// first carries the score the model follows.
func ratings(score int32, sc robustScorecard) []*feedbackv1.Rating {
	evidence := fmt.Sprintf("Evidence %s: explained the trade-offs (%d).", robustTrace(sc.candidate), score)
	return []*feedbackv1.Rating{
		{Competency: "technical-skill", Score: &score, Evidence: evidence},
		{Competency: "quality", Score: proto.Int32(3), Evidence: evidence},
		{Competency: "communication", Score: proto.Int32(2), Evidence: evidence},
	}
}

func (r *robustRun) write(_ context.Context, client int, sc robustScorecard, in scInput) scOutput {
	w := r.writers[sc.interviewer]
	return r.call(client, in, func(ctx context.Context) (scOutput, error) {
		var got *feedbackv1.Scorecard
		var err error
		switch in.Op {
		case opUpdate:
			got, err = w.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{
				Name: sc.name, Etag: in.ETag, Ratings: ratings(in.Score, sc),
				Recommendation: feedbackv1.Recommendation_RECOMMENDATION_YES,
				PrivateNote:    "Private " + robustTrace(sc.candidate),
			}})
		case opSubmit:
			got, err = w.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: sc.name, Etag: in.ETag, RequestId: in.RequestID})
		case opAmend:
			got, err = w.AmendScorecard(ctx, &feedbackv1.AmendScorecardRequest{Name: sc.name, Etag: in.ETag, RequestId: in.RequestID,
				Ratings: ratings(in.Score, sc)[:1], Reason: "Reason " + robustTrace(sc.candidate)})
		}
		return scorecardOutput(got), err
	})
}

// erase erases the round's candidate; the erasure is one operation on each
// of its scorecards. started is closed as the call goes out.
func (r *robustRun) erase(_ context.Context, round int, started chan<- struct{}) {
	k := round
	start := time.Now().UnixNano()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	close(started)
	_, err := r.recruiter.DeleteCandidate(ctx, &feedbackv1.DeleteCandidateRequest{Name: robustCandidate(k)})
	end := time.Now().UnixNano()
	out := scOutput{Code: outOK}
	if err != nil {
		out.Code = r.outcomeOf(scInput{Op: opErase, Scorecard: robustCandidate(k)}, err)
	}
	if out.Code == outUnknown {
		end = math.MaxInt64
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.erasing[k] = out.Code
	for _, sc := range r.scorecards {
		if sc.candidate == k {
			r.history = append(r.history, porcupine.Operation{ClientId: 99, Input: scInput{Op: opErase, Scorecard: sc.name}, Call: start, Output: out, Return: end})
		}
	}
}

// create creates a candidate with a request id and no ID, as often as it
// takes to learn the outcome (within the round).
func (r *robustRun) create(ctx context.Context, requestID string, rng *rand.Rand) {
	for attempt := 0; attempt < 3 && ctx.Err() == nil; attempt++ {
		callCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := r.recruiter.CreateCandidate(callCtx, &feedbackv1.CreateCandidateRequest{RequestId: requestID,
			Candidate: &feedbackv1.Candidate{DisplayName: "Once " + requestID, Role: "ic", Level: "l3"}})
		cancel()
		r.mu.Lock()
		if err == nil {
			r.creates[requestID] = append(r.creates[requestID], c.GetName())
		} else if _, ok := r.creates[requestID]; !ok {
			r.creates[requestID] = nil
		}
		r.mu.Unlock()
		if err == nil || rng.IntN(2) == 0 {
			return
		}
	}
}

// checkErased finds which candidates are gone: each whose erasure was
// acknowledged, and each whose erasure's outcome is unknown and took
// effect (it was recorded before the kill, and the start finished it).
func (r *robustRun) checkErased(t *testing.T) {
	t.Helper()
	for k, outcome := range r.erasing {
		_, err := r.recruiter.GetCandidate(context.Background(), &feedbackv1.GetCandidateRequest{Name: robustCandidate(k)})
		switch {
		case status.Code(err) == codes.NotFound:
			r.erased = append(r.erased, k)
		case err != nil:
			t.Fatalf("GetCandidate(%s) = %v", robustCandidate(k), err)
		case outcome == outOK:
			t.Errorf("%s is readable after its erasure was acknowledged", robustCandidate(k))
		}
	}
}

// checkCreates lists every candidate: each request id made at most one,
// and exactly the one its OK answers named.
func (r *robustRun) checkCreates(t *testing.T) {
	t.Helper()
	made := map[string][]string{}
	token := ""
	for {
		resp, err := r.recruiter.ListCandidates(context.Background(), &feedbackv1.ListCandidatesRequest{PageSize: 100, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range resp.GetCandidates() {
			if id, ok := strings.CutPrefix(c.GetDisplayName(), "Once "); ok {
				made[id] = append(made[id], c.GetName())
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	for id, answers := range r.creates {
		names := made[id]
		if len(names) > 1 {
			t.Errorf("request %s made %d candidates: %v", id, len(names), names)
		}
		for _, a := range answers {
			if len(names) != 1 || a != names[0] {
				t.Errorf("request %s answered %s, but made %v", id, a, names)
			}
		}
	}
}

func (r *robustRun) checkLinearizable(t *testing.T) {
	t.Helper()
	model := scorecardModel.ToModel()
	for _, part := range model.Partition(r.history) {
		result, info := porcupine.CheckOperationsVerbose(model, part, time.Minute)
		switch result {
		case porcupine.Ok:
			continue
		case porcupine.Unknown:
			t.Errorf("the linearizability check of %s timed out over %d operations", part[0].Input.(scInput).Scorecard, len(part))
			continue
		}
		out := filepath.Join(os.TempDir(), fmt.Sprintf("yardstick-robustness-%d.html", r.cfg.seed))
		if err := porcupine.VisualizePath(model, info, out); err != nil {
			out = "(no visualization: " + err.Error() + ")"
		}
		t.Errorf("the history of %s is not linearizable; its operations by call time follow, and %s shows them", part[0].Input.(scInput).Scorecard, out)
		slices.SortFunc(part, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
		for _, op := range part {
			ret := "∞"
			if op.Return != math.MaxInt64 {
				ret = strconv.FormatInt((op.Return-part[0].Call)/1e6, 10)
			}
			why, _ := op.Metadata.(string)
			t.Logf("  [%d, %s] ms client %d: %s %.80s", (op.Call-part[0].Call)/1e6, ret, op.ClientId, model.DescribeOperation(op.Input, op.Output), why)
		}
	}
}

// checkNothingErasedRemains reads every file of the data directory, and
// the process logs, for the traces of the erased candidates.
func (r *robustRun) checkNothingErasedRemains(t *testing.T, dir string, logs []byte) {
	t.Helper()
	var traces [][]byte
	for _, k := range r.erased {
		traces = append(traces, []byte(robustTrace(k)))
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, trace := range traces {
			if n := bytes.Count(b, trace); n > 0 {
				t.Errorf("%s holds %d pieces of erased %s", filepath.Base(path), n, trace)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, trace := range traces {
		if bytes.Contains(logs, trace) {
			t.Errorf("the logs hold erased %s", trace)
		}
	}
	// The candidates not erased are still there: the check looks in the
	// right files.
	if kept := robustTrace(r.cfg.candidates - 1); !dirHolds(t, dir, kept) {
		t.Errorf("no file holds %s, which was not erased", kept)
	}
}

func dirHolds(t *testing.T, dir, trace string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(trace)) {
				found = true
			}
		}
		return nil
	})
	return found
}
