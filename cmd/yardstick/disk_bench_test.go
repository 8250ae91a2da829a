package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// BenchmarkDiskPerThousandScorecards measures what the embedded store keeps
// on disk for 1,000 scorecards stored through the API of `yardstick dev`:
// 200 candidates with panels of five, each scorecard saved as a draft three
// times (its ratings filled in one by one, then the notes) and submitted.
// It reports the data directory's size after a clean stop, less the size of
// a freshly seeded one, per 1,000 scorecards; the size while running (the
// SQLite write-ahead logs included); and logs each table's share.
//
//	go test -run '^$' -bench DiskPerThousandScorecards -benchtime 1x ./cmd/yardstick/
func BenchmarkDiskPerThousandScorecards(b *testing.B) {
	candidates, panel := *diskCandidates, 5
	for range b.N {
		b.StopTimer()
		empty := b.TempDir()
		_, stopDev := runDev(b, empty)
		stopDev()
		seeded := dirSize(b, empty)

		dir := b.TempDir()
		addr, stopDev := runDev(b, dir)
		b.StartTimer()
		diskWorkload(b, dir, addr, candidates, panel)
		b.StopTimer()
		running := dirSize(b, dir)
		stopDev()
		stopped := dirSize(b, dir)
		per1k := func(n int64) float64 { return float64(n-seeded) / 1e6 * 1000 / float64(candidates*panel) }
		b.ReportMetric(per1k(stopped), "MB/1k-scorecards")
		b.ReportMetric(per1k(running), "MB/1k-running")
		b.Logf("data directory: %.1f MB seeded, %.1f MB running, %.1f MB after a clean stop", float64(seeded)/1e6, float64(running)/1e6, float64(stopped)/1e6)
		if *diskKeep != "" { // as the stop left it: measuring opens the files
			if err := os.CopyFS(*diskKeep, os.DirFS(filepath.Join(dir, "db"))); err != nil {
				b.Fatal(err)
			}
		}
		for _, line := range tableSizes(b, filepath.Join(dir, "db")) {
			b.Log(line)
		}
	}
}

var (
	diskCandidates = flag.Int("disk-candidates", 200, "how many candidates, with five scorecards each, BenchmarkDiskPerThousandScorecards stores")
	diskKeep       = flag.String("disk-keep", "", "where BenchmarkDiskPerThousandScorecards copies the data directory it measured")
)

// runDev runs `yardstick dev` on dir until the returned function stops it
// cleanly, and returns its gRPC address.
func runDev(tb testing.TB, dir string) (grpcAddr string, stop func()) {
	tb.Helper()
	httpAddr := freeAddr(tb)
	grpcAddr = freeAddr(tb)
	cmd, err := parseDev([]string{"--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr, "--rate-limit-rps", "0"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.run(ctx, slog.New(slog.DiscardHandler)) }()
	waitReady(tb, httpAddr)
	return grpcAddr, func() {
		cancel()
		if err := <-done; err != nil {
			tb.Fatal(err)
		}
	}
}

// diskWorkload stores candidates×panel scorecards through the gRPC API, four
// candidates at a time.
func diskWorkload(b *testing.B, dir, addr string, candidates, panel int) {
	b.Helper()
	ctx := context.Background()
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		b.Fatal(err)
	}
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	as := func(subject string, role principal.Role) grpc.CallOption {
		tok, err := auth.MintDev(key, subject, []principal.Role{role}, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		return grpc.PerRPCCredentials(auth.Bearer(tok))
	}
	fb := feedbackv1.NewFeedbackServiceClient(cc)
	recruiter := as("users/disk-recruiter", principal.Recruiter)
	const rubric = "rubrics/l3-coding/revisions/1"
	rev, err := rubricv1.NewRubricServiceClient(cc).GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: rubric}, recruiter)
	if err != nil {
		b.Fatal(err)
	}
	// Fifty interviewers, twenty interviews each.
	interviewers := make([]grpc.CallOption, 50)
	for i := range interviewers {
		interviewers[i] = as(fmt.Sprintf("users/disk-interviewer-%02d", i), principal.Interviewer)
	}
	work := make(chan int)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				if err := diskCandidate(ctx, fb, recruiter, interviewers, rev, k, panel); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for k := range candidates {
		select {
		case work <- k:
		case err := <-errs:
			close(work)
			wg.Wait()
			b.Fatal(err)
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// diskCandidate creates candidate k with its panel and has every
// interviewer save a draft three times and submit it.
func diskCandidate(ctx context.Context, fb feedbackv1.FeedbackServiceClient, recruiter grpc.CallOption, interviewers []grpc.CallOption, rev *rubricv1.RubricRevision, k, panel int) error {
	c, err := fb.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: fmt.Sprintf("disk-%04d", k), Candidate: &feedbackv1.Candidate{
		DisplayName: fmt.Sprintf("Candidate %04d", k), Role: "ic", Level: "l3", ExternalId: fmt.Sprintf("ats-%06d", k),
	}}, recruiter)
	if err != nil {
		return fmt.Errorf("create candidate %d: %w", k, err)
	}
	for i := range panel {
		who := (k*panel + i) % len(interviewers)
		iv, err := fb.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: c.GetName(), InterviewId: fmt.Sprint("i", i),
			Interview: &feedbackv1.Interview{Interviewer: fmt.Sprintf("users/disk-interviewer-%02d", who), Rubric: rev.GetName()}}, recruiter)
		if err != nil {
			return fmt.Errorf("add interview %d to %s: %w", i, c.GetName(), err)
		}
		if err := diskScorecard(ctx, fb, interviewers[who], rev, iv.GetName()+"/scorecard"); err != nil {
			return fmt.Errorf("%s: %w", iv.GetName(), err)
		}
	}
	return nil
}

