package ladder_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// small returns a minimal framework that can be published.
func small(title string) *ladderv1.Framework {
	return &ladderv1.Framework{
		Title:        title,
		Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}, {Id: "impact", Title: "Impact"}},
		Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
			{Id: "l1", Title: "Engineer", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Writes code."}}},
			{Id: "l2", Title: "Senior", Expectations: []*ladderv1.Expectation{
				{Competency: "craft", Description: "Designs components."},
				{Competency: "impact", Description: "Leads projects."},
			}},
		}}},
	}
}

func create(t *testing.T, c ladderv1.LadderServiceClient, id string) *ladderv1.Framework {
	t.Helper()
	f, err := c.CreateFramework(context.Background(), &ladderv1.CreateFrameworkRequest{FrameworkId: id, Framework: small("Framework " + id)})
	if err != nil {
		t.Fatalf("CreateFramework(%s): %v", id, err)
	}
	return f
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

func TestCreateGetListDelete(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client

	created := create(t, c, "eng")
	if created.GetName() != "frameworks/eng" || created.GetEtag() == "" || !created.GetUnpublishedChanges() {
		t.Errorf("CreateFramework() = %v, want frameworks/eng, an etag, unpublished changes", created)
	}
	got, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetFramework() differs from what CreateFramework returned (-created +got):\n%s", diff)
	}

	_, err = c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "eng", Framework: small("Again")})
	wantCode(t, err, codes.AlreadyExists, "")

	list, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 {
		t.Fatalf("ListFrameworks() = %v, %v, want one framework", list, err)
	}

	_, err = c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: "frameworks/eng", Etag: "99"})
	wantCode(t, err, codes.Aborted, "")
	if _, err := c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: "frameworks/eng", Etag: created.GetEtag()}); err != nil {
		t.Fatalf("DeleteFramework(): %v", err)
	}
	_, err = c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	wantCode(t, err, codes.NotFound, "")
	_, err = c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: "frameworks/eng"})
	wantCode(t, err, codes.NotFound, "")

	// The ID can be used again, and the history continues.
	again := create(t, c, "eng")
	if again.GetEtag() != "3" {
		t.Errorf("recreated etag = %q, want 3 (create, delete, create)", again.GetEtag())
	}
}

func TestCreateMakesIDFromTitle(t *testing.T) {
	c := testenv.StartLadder(t).Client
	f1, err := c.CreateFramework(context.Background(), &ladderv1.CreateFrameworkRequest{Framework: small("Data Science (EU)")})
	if err != nil {
		t.Fatal(err)
	}
	if f1.GetName() != "frameworks/data-science-eu" {
		t.Errorf("name = %q, want frameworks/data-science-eu", f1.GetName())
	}
	f2, err := c.CreateFramework(context.Background(), &ladderv1.CreateFrameworkRequest{Framework: small("Data Science (EU)")})
	if err != nil {
		t.Fatal(err)
	}
	if f2.GetName() == f1.GetName() {
		t.Errorf("second framework with the same title got the same name %q", f2.GetName())
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	f := create(t, c, "eng")

	upd, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Title: "Engineering", Description: "ignored: not in the mask"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if upd.GetTitle() != "Engineering" || upd.GetDescription() != "" || upd.GetEtag() == f.GetEtag() || len(upd.GetTracks()) != 1 {
		t.Errorf("UpdateFramework(title) = %v, want new title, no description, new etag, tracks kept", upd)
	}

	// An update that changes nothing keeps the version.
	same, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: upd.GetEtag(), Title: "Engineering"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	if err != nil || same.GetEtag() != upd.GetEtag() {
		t.Errorf("no-op UpdateFramework() = etag %q, %v, want etag %q", same.GetEtag(), err, upd.GetEtag())
	}

	// A stale etag is refused and changes nothing.
	_, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Title: "Lost update"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	wantCode(t, err, codes.Aborted, "")
	// Etags are opaque (AIP-154): a malformed one or another resource's is
	// as stale as an old one.
	for _, etag := range []string{"W/\"2\"", "not-an-etag", "\u00e9", "999999999999999999999999", "0"} {
		_, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
			Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: etag, Title: "Lost update"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		})
		wantCode(t, err, codes.Aborted, "")
		_, err = c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: f.GetName(), Etag: etag})
		wantCode(t, err, codes.Aborted, "")
	}
	got, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: f.GetName()})
	if err != nil || got.GetTitle() != "Engineering" {
		t.Errorf("title after stale updates = %q, %v, want Engineering", got.GetTitle(), err)
	}
}

