package ladder_test

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
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

// matrix is the request/expectation table: a new RPC needs at least one
// case here (the matrix fails without one), a changed request shape one
// edit in its row.
var matrix = []testenv.MatrixCase[fixture]{
	// Assessments are everyone's to call; each person reaches their own
	// (and their reports', and admins everyone's): growth_test.go checks
	// who sees what. The matrix's callers have no place on a ladder.
	{RPC: "ListAssessments", What: "the caller's own", Req: func(fixture) proto.Message {
		return &ladderv1.ListAssessmentsRequest{Parent: "users/me"}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "CreateAssessment", What: "the caller's own, without a level", Req: func(f fixture) proto.Message {
		return &ladderv1.CreateAssessmentRequest{Parent: "users/me", AssessmentId: f.newID}
	}, Want: testenv.Everyone(codes.FailedPrecondition)},
	{RPC: "GetAssessment", What: "someone else's", Req: func(f fixture) proto.Message {
		return &ladderv1.GetAssessmentRequest{Name: "users/nobody/assessments/" + f.newID}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "UpdateAssessment", What: "a missing one", Req: func(f fixture) proto.Message {
		return &ladderv1.UpdateAssessmentRequest{Assessment: &ladderv1.Assessment{Name: "users/me/assessments/" + f.newID, Etag: "1"}}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "SubmitAssessment", What: "a missing one", Req: func(f fixture) proto.Message {
		return &ladderv1.SubmitAssessmentRequest{Name: "users/me/assessments/" + f.newID, Etag: "1"}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "ReviewAssessment", What: "a missing one", Req: func(f fixture) proto.Message {
		return &ladderv1.ReviewAssessmentRequest{Name: "users/me/assessments/" + f.newID, Etag: "1"}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "GetGapReport", What: "a missing one", Req: func(f fixture) proto.Message {
		return &ladderv1.GetGapReportRequest{Assessment: "users/me/assessments/" + f.newID}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "GetFramework", What: "the draft's name", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetFramework", What: "a draft never published", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: f.unpublished.GetName()}
	}, Want: testenv.AdminElse(codes.OK, codes.NotFound)},
	{RPC: "GetFramework", What: "a missing framework", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: "frameworks/" + f.newID}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "GetFramework", What: "a malformed name", Req: func(fixture) proto.Message {
		return &ladderv1.GetFrameworkRequest{Name: "Frameworks/X"}
	}, Want: testenv.Everyone(codes.InvalidArgument)},
	{RPC: "ListFrameworks", What: "the first page", Req: func(fixture) proto.Message {
		return &ladderv1.ListFrameworksRequest{}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "ListFrameworks", What: "a negative page size", Req: func(fixture) proto.Message {
		return &ladderv1.ListFrameworksRequest{PageSize: -1}
	}, Want: testenv.Everyone(codes.InvalidArgument)},
	{RPC: "CreateFramework", What: "a new framework", Req: func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: f.newID, Framework: small("New")}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "CreateFramework", What: "an ID in use", Req: func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: strings.TrimPrefix(f.draft.GetName(), "frameworks/"), Framework: small("Again")}
	}, Want: testenv.AdminOnly(codes.AlreadyExists)},
	{RPC: "CreateFramework", What: "no framework", Req: func(f fixture) proto.Message {
		return &ladderv1.CreateFrameworkRequest{FrameworkId: f.newID}
	}, Want: testenv.AdminOnly(codes.InvalidArgument)},
	{RPC: "UpdateFramework", What: "the title", Req: func(f fixture) proto.Message {
		return &ladderv1.UpdateFrameworkRequest{
			Framework:  &ladderv1.Framework{Name: f.draft.GetName(), Etag: f.draft.GetEtag(), Title: "Retitled"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "DeleteFramework", What: "the draft", Req: func(f fixture) proto.Message {
		return &ladderv1.DeleteFrameworkRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "DeleteFramework", What: "a missing framework", Req: func(f fixture) proto.Message {
		return &ladderv1.DeleteFrameworkRequest{Name: "frameworks/" + f.newID}
	}, Want: testenv.AdminOnly(codes.NotFound)},
	{RPC: "PublishFramework", What: "the edited draft", Req: func(f fixture) proto.Message {
		return &ladderv1.PublishFrameworkRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "PublishFramework", What: "a draft never published", Req: func(f fixture) proto.Message {
		return &ladderv1.PublishFrameworkRequest{Name: f.unpublished.GetName(), Etag: f.unpublished.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "GetFrameworkRevision", What: "the published revision", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: f.revision}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetFrameworkRevision", What: "latest of a published framework", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: path.Join(path.Dir(f.revision), "latest")}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetFrameworkRevision", What: "a revision that does not exist", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: path.Join(path.Dir(f.revision), "99")}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "GetFrameworkRevision", What: "a framework's name", Req: func(f fixture) proto.Message {
		return &ladderv1.GetFrameworkRevisionRequest{Name: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.InvalidArgument)},
	{RPC: "ListFrameworkRevisions", What: "a published framework", Req: func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkRevisionsRequest{Parent: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "ListFrameworkRevisions", What: "a draft never published", Req: func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkRevisionsRequest{Parent: f.unpublished.GetName()}
	}, Want: testenv.AdminElse(codes.OK, codes.NotFound)},
	{RPC: "ListFrameworkChanges", What: "the draft's history", Req: func(f fixture) proto.Message {
		return &ladderv1.ListFrameworkChangesRequest{Parent: f.draft.GetName()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "CompareLevels", What: "two levels", Req: func(f fixture) proto.Message {
		return &ladderv1.CompareLevelsRequest{Name: f.draft.GetName(), Track: "ic", FromLevel: "l1", ToLevel: "l2"}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "CompareLevels", What: "no track", Req: func(f fixture) proto.Message {
		return &ladderv1.CompareLevelsRequest{Name: f.draft.GetName(), FromLevel: "l1", ToLevel: "l2"}
	}, Want: testenv.Everyone(codes.InvalidArgument)},
	{RPC: "ExportFramework", What: "a published framework", Req: func(f fixture) proto.Message {
		return &ladderv1.ExportFrameworkRequest{Name: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "ExportFramework", What: "a draft never published", Req: func(f fixture) proto.Message {
		return &ladderv1.ExportFrameworkRequest{Name: f.unpublished.GetName()}
	}, Want: testenv.AdminElse(codes.OK, codes.NotFound)},
	{RPC: "GetUser", What: "someone not in the directory", Req: func(f fixture) proto.Message {
		return &ladderv1.GetUserRequest{Name: "users/" + f.newID}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "BatchGetUsers", What: "people not in the directory", Req: func(f fixture) proto.Message {
		return &ladderv1.BatchGetUsersRequest{Names: []string{"users/" + f.newID}}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "ListUsers", What: "the directory", Req: func(fixture) proto.Message {
		return &ladderv1.ListUsersRequest{}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "UpdateUser", What: "another person's title", Req: func(f fixture) proto.Message {
		return &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/" + f.newID, Title: "Engineer"}, AllowMissing: true}
	}, Want: testenv.AdminElse(codes.OK, codes.PermissionDenied)},
	{RPC: "ImportFramework", What: "the sample framework", Req: func(f fixture) proto.Message {
		return &ladderv1.ImportFrameworkRequest{FrameworkId: f.newID, Content: ladder.SampleFramework}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "ImportFramework", What: "broken YAML", Req: func(f fixture) proto.Message {
		return &ladderv1.ImportFrameworkRequest{FrameworkId: f.newID, Content: "title: [broken"}
	}, Want: testenv.AdminOnly(codes.InvalidArgument)},
}

// TestRoleMatrix calls every case of matrix as every role, and without a
// valid token, and checks the exact code (see testenv.RoleMatrix).
func TestRoleMatrix(t *testing.T) {
	l := testenv.StartLadder(t)
	service := ladderv1.File_yardstick_ladder_v1_ladder_service_proto.Services().ByName("LadderService")
	var fixtures atomic.Int64
	newFixture := func() fixture { return makeFixture(t, l.Client, fmt.Sprintf("m%d", fixtures.Add(1))) }
	testenv.RoleMatrix(t, l.Env, service, ladder.Rules(), matrix, newFixture)
}

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