// diskScorecard saves a scorecard of about 1.5 KB in three drafts — the
// ratings one by one, the recommendation and notes with the last — and
// submits it.
func diskScorecard(ctx context.Context, fb feedbackv1.FeedbackServiceClient, as grpc.CallOption, rev *rubricv1.RubricRevision, name string) error {
	comps := rev.GetSnapshot().GetCompetencies()
	scale := rev.GetSnapshot().GetScale()
	var ratings []*feedbackv1.Rating
	etag := ""
	for save := range 3 {
		for i := save * len(comps) / 3; i < (save+1)*len(comps)/3; i++ {
			score := scale.GetMin() + int32(i)%(scale.GetMax()-scale.GetMin()+1)
			ratings = append(ratings, &feedbackv1.Rating{Competency: comps[i].GetId(), Score: &score, Evidence: diskText("Evidence for "+comps[i].GetId(), 300)})
		}
		sc := &feedbackv1.Scorecard{Name: name, Etag: etag, Ratings: ratings}
		paths := []string{"ratings"}
		if save == 2 {
			sc.Recommendation = feedbackv1.Recommendation_RECOMMENDATION_YES
			sc.NoteToPanel, sc.PrivateNote = diskText("Note to the panel", 200), diskText("Private note", 100)
			paths = append(paths, "recommendation", "note_to_panel", "private_note")
		}
		saved, err := fb.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}, as)
		if err != nil {
			return fmt.Errorf("save draft %d: %w", save+1, err)
		}
		etag = saved.GetEtag()
	}
	_, err := fb.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: etag}, as)
	return err
}

func diskText(prefix string, size int) string {
	s := prefix + ": the candidate walked through the trade-offs, asked about the load, and tested the edge cases first. "
	return strings.Repeat(s, size/len(s)+1)[:size]
}

// dirSize sums the sizes of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	b.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// tableSizes describes, per SQLite file of dir, its size and each
// collection's: the pages its table and indexes take (from dbstat) and the
// bytes of the JSON it holds, largest first.
func tableSizes(b *testing.B, dir string) []string {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, file := range files {
		info, err := os.Stat(file)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s: %.2f MB", filepath.Base(file), float64(info.Size())/1e6))
		db, err := sql.Open("sqlite", "file:"+file+"?"+url.Values{"mode": {"ro"}}.Encode())
		if err != nil {
			b.Fatal(err)
		}
		lines, err := collectionSizes(db)
		_ = db.Close()
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, lines...)
	}
	return out
}

type collectionSize struct {
	name              string
	docs, json, pages int64 // pages: bytes of the table's and its indexes' pages
}

func collectionSizes(db *sql.DB) ([]string, error) {
	rows, err := db.Query(`SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		return nil, err
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			return nil, err
		}
		tables[name] = table
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var sizes []collectionSize
	for name, table := range tables {
		cs := collectionSize{name: name}
		q := fmt.Sprintf(`SELECT count(*), coalesce(sum(length(_ferretdb_sjson)), 0) FROM %q`, table)
		if err := db.QueryRow(q).Scan(&cs.docs, &cs.json); err != nil {
			return nil, err
		}
		// dbstat is compiled into the driver; the table's pages and those of
		// its indexes, whose names start with the table's.
		q = `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)`
		if err := db.QueryRow(q, table, table).Scan(&cs.pages); err != nil {
			return nil, err
		}
		sizes = append(sizes, cs)
	}
	slices.SortFunc(sizes, func(a, b collectionSize) int { return int(b.pages - a.pages) })
	var out []string
	for _, cs := range sizes {
		if cs.docs == 0 && cs.pages <= 8192 {
			continue
		}
		out = append(out, fmt.Sprintf("  %-28s %6d docs  %7.2f MB pages  %7.2f MB JSON  %5d B/doc", cs.name, cs.docs, float64(cs.pages)/1e6, float64(cs.json)/1e6, cs.json/max(cs.docs, 1)))
	}
	return out, nil
}