func TestConcurrentUpdatesWithSameETag(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	f := create(t, c, "eng")

	const writers = 10
	codesSeen := make([]codes.Code, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
				Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Title: fmt.Sprintf("Writer %d", i)},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
			})
			codesSeen[i] = status.Code(err)
		}()
	}
	wg.Wait()
	count := map[codes.Code]int{}
	for _, code := range codesSeen {
		count[code]++
	}
	if count[codes.OK] != 1 || count[codes.Aborted] != writers-1 {
		t.Fatalf("outcomes of %d concurrent updates = %v, want 1 OK and %d Aborted", writers, count, writers-1)
	}
	changes, err := c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: f.GetName()})
	if err != nil || len(changes.GetChanges()) != 2 {
		t.Fatalf("ListFrameworkChanges() = %v, %v, want create and one update", changes, err)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	f := create(t, c, "eng")

	unknownCompetency := small("Bad")
	unknownCompetency.Tracks[0].Levels[0].Expectations[0].Competency = "nope"
	duplicateTrack := small("Bad")
	duplicateTrack.Tracks = append(duplicateTrack.Tracks, duplicateTrack.Tracks[0])
	emptyTitle := small("")

	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"empty title", func() error {
			_, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "x", Framework: emptyTitle})
			return err
		}, "framework.title"},
		{"bad framework id", func() error {
			_, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "Bad_ID", Framework: small("X")})
			return err
		}, "framework_id"},
		{"unknown competency", func() error {
			_, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "x", Framework: unknownCompetency})
			return err
		}, "framework.tracks[0].levels[0].expectations[0].competency"},
		{"duplicate track", func() error {
			_, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "x", Framework: duplicateTrack})
			return err
		}, "framework.tracks[1].id"},
		{"missing framework", func() error {
			_, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "x"})
			return err
		}, "framework"},
		{"negative page size", func() error {
			_, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: -1})
			return err
		}, "page_size"},
		{"garbage page token", func() error {
			_, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageToken: "garbage"})
			return err
		}, "page_token"},
		{"bad name", func() error {
			_, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/UPPER"})
			return err
		}, "name"},
		{"update without etag", func() error {
			_, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Title: "T"}})
			return err
		}, "framework.etag"},
		{"update of an output-only-only mask", func() error {
			_, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
				Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag()},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tracks.levels"}},
			})
			return err
		}, "update_mask"},
		{"update making the content invalid", func() error {
			_, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
				Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag()},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"competencies"}}, // tracks still name them
			})
			return err
		}, "framework.tracks[0].levels[0].expectations[0].competency"},
		{"update of a revision", func() error {
			_, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName() + "/revisions/1", Etag: "1", Title: "T"}})
			return err
		}, "framework.name"},
		{"broken YAML", func() error {
			_, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "y", Content: "title: [unclosed"})
			return err
		}, "content"},
		{"unknown level", func() error {
			_, err := c.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: f.GetName(), Track: "ic", FromLevel: "l1", ToLevel: "l9"})
			return err
		}, "to_level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.call(), codes.InvalidArgument, tt.field) })
	}

	list, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 {
		t.Fatalf("ListFrameworks() = %v, %v, want only the one framework", list, err)
	}
	if diff := cmp.Diff(f, list.GetFrameworks()[0], protocmp.Transform()); diff != "" {
		t.Errorf("framework changed by bad requests (-before +after):\n%s", diff)
	}
}

