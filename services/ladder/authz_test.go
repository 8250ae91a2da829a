package ladder_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// fixture is what one call of the matrix works on. An admin makes a fresh
// one for every call that gets past authorization, so a Delete or a Publish
// changes nothing another call reads.
type fixture struct {
	draft       *ladderv1.Framework // published once, then edited: the draft's name and etag
	revision    string              // its published revision's name, as PublishFramework returned it
	unpublished *ladderv1.Framework // a draft never published
	newID       string              // an ID no framework has
}

// matrixCase is one request to one RPC and the code each role gets.
type matrixCase struct {
	rpc  string // the method's name in the LadderService descriptor
	what string
	req  func(f fixture) proto.Message
	// want has the code of every role the rule of rpc allows; the matrix
	// checks that the others get PERMISSION_DENIED, and callers without a
	// valid token UNAUTHENTICATED.
	want map[principal.Role]codes.Code
}

// everyone expects code for every role; admin for admins only; adminElse
// one code for admins and another for everyone else (drafts are the
// admins' view).
func everyone(code codes.Code) map[principal.Role]codes.Code {
	want := map[principal.Role]codes.Code{}
	for _, r := range principal.Roles {
		want[r] = code
	}
	return want
}

func admin(code codes.Code) map[principal.Role]codes.Code {
	return map[principal.Role]codes.Code{principal.Admin: code}
}

func adminElse(adminCode, others codes.Code) map[principal.Role]codes.Code {
	want := everyone(others)
	want[principal.Admin] = adminCode
	return want
}

// matrix is the request/expectation table: a new RPC needs at least one
// case here (the matrix fails without one), a changed request shape one
// edit in its row.
var matrix = []matrixCase{
	{"GetFramework", "the draft's name", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: f.draft.GetName()}
	}, everyone(codes.OK)},
	{"GetFramework", "a draft never published", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: f.unpublished.GetName()}
	}, adminElse(codes.OK, codes.NotFound)},
	{"GetFramework", "a missing framework", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: "frameworks/" + f.newID}
	}, everyone(codes.NotFound)},
	{"GetFramework", "a malformed name", func(fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: "Frameworks/X"}
	}, everyone(codes.InvalidArgument)},
	{"ListFrameworks", "the first page", func(fixture) proto.Message {
		return &ladderv1.ListFrameworksRequest{}
	}, everyone(codes.OK)},
	{"ListFrameworks", "a negative page size", func(fixture) proto.Message {
		return &ladderv1.ListFrameworksRequest{PageSize: -1}
	}, everyone(codes.InvalidArgument)},
	{"CreateFramework", "a new framework", func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: f.newID, Framework: small("New")}
	}, admin(codes.OK)},
	{"CreateFramework", "an ID in use", func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: strings.TrimPrefix(f.draft.GetName(), "frameworks/"), Framework: small("Again")}
	}, admin(codes.AlreadyExists)},
	{"CreateFramework", "no framework", func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: f.newID}
	}, admin(codes.InvalidArgument)},
	{"UpdateFramework", "the title", func(f fixture) proto.Message {
		return &ladderv1.UpdateFrameworkRequest{
			Framework:  &ladderv1.Framework{Name: f.draft.GetName(), Etag: f.draft.GetEtag(), Title: "Retitled"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		}
	}, admin(codes.OK)},
	{"DeleteFramework", "the draft", func(f fixture) proto.Message {
		return &ladderv1.DeleteFrameworkRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, admin(codes.OK)},
	{"DeleteFramework", "a missing framework", func(f fixture) proto.Message {
		return &ladderv1.DeleteFrameworkRequest{Name: "frameworks/" + f.newID}
	}, admin(codes.NotFound)},
	{"PublishFramework", "the edited draft", func(f fixture) proto.Message {
		return &ladderv1.PublishFrameworkRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, admin(codes.OK)},
	{"PublishFramework", "a draft never published", func(f fixture) proto.Message {
		return &ladderv1.PublishFrameworkRequest{Name: f.unpublished.GetName(), Etag: f.unpublished.GetEtag()}
	}, admin(codes.OK)},
	{"GetFrameworkRevision", "the published revision", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: f.revision}
	}, everyone(codes.OK)},
	{"GetFrameworkRevision", "latest of a published framework", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: path.Join(path.Dir(f.revision), "latest")}
	}, everyone(codes.OK)},
	{"GetFrameworkRevision", "a revision that does not exist", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: path.Join(path.Dir(f.revision), "99")}
	}, everyone(codes.NotFound)},
	{"GetFrameworkRevision", "a framework's name", func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: f.draft.GetName()}
	}, everyone(codes.InvalidArgument)},
	{"ListFrameworkRevisions", "a published framework", func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkRevisionsRequest{Parent: f.draft.GetName()}
	}, everyone(codes.OK)},
	{"ListFrameworkRevisions", "a draft never published", func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkRevisionsRequest{Parent: f.unpublished.GetName()}
	}, adminElse(codes.OK, codes.NotFound)},
	{"ListFrameworkChanges", "the draft's history", func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkChangesRequest{Parent: f.draft.GetName()}
	}, admin(codes.OK)},
	{"CompareLevels", "two levels", func(f fixture) proto.Message {
		return &ladderv1.CompareLevelsRequest{Name: f.draft.GetName(), Track: "ic", FromLevel: "l1", ToLevel: "l2"}
	}, everyone(codes.OK)},
	{"CompareLevels", "no track", func(f fixture) proto.Message {
		return &ladderv1.CompareLevelsRequest{Name: f.draft.GetName(), FromLevel: "l1", ToLevel: "l2"}
	}, everyone(codes.InvalidArgument)},
	{"ExportFramework", "a published framework", func(f fixture) proto.Message {
		return &ladderv1.ExportFrameworkRequest{Name: f.draft.GetName()}
	}, everyone(codes.OK)},
	{"ExportFramework", "a draft never published", func(f fixture) proto.Message {
		return &ladderv1.ExportFrameworkRequest{Name: f.unpublished.GetName()}
	}, adminElse(codes.OK, codes.NotFound)},
	{"ImportFramework", "the sample framework", func(f fixture) proto.Message {
		return &ladderv1.ImportFrameworkRequest{FrameworkId: f.newID, Content: ladder.SampleFramework}
	}, admin(codes.OK)},
	{"ImportFramework", "broken YAML", func(f fixture) proto.Message {
		return &ladderv1.ImportFrameworkRequest{FrameworkId: f.newID, Content: "title: [broken"}
	}, admin(codes.InvalidArgument)},
}

