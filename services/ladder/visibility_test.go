package ladder_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// TestVisibilityMatrix reads every kind of framework object as every role,
// through every read path: what the visibility rules of visibility.go say
// each role sees, and nothing else.
func TestVisibilityMatrix(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	admin := l.Client
	create(t, admin, "draft-only") // never published
	eng := create(t, admin, "eng") // published, then edited
	if _, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: eng.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework: &ladderv1.Framework{Name: eng.GetName(), Etag: "2", Title: "Unpublished edit"},
	}); err != nil {
		t.Fatal(err)
	}
	gone := create(t, admin, "gone") // published, then deleted
	if _, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: gone.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: gone.GetName()}); err != nil {
		t.Fatal(err)
	}

	// What a read returns, reduced to a comparable word: the title read, or
	// the status code.
	type read func(c ladderv1.LadderServiceClient) string
	title := func(f interface{ GetTitle() string }, err error) string {
		if err != nil {
			return status.Code(err).String()
		}
		return f.GetTitle()
	}
	get := func(name string) read {
		return func(c ladderv1.LadderServiceClient) string {
			return title(c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: name}))
		}
	}
	revision := func(name string) read {
		return func(c ladderv1.LadderServiceClient) string {
			r, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: name})
			return title(r.GetSnapshot(), err)
		}
	}
	export := func(name string) read {
		return func(c ladderv1.LadderServiceClient) string {
			r, err := c.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: name})
			if err != nil {
				return status.Code(err).String()
			}
			first, _, _ := strings.Cut(r.GetContent(), "\n")
			return strings.TrimPrefix(first, "title: ")
		}
	}
	compare := func(name string) read {
		return func(c ladderv1.LadderServiceClient) string {
			r, err := c.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: name, Track: "ic", FromLevel: "l1", ToLevel: "l2"})
			if err != nil {
				return status.Code(err).String()
			}
			return r.GetName()
		}
	}
	revisions := func(parent string) read {
		return func(c ladderv1.LadderServiceClient) string {
			r, err := c.ListFrameworkRevisions(ctx, &ladderv1.ListFrameworkRevisionsRequest{Parent: parent})
			if err != nil {
				return status.Code(err).String()
			}
			return strings.Repeat("r", len(r.GetRevisions()))
		}
	}
	changes := func(parent string) read {
		return func(c ladderv1.LadderServiceClient) string {
			r, err := c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: parent})
			if err != nil {
				return status.Code(err).String()
			}
			return strings.Repeat("c", len(r.GetChanges()))
		}
	}

	const published, edited = "Framework eng", "Unpublished edit"
	tests := []struct {
		what        string
		read        read
		admin, user string // user: every role but admin
	}{
		{"draft of a published framework", get("frameworks/eng"), edited, published},
		{"never published framework", get("frameworks/draft-only"), "Framework draft-only", "NotFound"},
		{"missing framework", get("frameworks/missing"), "NotFound", "NotFound"},
		{"deleted framework", get("frameworks/gone"), "NotFound", "NotFound"},
		{"revision", revision("frameworks/eng/revisions/1"), published, published},
		{"latest revision", revision("frameworks/eng/revisions/latest"), published, published},
		{"latest of a never published framework", revision("frameworks/draft-only/revisions/latest"), "NotFound", "NotFound"},
		{"latest of a missing framework", revision("frameworks/missing/revisions/latest"), "NotFound", "NotFound"},
		{"revision of a deleted framework", revision("frameworks/gone/revisions/1"), "Framework gone", "Framework gone"},
		{"latest of a deleted framework", revision("frameworks/gone/revisions/latest"), "NotFound", "NotFound"},
		{"export of a framework", export("frameworks/eng"), edited, published},
		{"export of a never published framework", export("frameworks/draft-only"), "Framework draft-only", "NotFound"},
		{"export of a revision", export("frameworks/eng/revisions/1"), published, published},
		{"compare in a framework", compare("frameworks/eng"), "frameworks/eng", "frameworks/eng/revisions/1"},
		{"compare in a never published framework", compare("frameworks/draft-only"), "frameworks/draft-only", "NotFound"},
		{"compare in the latest revision", compare("frameworks/eng/revisions/latest"), "frameworks/eng/revisions/1", "frameworks/eng/revisions/1"},
		{"revisions of a framework", revisions("frameworks/eng"), "r", "r"},
		{"revisions of a never published framework", revisions("frameworks/draft-only"), "", "NotFound"},
		{"history", changes("frameworks/eng"), "ccc", "PermissionDenied"},
		{"history of a deleted framework", changes("frameworks/gone"), "ccc", "PermissionDenied"},
	}
	for _, role := range principal.Roles {
		c := l.ClientAs("users/"+string(role), role)
		for _, tt := range tests {
			want := tt.user
			if role == principal.Admin {
				want = tt.admin
			}
			if got := tt.read(c); got != want {
				t.Errorf("%s as %s = %q, want %q", tt.what, role, got, want)
			}
		}
	}
}

// Lists go through the same rules: a non-admin sees the published snapshot,
// and no page token carries the name of a hidden draft.
func TestListShowsEachRoleItsView(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	admin := l.Client
	create(t, admin, "aaa-draft") // sorts before the published one
	eng := create(t, admin, "eng")
	if _, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: eng.GetName()}); err != nil {
		t.Fatal(err)
	}
	create(t, admin, "zzz-draft")

	employee := l.ClientAs("users/erin", principal.Employee)
	list, err := employee.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 || list.GetFrameworks()[0].GetLatestRevision() != "frameworks/eng/revisions/1" ||
		list.GetFrameworks()[0].GetEtag() != "" {
		t.Errorf("ListFrameworks() as employee = %v, %v; want only the snapshot of frameworks/eng/revisions/1, without an etag", list, err)
	}
	token := ""
	for {
		page, err := employee.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "draft") {
			t.Errorf("page token %q names a hidden draft", raw)
		}
	}
	all, err := admin.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(all.GetFrameworks()) != 3 {
		t.Errorf("ListFrameworks() as admin = %d frameworks, %v; want all 3 drafts", len(all.GetFrameworks()), err)
	}
	// The same answer for a framework never published and one never created.
	_, errDraft := employee.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/aaa-draft/revisions/latest"})
	_, errMissing := employee.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/missing/revisions/latest"})
	if status.Code(errDraft) != codes.NotFound ||
		strings.ReplaceAll(status.Convert(errDraft).Message(), "aaa-draft", "X") != strings.ReplaceAll(status.Convert(errMissing).Message(), "missing", "X") {
		t.Errorf("latest of a draft = %v, of a missing framework = %v; want the same NotFound", errDraft, errMissing)
	}
}