func TestPublishAndRevisions(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	f := create(t, c, "eng")

	r1, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName(), Etag: f.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if r1.GetName() != "frameworks/eng/revisions/1" || r1.GetSnapshot().GetName() != "frameworks/eng" ||
		r1.GetSnapshot().GetTitle() != f.GetTitle() || r1.GetCreateTime() == nil || r1.GetEtag() == "" {
		t.Errorf("PublishFramework() = %v, want frameworks/eng/revisions/1 with the draft as its snapshot", r1)
	}
	_, err = c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()})
	wantCode(t, err, codes.FailedPrecondition, "") // nothing changed since
	d, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: f.GetName()})
	if err != nil || d.GetUnpublishedChanges() || d.GetLatestRevision() != "frameworks/eng/revisions/1" {
		t.Errorf("draft after publish = %v, %v, want no unpublished changes and latest revision frameworks/eng/revisions/1", d, err)
	}
	d, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: d.GetEtag(), Title: "Second"}})
	if err != nil {
		t.Fatal(err)
	}
	if !d.GetUnpublishedChanges() {
		t.Errorf("draft after edit: unpublished_changes false, want true")
	}
	if _, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}

	// Revision 1 is immutable; latest follows the newest.
	old, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/1"})
	if err != nil || old.GetSnapshot().GetTitle() != f.GetTitle() {
		t.Errorf("GetFrameworkRevision(1) = %v, %v, want the original title", old, err)
	}
	latest, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/latest"})
	if err != nil || latest.GetName() != "frameworks/eng/revisions/2" || latest.GetSnapshot().GetTitle() != "Second" {
		t.Errorf("GetFrameworkRevision(latest) = %v, %v, want frameworks/eng/revisions/2 titled Second", latest.GetName(), err)
	}
	_, err = c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/3"})
	wantCode(t, err, codes.NotFound, "")
	for _, bad := range []string{"frameworks/eng@1", "frameworks/eng/revisions/0", "frameworks/eng/revisions/x", "frameworks/eng"} {
		_, err = c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: bad})
		wantCode(t, err, codes.InvalidArgument, "name")
	}

	var names []string
	token := ""
	for {
		page, err := c.ListFrameworkRevisions(ctx, &ladderv1.ListFrameworkRevisionsRequest{Parent: f.GetName(), PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.GetRevisions() {
			names = append(names, r.GetName())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"frameworks/eng/revisions/2", "frameworks/eng/revisions/1"}, names); diff != "" {
		t.Errorf("ListFrameworkRevisions() names (-want +got):\n%s", diff)
	}

	// Deleting the draft keeps the revisions readable by name.
	if _, err := c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/1"}); err != nil {
		t.Errorf("GetFrameworkRevision(1) after delete: %v, want the revision", err)
	}
	_, err = c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/latest"})
	wantCode(t, err, codes.NotFound, "") // latest belongs to a live framework

	// Re-created, the framework keeps counting revisions: revisions 1 and 2
	// keep meaning what they meant.
	again, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "eng", Framework: small("Third")})
	if err != nil {
		t.Fatal(err)
	}
	if again.GetLatestRevision() != "frameworks/eng/revisions/2" {
		t.Errorf("re-created framework's latest revision = %q, want frameworks/eng/revisions/2", again.GetLatestRevision())
	}
	r3, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: again.GetName()})
	if err != nil || r3.GetName() != "frameworks/eng/revisions/3" || r3.GetSnapshot().GetTitle() != "Third" {
		t.Errorf("PublishFramework() after re-create = %v, %v, want frameworks/eng/revisions/3 titled Third", r3.GetName(), err)
	}
	old, err = c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/1"})
	if err != nil || old.GetSnapshot().GetTitle() != f.GetTitle() {
		t.Errorf("GetFrameworkRevision(1) after re-create and publish = %v, %v, want the original title", old, err)
	}
	// Compare and export take a revision too, and say which one they read.
	cmpResp, err := c.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: "frameworks/eng/revisions/latest", Track: "ic", FromLevel: "l1", ToLevel: "l1"})
	if err != nil || cmpResp.GetName() != "frameworks/eng/revisions/3" {
		t.Errorf("CompareLevels(latest) = %v, %v, want it read from frameworks/eng/revisions/3", cmpResp.GetName(), err)
	}
}