// TestRoleMatrix calls every case of matrix as every role, and without a
// valid token, and checks the exact code: UNAUTHENTICATED without a token,
// PERMISSION_DENIED for the roles the rule (ladder.Rules) does not allow,
// and the case's code for those it does. Every RPC of the service needs a
// rule and a case, and every rule and case an RPC.
func TestRoleMatrix(t *testing.T) {
	l := testenv.StartLadder(t)
	ctx := context.Background()
	rules := ladder.Rules()
	service := ladderv1.File_yardstick_ladder_v1_ladder_service_proto.Services().ByName("LadderService")
	callers := map[string]*grpc.ClientConn{"no token": l.Conn, "garbage token": l.ConnWithToken("garbage")}
	for _, r := range principal.Roles {
		callers[string(r)] = l.ConnAs("users/"+string(r), r)
	}
	var fixtures atomic.Int64
	newFixture := func() fixture { return makeFixture(t, l.Client, fmt.Sprintf("m%d", fixtures.Add(1))) }
	shared := newFixture() // for the calls refused before they run

	covered := map[string]bool{}
	for _, c := range matrix {
		m := service.Methods().ByName(protoName(c.rpc))
		if m == nil {
			t.Errorf("matrix case %s (%s): the service has no such RPC", c.rpc, c.what)
			continue
		}
		covered[c.rpc] = true
		full := "/" + string(service.FullName()) + "/" + c.rpc
		allowed, ok := rules[full]
		if !ok {
			t.Errorf("%s has no rule in ladder.Rules", full)
			continue
		}
		for _, who := range slices.Sorted(maps.Keys(callers)) {
			role := principal.Role(who)
			want, ok := c.want[role]
			switch {
			case who == "no token" || who == "garbage token":
				want = codes.Unauthenticated
			case !slices.Contains(allowed, role):
				if ok {
					t.Errorf("%s (%s) expects %v for %s, but the rule refuses %s: update the case", c.rpc, c.what, want, who, who)
				}
				want = codes.PermissionDenied
			case !ok:
				t.Errorf("%s (%s): the rule allows %s, the case has no code for it", c.rpc, c.what, who)
				continue
			}
			f := shared
			if want != codes.Unauthenticated && want != codes.PermissionDenied {
				f = newFixture()
			}
			err := callers[who].Invoke(ctx, full, c.req(f), dynamicpb.NewMessage(m.Output()))
			if got := status.Code(err); got != want {
				t.Errorf("%s (%s) as %s = %v, want %v", c.rpc, c.what, who, err, want)
			}
		}
	}
	for i := range service.Methods().Len() {
		if name := string(service.Methods().Get(i).Name()); !covered[name] {
			t.Errorf("%s has no case in the matrix", name)
		}
	}
	for full := range rules {
		if service.Methods().ByName(protoName(full[strings.LastIndex(full, "/")+1:])) == nil {
			t.Errorf("rule for %s: the service has no such RPC", full)
		}
	}
}

