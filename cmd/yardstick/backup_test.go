package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// runCommand parses and runs one command line to its end, as main does.
func runCommand(t *testing.T, args ...string) error {
	t.Helper()
	cmd, err := parse(args, nil)
	if err != nil {
		t.Fatalf("parse(%q): %v", args, err)
	}
	return cmd.run(context.Background(), slog.New(slog.DiscardHandler))
}

// apiClients reaches a dev server's gRPC API as the people of a test,
// with tokens signed by its data directory's key.
type apiClients struct {
	cc       *grpc.ClientConn
	fb       feedbackv1.FeedbackServiceClient
	rb       rubricv1.RubricServiceClient
	key      func(subject string, role principal.Role) grpc.CallOption
	admin    grpc.CallOption
	recruit  grpc.CallOption
	closeAll func()
}

func dialAPI(t *testing.T, dataDir, grpcAddr string) *apiClients {
	t.Helper()
	key, err := auth.ReadDevKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	as := func(subject string, role principal.Role) grpc.CallOption {
		tok, err := auth.MintDev(key, subject, []principal.Role{role}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return grpc.PerRPCCredentials(auth.Bearer(tok))
	}
	return &apiClients{
		cc: cc, fb: feedbackv1.NewFeedbackServiceClient(cc), rb: rubricv1.NewRubricServiceClient(cc), key: as,
		admin: as("users/bk-admin", principal.Admin), recruit: as("users/bk-recruiter", principal.Recruiter),
		closeAll: func() { _ = cc.Close() },
	}
}

// A write the server acknowledged: a published rubric revision, or a
// candidate whose interview (on a rubric revision) has a submitted
// scorecard.
type acked struct {
	revision  string // rubrics/…/revisions/N, when the rubric writer
	candidate string
	interview string
	by        string // the interviewer
}

// ackLog records acknowledged writes in order.
type ackLog struct {
	mu   sync.Mutex
	acks []acked
	revs []string // published revisions, newest last
}

func (l *ackLog) add(a acked) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, a)
	if a.revision != "" {
		l.revs = append(l.revs, a.revision)
	}
}

func (l *ackLog) snapshot() (acks []acked, newestRev string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	newestRev = "rubrics/l3-coding/revisions/1" // the seed's
	if len(l.revs) > 0 {
		newestRev = l.revs[len(l.revs)-1]
	}
	return append([]acked(nil), l.acks...), newestRev
}

// backupWriters write through the API until stop closes: one publishes
// rubrics derived from the sample framework; three make candidates whose
// interview uses the newest published rubric revision, and submit its
// scorecard. So the feedback database keeps referring to rubric revisions
// written a moment before: what the snapshots' order must keep whole.
func backupWriters(ctx context.Context, api *apiClients, log *ackLog, stop <-chan struct{}) <-chan error {
	const feedbackWriters = 3
	errs := make(chan error, feedbackWriters+1)
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	go func() {
		for i := 0; !stopped(); i++ {
			r, err := api.rb.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{RubricId: fmt.Sprintf("bk-%d", i), Framework: "frameworks/engineering",
				Track: "ic", Level: "l3", InterviewType: "coding", Competencies: []string{"technical-skill", "quality", "communication"}}, api.admin)
			if err != nil {
				errs <- fmt.Errorf("derive rubric %d: %w", i, err)
				return
			}
			rev, err := api.rb.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName(), Etag: r.GetEtag()}, api.admin)
			if err != nil {
				errs <- fmt.Errorf("publish %s: %w", r.GetName(), err)
				return
			}
			log.add(acked{revision: rev.GetName()})
		}
		errs <- nil
	}()
	for w := range feedbackWriters {
		// Minted here: key fails the test, which only the test's goroutine may do.
		who := fmt.Sprintf("users/bk-interviewer-%d", w)
		interviewer := api.key(who, principal.Interviewer)
		go func() {
			for k := 0; !stopped(); k++ {
				_, rubric := log.snapshot()
				a, err := backupCandidate(ctx, api, interviewer, who, rubric, fmt.Sprintf("bk-%d-%d", w, k))
				if err != nil {
					errs <- err
					return
				}
				log.add(a)
			}
			errs <- nil
		}()
	}
	return errs
}