// The same request ID again returns the first result and writes nothing
// (AIP-155), for a create with a server-chosen ID and for a publish.
func TestRequestIDMakesWritesIdempotent(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	req := &ladderv1.CreateFrameworkRequest{Framework: small("Engineering"), RequestId: "3f1c2a9e-0d1b-4c5e-9a47-5d2b8e0c1f00"}
	first, err := c.CreateFramework(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateFramework(ctx, req)
	if err != nil || again.GetName() != first.GetName() || again.GetEtag() != first.GetEtag() {
		t.Fatalf("CreateFramework(same request id) = %v, %v, want the first result %s", again.GetName(), err, first.GetName())
	}
	// Without a request ID the same body is a second framework with a suffixed ID.
	second, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{Framework: small("Engineering")})
	if err != nil || second.GetName() == first.GetName() {
		t.Fatalf("CreateFramework(no request id) = %v, %v, want a second framework", second.GetName(), err)
	}
	pub := &ladderv1.PublishFrameworkRequest{Name: first.GetName(), RequestId: "publish-1"}
	r1, err := c.PublishFramework(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	r1again, err := c.PublishFramework(ctx, pub)
	if err != nil || r1again.GetName() != r1.GetName() {
		t.Errorf("PublishFramework(same request id) = %v, %v, want %s again", r1again.GetName(), err, r1.GetName())
	}
	changes, err := c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: first.GetName()})
	if err != nil || len(changes.GetChanges()) != 2 {
		t.Errorf("ListFrameworkChanges() = %d changes, %v, want 2 (one create, one publish)", len(changes.GetChanges()), err)
	}
	_, err = c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{Framework: small("X"), RequestId: "not valid!"})
	wantCode(t, err, codes.InvalidArgument, "request_id")
}

func TestChangesRecordWhoWhatWhen(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	c := l.Client
	f := create(t, c, "eng")
	f, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{
		Framework:  &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Description: "New description"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"description"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}

	var got []*ladderv1.Change
	token := ""
	for {
		page, err := c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: f.GetName(), PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.GetChanges()...)
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	want := []*ladderv1.Change{
		{Name: "frameworks/eng/changes/3", Version: 3, Kind: ladderv1.Change_KIND_PUBLISH, Actor: testenv.AdminSubject, Revision: "frameworks/eng/revisions/1"},
		{Name: "frameworks/eng/changes/2", Version: 2, Kind: ladderv1.Change_KIND_UPDATE, Actor: testenv.AdminSubject, ChangedFields: []string{"description"}},
		{Name: "frameworks/eng/changes/1", Version: 1, Kind: ladderv1.Change_KIND_CREATE, Actor: testenv.AdminSubject, ChangedFields: []string{"title", "competencies", "tracks"}},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(), protocmp.IgnoreFields(&ladderv1.Change{}, "create_time")); diff != "" {
		t.Errorf("ListFrameworkChanges() (-want +got):\n%s", diff)
	}
	for _, ch := range got {
		if ch.GetCreateTime() == nil {
			t.Errorf("change %s has no time", ch.GetName())
		}
	}
	// A list of drafts says who last changed each, as the history does;
	// the published snapshot others read does not.
	list, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got[0], list.GetFrameworks()[0].GetLastChange(), protocmp.Transform()); diff != "" {
		t.Errorf("ListFrameworks() last_change (-newest change +got):\n%s", diff)
	}
	list, err = l.ClientAs("users/erin", principal.Employee).ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{})
	if err != nil || len(list.GetFrameworks()) != 1 || list.GetFrameworks()[0].GetLastChange() != nil {
		t.Errorf("ListFrameworks() as an engineer = %v, %v, want one snapshot without last_change", list, err)
	}
	_, err = c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: f.GetName(), PageToken: token + "x"})
	wantCode(t, err, codes.InvalidArgument, "page_token")
	_, err = c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: "frameworks/none"})
	wantCode(t, err, codes.NotFound, "")
}

