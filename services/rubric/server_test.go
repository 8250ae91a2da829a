package rubric_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// env is a running suite with a published framework to derive from.
type env struct {
	*testenv.Env
	admin  rubricv1.RubricServiceClient
	ladder ladderv1.LadderServiceClient
}

func start(t *testing.T) *env {
	t.Helper()
	e := testenv.Start(t, testenv.Options{})
	ev := &env{Env: e, admin: e.RubricAs(testenv.AdminSubject, principal.Admin), ladder: e.LadderAs(testenv.AdminSubject, principal.Admin)}
	ctx := context.Background()
	f, err := ev.ladder.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "eng", Framework: &ladderv1.Framework{
		Title:        "Engineering",
		Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}, {Id: "impact", Title: "Impact"}},
		Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
			{Id: "l1", Title: "Engineer", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Writes code."}}},
			{Id: "l2", Title: "Senior", Expectations: []*ladderv1.Expectation{
				{Competency: "craft", Description: "Designs components."}, {Competency: "impact", Description: "Leads projects."},
			}},
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	return ev
}

func (e *env) derive(t *testing.T, id string) *rubricv1.Rubric {
	t.Helper()
	r, err := e.admin.DeriveRubric(context.Background(), &rubricv1.DeriveRubricRequest{
		RubricId: id, Framework: "frameworks/eng", Track: "ic", Level: "l2", InterviewType: "system-design",
	})
	if err != nil {
		t.Fatalf("DeriveRubric(%s): %v", id, err)
	}
	return r
}

// wantCode fails unless err carries the code; for INVALID_ARGUMENT it also
// checks that the BadRequest details name the field.
func wantCode(t *testing.T, err error, code codes.Code, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("error = %v, want code %v", err, code)
	}
	if field == "" {
		return
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("error = %v, want a field violation on %q", err, field)
}

// The newcomer's path: derive from the ladder, edit an anchor, publish,
// read the published revision.
func TestDeriveEditPublishRead(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	r := e.derive(t, "")
	if r.GetName() != "rubrics/l2-system-design" || r.GetSource().GetFrameworkRevision() != "frameworks/eng/revisions/1" ||
		len(r.GetCompetencies()) != 2 || !r.GetUnpublishedChanges() {
		t.Fatalf("DeriveRubric() = %v, want rubrics/l2-system-design from frameworks/eng/revisions/1 with 2 competencies", r)
	}
	craft := r.GetCompetencies()[0]
	craft.Anchors[2].Description = "Designs a component others build on, and explains the trade-offs."
	edited, err := e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{
		Rubric:     &rubricv1.Rubric{Name: r.GetName(), Etag: r.GetEtag(), Competencies: r.GetCompetencies()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"competencies"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	anchors := edited.GetCompetencies()[0].GetAnchors()
	if anchors[2].GetDerived() || !anchors[1].GetDerived() || edited.GetSource() == nil {
		t.Errorf("after editing one anchor: derived marks %v, %v, source %v; want the edited one cleared, the others kept, the source kept",
			anchors[2].GetDerived(), anchors[1].GetDerived(), edited.GetSource())
	}
	rev, err := e.admin.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName(), Etag: edited.GetEtag()})
	if err != nil || rev.GetName() != "rubrics/l2-system-design/revisions/1" {
		t.Fatalf("PublishRubric() = %v, %v, want revision 1", rev, err)
	}
	// Everyone reads the published revision; latest follows it.
	interviewer := e.RubricAs("users/ivy", principal.Interviewer)
	got, err := interviewer.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: "rubrics/l2-system-design/revisions/latest"})
	if err != nil || got.GetName() != rev.GetName() ||
		got.GetSnapshot().GetCompetencies()[0].GetAnchors()[2].GetDescription() != craft.GetAnchors()[2].GetDescription() {
		t.Errorf("GetRubricRevision(latest) as interviewer = %v, %v, want the edited anchor", got, err)
	}
	// Changes record the derive, the update and the publish.
	changes, err := e.admin.ListRubricChanges(ctx, &rubricv1.ListRubricChangesRequest{Parent: r.GetName()})
	if err != nil || len(changes.GetChanges()) != 3 || changes.GetChanges()[2].GetKind() != rubricv1.Change_KIND_DERIVE ||
		changes.GetChanges()[0].GetRevision() != rev.GetName() {
		t.Errorf("ListRubricChanges() = %v, %v, want publish, update, derive", changes, err)
	}
	// Admins' list says who last changed each draft, as the history does;
	// the snapshot others read does not.
	list, err := e.admin.ListRubrics(ctx, &rubricv1.ListRubricsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(changes.GetChanges()[0], list.GetRubrics()[0].GetLastChange(), protocmp.Transform()); diff != "" {
		t.Errorf("ListRubrics() last_change (-newest change +got):\n%s", diff)
	}
	list, err = interviewer.ListRubrics(ctx, &rubricv1.ListRubricsRequest{})
	if err != nil || len(list.GetRubrics()) != 1 || list.GetRubrics()[0].GetLastChange() != nil {
		t.Errorf("ListRubrics() as an interviewer = %v, %v, want one snapshot without last_change", list, err)
	}
}