// backupCandidate makes a candidate with one interview on rubric and
// submits its scorecard.
func backupCandidate(ctx context.Context, api *apiClients, interviewer grpc.CallOption, who, rubric, id string) (acked, error) {
	c, err := api.fb.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id, Candidate: &feedbackv1.Candidate{
		DisplayName: "Candidate " + id, Role: "ic", Level: "l3", ExternalId: "ats-" + id,
	}}, api.recruit)
	if err != nil {
		return acked{}, fmt.Errorf("create candidate %s: %w", id, err)
	}
	iv, err := api.fb.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), InterviewId: "i0",
		Interview: &feedbackv1.Interview{Interviewer: who, Rubric: rubric}}, api.recruit)
	if err != nil {
		return acked{}, fmt.Errorf("add an interview to %s: %w", c.GetName(), err)
	}
	rev, err := api.rb.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: iv.GetRubric()}, api.recruit)
	if err != nil {
		return acked{}, err
	}
	if err := diskScorecard(ctx, api.fb, interviewer, rev, iv.GetName()+"/scorecard"); err != nil {
		return acked{}, fmt.Errorf("%s: %w", iv.GetName(), err)
	}
	return acked{candidate: c.GetName(), interview: iv.GetName(), by: who}, nil
}

// TestBackupWhileWritingRestoresAcknowledgedWrites runs `yardstick dev`,
// writes to all three services through the gRPC API from four clients,
// takes a backup while they write, restores it into an empty directory and
// starts dev on that: every write acknowledged before the backup began is
// there, and what is there is whole — every candidate's interview names a
// rubric revision that exists, and every scorecard is under its candidate.
func TestBackupWhileWritingRestoresAcknowledgedWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	grpcAddr, stopDev := runDev(t, dir)
	api := dialAPI(t, dir, grpcAddr)
	var log ackLog
	stop := make(chan struct{})
	errs := backupWriters(ctx, api, &log, stop)
	waitAcks := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; {
			if acks, _ := log.snapshot(); len(acks) >= n {
				return
			}
			select {
			case err := <-errs:
				t.Fatalf("a writer stopped before the backup: %v", err)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d writes acknowledged within a minute", n)
			}
		}
	}
	waitAcks(30)

	before, _ := log.snapshot()
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	start := time.Now()
	if err := runCommand(t, "backup", "--data-dir", dir, "--out", out); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	during, _ := log.snapshot()
	waitAcks(len(during) + 5) // the writers go on after it, too
	close(stop)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("a writer failed while the backup ran: %v", err)
		}
	}
	api.closeAll()
	stopDev()
	t.Logf("backup took %v; %d writes acknowledged before it, %d while it ran", took.Round(time.Millisecond), len(before), len(during)-len(before))

	restored := filepath.Join(t.TempDir(), "restored")
	if err := runCommand(t, "restore", "--in", out, "--data-dir", restored); err != nil {
		t.Fatal(err)
	}
	grpcAddr, stopDev = runDev(t, restored)
	defer stopDev()
	api = dialAPI(t, restored, grpcAddr)
	defer api.closeAll()

	for _, a := range before {
		if a.revision != "" {
			if _, err := api.rb.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: a.revision}, api.recruit); err != nil {
				t.Errorf("GetRubricRevision(%s) after the restore: %v, want the revision published before the backup", a.revision, err)
			}
			continue
		}
		sc, err := api.fb.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: a.interview + "/scorecard"}, api.key(a.by, principal.Interviewer))
		if err != nil || sc.GetState() != feedbackv1.Scorecard_STATE_SUBMITTED {
			t.Errorf("GetScorecard(%s) after the restore = %v, %v, want the scorecard submitted before the backup", a.interview, sc.GetState(), err)
		}
	}
	checkWhole(t, api)
}

// checkWhole reads every candidate the writers made (bk-…) as the
// recruiter: each interview's rubric revision exists, and its scorecard
// reads back under the candidate.
func checkWhole(t *testing.T, api *apiClients) {
	t.Helper()
	ctx := context.Background()
	seen, token := 0, ""
	for {
		page, err := api.fb.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{PageSize: 1000, PageToken: token}, api.recruit)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.GetCandidates() {
			ivs, err := api.fb.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: c.GetName(), PageSize: 100}, api.recruit)
			if err != nil {
				t.Fatalf("ListInterviews(%s): %v", c.GetName(), err)
			}
			for _, iv := range ivs.GetInterviews() {
				seen++
				if _, err := api.rb.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: iv.GetRubric()}, api.recruit); err != nil {
					t.Errorf("%s names %s, which the restored rubric service does not have: %v", iv.GetName(), iv.GetRubric(), err)
				}
				_, err := api.fb.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: iv.GetName() + "/scorecard"}, api.key(iv.GetInterviewer(), principal.Interviewer))
				if err != nil && status.Code(err) != codes.NotFound {
					t.Errorf("GetScorecard(%s) after the restore: %v", iv.GetName(), err)
				}
			}
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if seen == 0 {
		t.Error("no interview after the restore")
	}
}

// A restore says what to do when the data directory holds anything.
func TestRestoreRefusesANonEmptyDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dev-signing-key.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := runCommand(t, "restore", "--in", filepath.Join(t.TempDir(), "backup.tar.gz"), "--data-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "restore into a new or empty directory") {
		t.Errorf("restore into a non-empty data directory = %v, want a refusal saying what to do", err)
	}
}
