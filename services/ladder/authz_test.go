package ladder_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// TestRoleMatrix calls every RPC of the service descriptor as every role,
// and without a token, and checks the outcome against ladder.Rules: allowed
// calls get past authorization (they then fail validation on an empty
// request, or succeed), the others get PERMISSION_DENIED, anonymous ones
// UNAUTHENTICATED.
func TestRoleMatrix(t *testing.T) {
	l := testenv.StartLadder(t)
	ctx := context.Background()
	service := ladderv1.File_yardstick_ladder_v1_ladder_service_proto.Services().ByName("LadderService")
	conns := map[string]*grpc.ClientConn{"no token": l.Conn, "garbage token": l.ConnWithToken("garbage")}
	for _, r := range principal.Roles {
		conns[string(r)] = l.ConnWithToken(l.Token("users/"+string(r), r))
	}

	methods := service.Methods()
	for i := range methods.Len() {
		m := methods.Get(i)
		full := "/" + string(service.FullName()) + "/" + string(m.Name())
		allowed, ok := ladder.Rules()[full]
		if !ok {
			t.Errorf("%s has no rule in ladder.Rules", full)
			continue
		}
		for who, conn := range conns {
			err := conn.Invoke(ctx, full, dynamicpb.NewMessage(m.Input()), dynamicpb.NewMessage(m.Output()))
			code := status.Code(err)
			switch {
			case who == "no token" || who == "garbage token":
				if code != codes.Unauthenticated {
					t.Errorf("%s with %s = %v, want Unauthenticated", m.Name(), who, err)
				}
			case slices.Contains(allowed, principal.Role(who)):
				if code == codes.PermissionDenied || code == codes.Unauthenticated {
					t.Errorf("%s as %s = %v, want it allowed", m.Name(), who, err)
				}
			default:
				if code != codes.PermissionDenied {
					t.Errorf("%s as %s = %v, want PermissionDenied", m.Name(), who, err)
				}
			}
		}
	}
}

// TestNonAdminsSeeOnlyPublishedContent checks the object-level rule: drafts
// and unpublished frameworks do not exist for anyone but admins.
func TestNonAdminsSeeOnlyPublishedContent(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	admin := l.Client
	create(t, admin, "draft-only")
	create(t, admin, "aaa-draft") // sorts before the published one
	eng := create(t, admin, "eng")
	if _, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: eng.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework: &ladderv1.Framework{Name: eng.GetName(), Etag: "2", Title: "Unpublished edit"},
	}); err != nil {
		t.Fatal(err)
	}

	employee := l.ClientAs("users/erin", principal.Employee)
	got, err := employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	if err != nil || got.GetName() != "frameworks/eng@1" || got.GetTitle() != "Framework eng" || got.GetEtag() != "" {
		t.Errorf("GetFramework(draft name) as employee = %v, %v; want the published revision frameworks/eng@1", got, err)
	}
	_, err = employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/draft-only"})
	wantCode(t, err, codes.NotFound, "")
	_, err = employee.ListFrameworkRevisions(ctx, &ladderv1.ListFrameworkRevisionsRequest{Name: "frameworks/draft-only"})
	wantCode(t, err, codes.NotFound, "")
	_, err = employee.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: "frameworks/eng"})
	wantCode(t, err, codes.PermissionDenied, "")

	list, err := employee.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 || list.GetFrameworks()[0].GetName() != "frameworks/eng@1" {
		t.Errorf("ListFrameworks() as employee = %v, %v; want only frameworks/eng@1", list, err)
	}
	// Page by page, no page token carries the name of a hidden draft.
	token := ""
	for {
		page, err := employee.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
		if raw, _ := base64.RawURLEncoding.DecodeString(token); strings.Contains(string(raw), "draft-only") {
			t.Errorf("page token %q names the hidden draft", raw)
		}
	}

	// "@latest" of an unpublished framework and of a missing one: the same answer.
	_, errDraft := employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/draft-only@latest"})
	_, errMissing := employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/missing@latest"})
	if status.Code(errDraft) != codes.NotFound ||
		strings.ReplaceAll(status.Convert(errDraft).Message(), "draft-only", "X") != strings.ReplaceAll(status.Convert(errMissing).Message(), "missing", "X") {
		t.Errorf("@latest of a draft = %v, of a missing framework = %v; want the same NotFound", errDraft, errMissing)
	}
	exported, err := employee.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: "frameworks/eng"})
	if err != nil || exported.GetContent()[:len("title: Framework eng")] != "title: Framework eng" {
		t.Errorf("ExportFramework() as employee = %q, %v; want the published content", exported.GetContent(), err)
	}
	if _, err := employee.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: "frameworks/eng", Track: "ic", FromLevel: "l1", ToLevel: "l2"}); err != nil {
		t.Errorf("CompareLevels() as employee = %v", err)
	}

	// The draft and the history are the admin's view, and the history names who.
	d, err := admin.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	if err != nil || d.GetTitle() != "Unpublished edit" {
		t.Errorf("GetFramework() as admin = %v, %v; want the draft", d, err)
	}
}