func TestDeriveErrors(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	for _, tt := range []struct {
		name  string
		req   *rubricv1.DeriveRubricRequest
		code  codes.Code
		field string
	}{
		{"missing framework", &rubricv1.DeriveRubricRequest{Framework: "frameworks/nope", Track: "ic", Level: "l2", InterviewType: "coding"}, codes.NotFound, ""},
		{"missing revision", &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng/revisions/9", Track: "ic", Level: "l2", InterviewType: "coding"}, codes.NotFound, ""},
		{"missing track", &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng", Track: "mgmt", Level: "l2", InterviewType: "coding"}, codes.InvalidArgument, "track"},
		{"missing level", &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng", Track: "ic", Level: "l7", InterviewType: "coding"}, codes.InvalidArgument, "level"},
		{"bad framework name", &rubricv1.DeriveRubricRequest{Framework: "eng", Track: "ic", Level: "l2", InterviewType: "coding"}, codes.InvalidArgument, "framework"},
		{"no interview type", &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng", Track: "ic", Level: "l2"}, codes.InvalidArgument, "interview_type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.admin.DeriveRubric(ctx, tt.req)
			wantCode(t, err, tt.code, tt.field)
		})
	}
	// A request ID makes a derive idempotent; the same ID again is the first result.
	req := &rubricv1.DeriveRubricRequest{Framework: "frameworks/eng", Track: "ic", Level: "l1", InterviewType: "coding", RequestId: "derive-1"}
	first, err := e.admin.DeriveRubric(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.admin.DeriveRubric(ctx, req)
	if err != nil || again.GetName() != first.GetName() || again.GetEtag() != first.GetEtag() {
		t.Errorf("DeriveRubric(same request id) = %v, %v, want %s again", again.GetName(), err, first.GetName())
	}
	// Without the ID, the same derive makes a second rubric, numbered.
	req.RequestId = ""
	second, err := e.admin.DeriveRubric(ctx, req)
	if err != nil || second.GetName() != first.GetName()+"-2" {
		t.Errorf("DeriveRubric(again, no request id) = %v, %v, want %s-2", second.GetName(), err, first.GetName())
	}
	// An ID that is taken is refused, with one that is free: never renamed.
	req.RubricId = strings.TrimPrefix(first.GetName(), "rubrics/")
	_, err = e.admin.DeriveRubric(ctx, req)
	wantCode(t, err, codes.AlreadyExists, "")
	if !strings.Contains(err.Error(), "for example "+req.RubricId+"-3") {
		t.Errorf("a taken ID = %v, want the suggestion %s-3", err, req.RubricId)
	}
}

// Every rule is enforced through gRPC with INVALID_ARGUMENT naming the field,
// and a refused write changes nothing.
func TestRulesNameTheField(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	r := e.derive(t, "sd")
	update := func(edit func(r *rubricv1.Rubric)) error {
		fresh := proto.Clone(r).(*rubricv1.Rubric) // each case breaks its own copy
		in := &rubricv1.Rubric{Name: r.GetName(), Etag: r.GetEtag(), Scale: fresh.GetScale(), Competencies: fresh.GetCompetencies()}
		edit(in)
		_, err := e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"scale", "competencies"}}})
		return err
	}
	for _, tt := range []struct {
		name  string
		edit  func(r *rubricv1.Rubric)
		field string
	}{
		{"duplicate competency", func(r *rubricv1.Rubric) { r.Competencies[1].Id = r.Competencies[0].Id }, "rubric.competencies[1].id"},
		{"negative weight", func(r *rubricv1.Rubric) { r.Competencies[0].Weight = -2 }, "rubric.competencies[0].weight"},
		{"anchor off the scale", func(r *rubricv1.Rubric) { r.Competencies[0].Anchors[0].Score = 7 }, "rubric.competencies[0].anchors[0].score"},
		{"two anchors for a score", func(r *rubricv1.Rubric) { r.Competencies[0].Anchors[1].Score = 1 }, "rubric.competencies[0].anchors[1].score"},
		{"scale shrunk under its anchors", func(r *rubricv1.Rubric) { r.Scale = &rubricv1.Scale{Min: 1, Max: 3} }, "rubric.competencies[0].anchors[3].score"},
		{"eleven points", func(r *rubricv1.Rubric) { r.Scale = &rubricv1.Scale{Min: 0, Max: 10} }, "rubric.scale.max"},
	} {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, update(tt.edit), codes.InvalidArgument, tt.field) })
	}
	// A draft may lack anchors, but cannot be published so.
	if err := update(func(r *rubricv1.Rubric) { r.Competencies[1].Anchors = r.Competencies[1].Anchors[:2] }); err != nil {
		t.Fatal(err)
	}
	cur, err := e.admin.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: r.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()})
	wantCode(t, err, codes.InvalidArgument, "competencies[1].anchors")
	// Stale or foreign etags are ABORTED.
	for _, etag := range []string{r.GetEtag(), "garbage"} {
		_, err = e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: r.GetName(), Etag: etag, Title: "x"}})
		wantCode(t, err, codes.Aborted, "")
	}
	after, err := e.admin.GetRubric(ctx, &rubricv1.GetRubricRequest{Name: r.GetName()})
	if err != nil || after.GetEtag() != cur.GetEtag() {
		t.Errorf("etag after refused writes = %q, %v, want %q unchanged", after.GetEtag(), err, cur.GetEtag())
	}
}

