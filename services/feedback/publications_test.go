package feedback_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// What was published before the watch began is noted, not announced; a
// publication after it is announced once, with its revision.
func TestPublicationsAreAnnounced(t *testing.T) {
	ctx := context.Background()
	e := start(t) // frameworks/eng and rubrics/coding are at revision 1
	r := listen(t, "127.0.0.1:0", 0)
	admin := e.FeedbackAs(testenv.AdminSubject, principal.Admin)
	hook, err := admin.CreateWebhook(ctx, &feedbackv1.CreateWebhookRequest{Webhook: &feedbackv1.Webhook{
		Url: "http://" + r.addr + "/", EventTypes: []string{"framework.published", "rubric.published"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.MintDev(e.Key, "system/feedback", []principal.Role{principal.Employee}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	watchCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	store := feedback.NewStore(mongotest.Client(t).Database(e.DatabasePrefix + "feedback"))
	go func() {
		defer close(done)
		store.WatchPublications(watchCtx, feedback.Publications{
			Ladder: ladderv1.NewLadderServiceClient(e.Conn), Rubrics: rubricv1.NewRubricServiceClient(e.Conn),
			Token: func(context.Context) (string, error) { return token, nil }, Every: 100 * time.Millisecond,
		}, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { stop(); <-done })
	time.Sleep(500 * time.Millisecond) // a few rounds: the first notes revision 1 of each

	ladder := e.LadderAs(testenv.AdminSubject, principal.Admin)
	f, err := ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/eng"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Title: "Engineering (2027)"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		t.Fatal(err)
	}
	got := r.wait(t, "framework.published", 0)
	verify(t, hook.GetSecret(), got)
	if got.Data["revision"] != "frameworks/eng/revisions/2" || got.Data["title"] != "Engineering (2027)" {
		t.Fatalf("framework.published data: %v", got.Data)
	}
	time.Sleep(300 * time.Millisecond)
	if n := r.count(); n != 1 {
		t.Fatalf("%d deliveries, want the one publication (revision 1 of each was there before)", n)
	}
}
