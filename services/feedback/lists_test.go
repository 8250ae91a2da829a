package feedback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// pageAll follows next_page_token and returns the names in order.
func pageAll(t *testing.T, list func(token string) ([]string, string, error)) []string {
	t.Helper()
	var out []string
	token := ""
	for range 50 {
		names, next, err := list(token)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, names...)
		if next == "" {
			return out
		}
		token = next
	}
	t.Fatal("paging did not end")
	return nil
}

func shortNames(names []string) string {
	for i, n := range names {
		names[i] = strings.Split(n, "/")[1]
	}
	return strings.Join(names, " ")
}

func TestMyInterviewsPageByScheduledTime(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	base := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	// Scheduled across three months, added in another order; one unscheduled
	// (it stands where it was added: now).
	for _, c := range []struct {
		id   string
		days int
	}{{"may", 40}, {"march", 0}, {"april", 5}, {"later", 400}, {"unscheduled", -1}} {
		cand, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: c.id, Candidate: &feedbackv1.Candidate{DisplayName: c.id, Role: "ic", Level: "l2"}})
		if err != nil {
			t.Fatal(err)
		}
		iv := &feedbackv1.Interview{Interviewer: ivan, Rubric: "rubrics/coding/revisions/1"}
		if c.days >= 0 {
			iv.ScheduledTime = timestamppb.New(base.AddDate(0, 0, c.days))
		}
		if _, err := e.recruiter.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: cand.GetName(), Interview: iv}); err != nil {
			t.Fatal(err)
		}
	}
	e.candidate(t, "someone-elses", ines) // not ivan's
	mine := func(order string, size int32) string {
		return shortNames(pageAll(t, func(token string) ([]string, string, error) {
			resp, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-", PageSize: size, PageToken: token, OrderBy: order})
			var names []string
			for _, iv := range resp.GetInterviews() {
				names = append(names, iv.GetName())
			}
			return names, resp.GetNextPageToken(), err
		}))
	}
	// "unscheduled" was added today, between April 2026 and a year on.
	want := "march april may unscheduled later"
	if base.AddDate(0, 0, 40).After(time.Now()) {
		want = "unscheduled march april may later"
	}
	for _, size := range []int32{1, 2, 0} {
		if got := mine("", size); got != want {
			t.Errorf("soonest first, pages of %d: %s, want %s", size, got, want)
		}
	}
	if got, rev := mine("scheduled_time desc", 2), reverse(want); got != rev {
		t.Errorf("latest first: %s, want %s", got, rev)
	}

	first, err := e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-", PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-", PageSize: 1, PageToken: first.GetNextPageToken(), OrderBy: "scheduled_time desc"})
	wantCode(t, err, codes.InvalidArgument, "page_token")
	_, err = e.as(ivan).ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: "candidates/-", OrderBy: "candidate"})
	wantCode(t, err, codes.InvalidArgument, "order_by")

	// A panel pages too.
	c, _ := e.candidate(t, "panel", ivan, ines, omar)
	got := pageAll(t, func(token string) ([]string, string, error) {
		resp, err := e.recruiter.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: c.GetName(), PageSize: 2, PageToken: token})
		var names []string
		for _, iv := range resp.GetInterviews() {
			names = append(names, iv.GetInterviewer())
		}
		return names, resp.GetNextPageToken(), err
	})
	if fmt.Sprint(got) != fmt.Sprint([]string{ivan, ines, omar}) {
		t.Errorf("the panel in pages of two: %v", got)
	}
}

func reverse(words string) string {
	w := strings.Fields(words)
	for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
		w[i], w[j] = w[j], w[i]
	}
	return strings.Join(w, " ")
}

func TestCandidatesPageNewestFirstByRole(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	for i, role := range []string{"ic", "em", "ic", "ic", "em"} {
		if _, err := e.recruiter.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: fmt.Sprint("c", i), Candidate: &feedbackv1.Candidate{DisplayName: "C", Role: role, Level: "l2"}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct create times: the order is by time
	}
	list := func(role string) string {
		return shortNames(pageAll(t, func(token string) ([]string, string, error) {
			resp, err := e.recruiter.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{Role: role, PageSize: 2, PageToken: token})
			var names []string
			for _, c := range resp.GetCandidates() {
				names = append(names, c.GetName())
			}
			return names, resp.GetNextPageToken(), err
		}))
	}
	if got := list(""); got != "c4 c3 c2 c1 c0" {
		t.Errorf("every candidate: %s", got)
	}
	if got := list("ic"); got != "c3 c2 c0" {
		t.Errorf("role ic: %s", got)
	}
	// A candidate moved to another role is listed there, and only there.
	c, err := e.recruiter.GetCandidate(ctx, &feedbackv1.GetCandidateRequest{Name: "candidates/c2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.recruiter.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{
		Candidate: &feedbackv1.Candidate{Name: c.GetName(), Etag: c.GetEtag(), Role: "em"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	}); err != nil {
		t.Fatal(err)
	}
	// A move that fails (a stale etag) lists it nowhere new.
	_, err = e.recruiter.UpdateCandidate(ctx, &feedbackv1.UpdateCandidateRequest{
		Candidate: &feedbackv1.Candidate{Name: "candidates/c3", Etag: "99", Role: "em"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	})
	wantCode(t, err, codes.Aborted, "")
	if got := list("ic"); got != "c3 c0" {
		t.Errorf("role ic after c2 moved: %s", got)
	}
	if got := list("em"); got != "c4 c2 c1" {
		t.Errorf("role em after c2 moved: %s", got)
	}
	if got := list(""); got != "c4 c3 c2 c1 c0" {
		t.Errorf("every candidate after the move: %s", got)
	}
}