func protoName(s string) protoreflect.Name { return protoreflect.Name(s) }

// makeFixture creates, as an admin, a framework published once and then
// edited, and another never published, with IDs that start with id.
func makeFixture(t *testing.T, admin ladderv1.LadderServiceClient, id string) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{newID: id + "-new"}
	created := create(t, admin, id+"-pub")
	rev, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: created.GetName(), Etag: created.GetEtag()})
	if err != nil {
		t.Fatalf("PublishFramework(%s): %v", created.GetName(), err)
	}
	f.revision = rev.GetName()
	published, err := admin.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: created.GetName()})
	if err != nil {
		t.Fatalf("GetFramework(%s): %v", created.GetName(), err)
	}
	f.draft, err = admin.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: created.GetName(), Etag: published.GetEtag(), Title: "Edited after publishing"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	if err != nil {
		t.Fatalf("UpdateFramework(%s): %v", created.GetName(), err)
	}
	f.unpublished = create(t, admin, id+"-draft")
	return f
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
	rev, err := admin.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: eng.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	published, err := admin.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: eng.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: eng.GetName(), Etag: published.GetEtag(), Title: "Unpublished edit"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	}); err != nil {
		t.Fatal(err)
	}
	// latestOf names the `latest` revision of a framework, in the form of
	// the name PublishFramework returned.
	latestOf := func(framework string) string {
		return path.Join(strings.Replace(path.Dir(rev.GetName()), eng.GetName(), framework, 1), "latest")
	}

	employee := l.ClientAs("users/erin", principal.Employee)
	got, err := employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: eng.GetName()})
	if err != nil || got.GetName() != eng.GetName() || got.GetLatestRevision() != rev.GetName() || got.GetTitle() != "Framework eng" || got.GetEtag() != "" {
		t.Errorf("GetFramework(%s) as employee = %v, %v; want the snapshot of %s", eng.GetName(), got, err, rev.GetName())
	}
	_, err = employee.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/draft-only"})
	wantCode(t, err, codes.NotFound, "")
	_, err = employee.ListFrameworkRevisions(ctx, &ladderv1.ListFrameworkRevisionsRequest{Parent: "frameworks/draft-only"})
	wantCode(t, err, codes.NotFound, "")
	_, err = employee.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: eng.GetName()})
	wantCode(t, err, codes.PermissionDenied, "")

	list, err := employee.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 || list.GetFrameworks()[0].GetLatestRevision() != rev.GetName() {
		t.Errorf("ListFrameworks() as employee = %v, %v; want only the snapshot of %s", list, err, rev.GetName())
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
		if raw, err := base64.RawURLEncoding.DecodeString(token); err == nil && strings.Contains(string(raw), "draft-only") {
			t.Errorf("page token %q names the hidden draft", raw)
		}
	}

	// `latest` of an unpublished framework and of a missing one: the same answer.
	_, errDraft := employee.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: latestOf("frameworks/draft-only")})
	_, errMissing := employee.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: latestOf("frameworks/missing")})
	if status.Code(errDraft) != codes.NotFound ||
		strings.ReplaceAll(status.Convert(errDraft).Message(), "draft-only", "X") != strings.ReplaceAll(status.Convert(errMissing).Message(), "missing", "X") {
		t.Errorf("latest of a draft = %v, of a missing framework = %v; want the same NotFound", errDraft, errMissing)
	}
	exported, err := employee.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: eng.GetName()})
	if err != nil || !strings.HasPrefix(exported.GetContent(), "title: Framework eng") {
		t.Errorf("ExportFramework() as employee = %q, %v; want the published content", exported.GetContent(), err)
	}
	if _, err := employee.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: eng.GetName(), Track: "ic", FromLevel: "l1", ToLevel: "l2"}); err != nil {
		t.Errorf("CompareLevels() as employee = %v", err)
	}

	// The draft is the admin's view.
	d, err := admin.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: eng.GetName()})
	if err != nil || d.GetTitle() != "Unpublished edit" {
		t.Errorf("GetFramework() as admin = %v, %v; want the draft", d, err)
	}
}
