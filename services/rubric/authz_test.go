package rubric_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/rubric"
)

// fixture is what one call of the matrix works on: a rubric published once
// and then edited, one never published, and an ID no rubric has.
type fixture struct {
	draft       *rubricv1.Rubric
	revision    string
	unpublished *rubricv1.Rubric
	newID       string
}

var matrix = []testenv.MatrixCase[fixture]{
	{RPC: "GetRubric", What: "a published rubric", Req: func(f fixture) proto.Message {
		return &rubricv1.GetRubricRequest{Name: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetRubric", What: "a rubric never published", Req: func(f fixture) proto.Message {
		return &rubricv1.GetRubricRequest{Name: f.unpublished.GetName()}
	}, Want: testenv.AdminElse(codes.OK, codes.NotFound)},
	{RPC: "GetRubric", What: "a malformed name", Req: func(fixture) proto.Message {
		return &rubricv1.GetRubricRequest{Name: "rubrics/Bad"}
	}, Want: testenv.Everyone(codes.InvalidArgument)},
	{RPC: "ListRubrics", What: "the first page", Req: func(fixture) proto.Message {
		return &rubricv1.ListRubricsRequest{InterviewType: "coding"}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "CreateRubric", What: "a new rubric", Req: func(f fixture) proto.Message {
		r := proto.Clone(f.draft).(*rubricv1.Rubric)
		return &rubricv1.CreateRubricRequest{RubricId: f.newID, Rubric: r}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "CreateRubric", What: "an ID in use", Req: func(f fixture) proto.Message {
		return &rubricv1.CreateRubricRequest{RubricId: strings.TrimPrefix(f.draft.GetName(), "rubrics/"), Rubric: proto.Clone(f.draft).(*rubricv1.Rubric)}
	}, Want: testenv.AdminOnly(codes.AlreadyExists)},
	{RPC: "RederiveRubric", What: "the draft, from its ladder", Req: func(f fixture) proto.Message {
		return &rubricv1.RederiveRubricRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "UpdateRubric", What: "the title", Req: func(f fixture) proto.Message {
		return &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: f.draft.GetName(), Etag: f.draft.GetEtag(), Title: "Retitled"}}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "DeleteRubric", What: "the draft", Req: func(f fixture) proto.Message {
		return &rubricv1.DeleteRubricRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "PublishRubric", What: "the edited draft", Req: func(f fixture) proto.Message {
		return &rubricv1.PublishRubricRequest{Name: f.draft.GetName(), Etag: f.draft.GetEtag()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "GetRubricRevision", What: "a revision", Req: func(f fixture) proto.Message {
		return &rubricv1.GetRubricRevisionRequest{Name: f.revision}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "GetRubricRevision", What: "latest of a rubric never published", Req: func(f fixture) proto.Message {
		return &rubricv1.GetRubricRevisionRequest{Name: f.unpublished.GetName() + "/revisions/latest"}
	}, Want: testenv.Everyone(codes.NotFound)},
	{RPC: "ListRubricRevisions", What: "a published rubric", Req: func(f fixture) proto.Message {
		return &rubricv1.ListRubricRevisionsRequest{Parent: f.draft.GetName()}
	}, Want: testenv.Everyone(codes.OK)},
	{RPC: "ListRubricRevisions", What: "a rubric never published", Req: func(f fixture) proto.Message {
		return &rubricv1.ListRubricRevisionsRequest{Parent: f.unpublished.GetName()}
	}, Want: testenv.AdminElse(codes.OK, codes.NotFound)},
	{RPC: "ListRubricChanges", What: "the draft's history", Req: func(f fixture) proto.Message {
		return &rubricv1.ListRubricChangesRequest{Parent: f.draft.GetName()}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "DeriveRubric", What: "from the published framework", Req: func(f fixture) proto.Message {
		return &rubricv1.DeriveRubricRequest{RubricId: f.newID, Framework: "frameworks/eng", Track: "ic", Level: "l1", InterviewType: "coding"}
	}, Want: testenv.AdminOnly(codes.OK)},
	{RPC: "DeriveRubric", What: "from a missing framework", Req: func(f fixture) proto.Message {
		return &rubricv1.DeriveRubricRequest{RubricId: f.newID, Framework: "frameworks/none", Track: "ic", Level: "l1", InterviewType: "coding"}
	}, Want: testenv.AdminOnly(codes.NotFound)},
}

func TestRoleMatrix(t *testing.T) {
	e := start(t)
	service := rubricv1.File_yardstick_rubric_v1_rubric_service_proto.Services().ByName("RubricService")
	var n atomic.Int64
	newFixture := func() fixture { return makeFixture(t, e, fmt.Sprintf("m%d", n.Add(1))) }
	testenv.RoleMatrix(t, e.Env, service, rubric.Rules(), matrix, newFixture)
}

func makeFixture(t *testing.T, e *env, id string) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{newID: id + "-new"}
	r := e.derive(t, id+"-pub")
	rev, err := e.admin.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	f.revision = rev.GetName()
	cur, err := e.admin.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: r.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if f.draft, err = e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: r.GetName(), Etag: cur.GetEtag(), Title: "Edited"}}); err != nil {
		t.Fatal(err)
	}
	f.unpublished = e.derive(t, id+"-draft")
	return f
}

// TestVisibility reads every kind of rubric as every role: admins see
// drafts, everyone else the latest published snapshot, revisions are for
// everyone, even after the draft was deleted.
func TestVisibility(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	f := makeFixture(t, e, "v")
	gone := e.derive(t, "gone")
	if _, err := e.admin.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: gone.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.DeleteRubric(ctx, &rubricv1.DeleteRubricRequest{Name: gone.GetName()}); err != nil {
		t.Fatal(err)
	}
	title := func(r interface{ GetTitle() string }, err error) string {
		if err != nil {
			return status.Code(err).String()
		}
		return r.GetTitle()
	}
	const published = "Senior: system design"
	for _, role := range principal.Roles {
		c := e.RubricAs("users/"+string(role), role)
		isAdmin := role == principal.Admin
		pick := func(admin, others string) string {
			if isAdmin {
				return admin
			}
			return others
		}
		for _, tt := range []struct {
			what, got, want string
		}{
			{"edited published rubric", title(c.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: f.draft.GetName()})), pick("Edited", published)},
			{"never published", title(c.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: f.unpublished.GetName()})), pick(published, "NotFound")},
			{"deleted", title(c.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: gone.GetName()})), "NotFound"},
			{"revision of a deleted rubric", func() string {
				r, err := c.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: gone.GetName() + "/revisions/1"})
				return title(r.GetSnapshot(), err)
			}(), published},
		} {
			if tt.got != tt.want {
				t.Errorf("%s as %s = %q, want %q", tt.what, role, tt.got, tt.want)
			}
		}
	}
}

// A ladder outage is UNAVAILABLE, not INTERNAL, and comes within the
// caller's deadline.
func TestDeriveWhenTheLadderIsDown(t *testing.T) {
	dead, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dead.Close() })
	store := rubric.NewStore(mongotest.Database(t))
	if err := store.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := rubric.New(store, ladderv1.NewLadderServiceClient(dead))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = principal.NewContext(ctx, principal.Principal{Subject: "users/admin", Roles: []principal.Role{principal.Admin}})
	began := time.Now()
	_, err = s.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng", Track: "ic", Level: "l1", InterviewType: "coding"})
	st := status.Convert(grpcerr.ToStatus(ctx, testLogger(t), err))
	if st.Code() != codes.Unavailable || strings.Contains(st.Message(), "127.0.0.1") {
		t.Errorf("DeriveRubric() with the ladder down = %v, want UNAVAILABLE without the address", st)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("DeriveRubric() with the ladder down took %v, want within the deadline", took)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.DiscardHandler)
}