func TestListPages(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	for _, id := range []string{"e", "c", "a", "d", "b"} {
		create(t, c, id)
	}
	var names []string
	token := ""
	pages := 0
	for {
		page, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.GetFrameworks() {
			names = append(names, f.GetName())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
		// A token continues only the request it came from.
		_, err = c.ListFrameworkRevisions(ctx, &ladderv1.ListFrameworkRevisionsRequest{Parent: "frameworks/a", PageToken: token})
		wantCode(t, err, codes.InvalidArgument, "page_token")
	}
	want := []string{"frameworks/a", "frameworks/b", "frameworks/c", "frameworks/d", "frameworks/e"}
	if diff := cmp.Diff(want, names); diff != "" || pages != 3 {
		t.Errorf("ListFrameworks() over %d pages (-want +got):\n%s", pages, diff)
	}
}

func TestImportExportAndCompare(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	f, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: ladder.SampleFramework})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.GetTracks()) < 2 || len(f.GetCompetencies()) < 6 || len(f.GetTracks()[0].GetLevels()) < 5 {
		t.Errorf("sample framework has %d tracks, %d competencies, %d IC levels; want at least 2, 6, 5",
			len(f.GetTracks()), len(f.GetCompetencies()), len(f.GetTracks()[0].GetLevels()))
	}
	_, err = c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: ladder.SampleFramework})
	wantCode(t, err, codes.AlreadyExists, "")

	exported, err := c.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: f.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	// Re-importing the export over the draft changes nothing.
	again, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: exported.GetContent(), Etag: f.GetEtag()})
	if err != nil || again.GetEtag() != f.GetEtag() {
		t.Errorf("ImportFramework(export, etag) = etag %q, %v, want unchanged etag %q", again.GetEtag(), err, f.GetEtag())
	}
	replaced, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Etag: f.GetEtag(),
		Content: "title: Tiny\ncompetencies: [{id: a, title: A}]\ntracks: [{id: t, title: T, levels: [{id: l, title: L}]}]\n"})
	if err != nil || replaced.GetTitle() != "Tiny" || len(replaced.GetTracks()) != 1 {
		t.Errorf("ImportFramework(replace) = %v, %v, want the tiny framework", replaced, err)
	}

	cmpResp, err := c.CompareLevels(ctx, &ladderv1.CompareLevelsRequest{Name: "frameworks/engineering", Track: "t", FromLevel: "l", ToLevel: "l"})
	if err != nil || len(cmpResp.GetCompetencies()) != 1 ||
		cmpResp.GetCompetencies()[0].GetDifference() != ladderv1.CompetencyComparison_DIFFERENCE_NONE {
		t.Errorf("CompareLevels() = %v, %v, want one competency with no expectation", cmpResp, err)
	}
}

// Published revisions are served from memory once read: a numbered one
// never changes; `latest` follows each publish and a delete.
func TestRevisionsServedFromMemory(t *testing.T) {
	ctx := context.Background()
	l := testenv.StartLadder(t)
	c := l.Client
	f := create(t, c, "eng")
	rev1, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: rev1.GetName()}); err != nil {
		t.Fatal(err)
	}
	// With its record gone from the database, revision 1 is still served,
	// as it was: from memory.
	changes := mongotest.Client(t).Database(l.DatabasePrefix + "ladder").Collection("framework_changes")
	if _, err := changes.DeleteOne(ctx, bson.D{{Key: "_id", Value: "frameworks/eng#2"}}); err != nil {
		t.Fatal(err)
	}
	got, err := l.ClientAs("users/erin", principal.Employee).GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: rev1.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rev1, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetFrameworkRevision(%s) from memory (-published +got):\n%s", rev1.GetName(), diff)
	}
	// latest moves with a publish, and is gone with the draft.
	latest := &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/eng/revisions/latest"}
	if got, err := c.GetFrameworkRevision(ctx, latest); err != nil || got.GetName() != rev1.GetName() {
		t.Errorf("GetFrameworkRevision(latest) = %v, %v, want %s", got.GetName(), err, rev1.GetName())
	}
	f, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: "2", Title: "Eng 2"}})
	if err != nil {
		t.Fatal(err)
	}
	rev2, err := c.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetFrameworkRevision(ctx, latest); err != nil || got.GetName() != rev2.GetName() || got.GetSnapshot().GetTitle() != "Eng 2" {
		t.Errorf("GetFrameworkRevision(latest) after a publish = %v, %v, want %s", got.GetName(), err, rev2.GetName())
	}
	if _, err := c.DeleteFramework(ctx, &ladderv1.DeleteFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFrameworkRevision(ctx, latest)
	wantCode(t, err, codes.NotFound, "")
	if got, err := c.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: rev2.GetName()}); err != nil || got.GetName() != rev2.GetName() {
		t.Errorf("GetFrameworkRevision(%s) after delete = %v, %v, want it", rev2.GetName(), got.GetName(), err)
	}
}