// Ten writers with one etag: exactly one wins.
func TestRacingUpdatesHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	r := e.derive(t, "sd")
	const writers = 10
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.admin.UpdateRubric(ctx, &rubricv1.UpdateRubricRequest{Rubric: &rubricv1.Rubric{Name: r.GetName(), Etag: r.GetEtag(), Title: "Writer"}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch status.Code(err) {
		case codes.OK:
			won++
		case codes.Aborted:
		default:
			t.Errorf("racing UpdateRubric() = %v, want OK or ABORTED", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d writers with one etag won, want 1", won, writers)
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	e.derive(t, "a-design")
	for _, req := range []*rubricv1.DeriveRubricRequest{
		{RubricId: "b-coding", Framework: "frameworks/eng", Track: "ic", Level: "l2", InterviewType: "coding"},
		{RubricId: "c-coding", Framework: "frameworks/eng", Track: "ic", Level: "l1", InterviewType: "coding", Role: "backend"},
	} {
		if _, err := e.admin.DeriveRubric(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	names := func(req *rubricv1.ListRubricsRequest) []string {
		t.Helper()
		var out []string
		for {
			page, err := e.admin.ListRubrics(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.GetRubrics() {
				out = append(out, r.GetName())
			}
			if req.PageToken = page.GetNextPageToken(); req.PageToken == "" {
				return out
			}
		}
	}
	for _, tt := range []struct {
		req  *rubricv1.ListRubricsRequest
		want string
	}{
		{&rubricv1.ListRubricsRequest{}, "[rubrics/a-design rubrics/b-coding rubrics/c-coding]"},
		{&rubricv1.ListRubricsRequest{InterviewType: "coding", PageSize: 1}, "[rubrics/b-coding rubrics/c-coding]"},
		{&rubricv1.ListRubricsRequest{Level: "l2"}, "[rubrics/a-design rubrics/b-coding]"},
		{&rubricv1.ListRubricsRequest{Role: "backend"}, "[rubrics/c-coding]"},
		{&rubricv1.ListRubricsRequest{Role: "ic", InterviewType: "coding"}, "[rubrics/b-coding]"},
		{&rubricv1.ListRubricsRequest{Level: "l9"}, "[]"},
	} {
		if got := fmtNames(names(tt.req)); got != tt.want {
			t.Errorf("ListRubrics(%v) = %s, want %s", tt.req, got, tt.want)
		}
	}
	_, err := e.admin.ListRubrics(ctx, &rubricv1.ListRubricsRequest{Role: "Not A Slug"})
	wantCode(t, err, codes.InvalidArgument, "role")
}

func fmtNames(names []string) string {
	out := "["
	for i, n := range names {
		if i > 0 {
			out += " "
		}
		out += n
	}
	return out + "]"
}
