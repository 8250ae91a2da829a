package services

import (
	"context"
	"errors"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
	"github.com/yardstick-dev/yardstick/services/rubric"
)

// rubricService is the entry of the rubric service: interview rubrics,
// derived from ladder levels through the ladder's gRPC client.
func rubricService() Service {
	return Service{
		Name:     "rubric",
		Database: "rubric",
		Calls:    []string{"ladder"},
		Start: func(ctx context.Context, db *mongo.Database, reg grpc.ServiceRegistrar, peers Peers, _ *slog.Logger, _ Settings) error {
			store := rubric.NewStore(db)
			if err := store.Init(ctx); err != nil {
				return err
			}
			rubricv1.RegisterRubricServiceServer(reg, rubric.New(store, ladderv1.NewLadderServiceClient(peers["ladder"])))
			return nil
		},
		Seed: func(ctx context.Context, dbs func(string) *mongo.Database, log *slog.Logger) error {
			// In-process, the ladder is read through its server directly: the
			// seed has no token to forward over the network.
			frameworks := inProcessLadder{ladder.New(ladder.NewStore(dbs("ladder")), ladder.NewUsers(dbs("ladder")))}
			return seedRubrics(ctx, log, rubric.New(rubric.NewStore(dbs("rubric")), frameworks))
		},
		RegisterGateway: rubricv1.RegisterRubricServiceHandler,
		Rules:           rubric.Rules,
	}
}

// inProcessLadder reads frameworks through the ladder's server in-process.
type inProcessLadder struct{ server ladderv1.LadderServiceServer }

func (l inProcessLadder) GetFrameworkRevision(ctx context.Context, in *ladderv1.GetFrameworkRevisionRequest, _ ...grpc.CallOption) (*ladderv1.FrameworkRevision, error) {
	return l.server.GetFrameworkRevision(ctx, in)
}

// sampleRubrics are the rubrics dev mode derives from the sample framework
// and publishes, so that interviews have something to be scored against.
func sampleRubrics() []*rubricv1.DeriveRubricRequest {
	const framework = "frameworks/" + ladder.SampleFrameworkID
	return []*rubricv1.DeriveRubricRequest{
		{RubricId: "l2-coding", Framework: framework, Track: "ic", Level: "l2", InterviewType: "coding", Competencies: []string{"technical-skill", "quality", "communication"}},
		{RubricId: "l2-system-design", Framework: framework, Track: "ic", Level: "l2", InterviewType: "system-design", Competencies: []string{"technical-skill", "delivery", "communication"}},
		{RubricId: "l3-coding", Framework: framework, Track: "ic", Level: "l3", InterviewType: "coding", Competencies: []string{"technical-skill", "quality", "communication"}},
		{RubricId: "l3-system-design", Framework: framework, Track: "ic", Level: "l3", InterviewType: "system-design", Competencies: []string{"technical-skill", "delivery", "collaboration", "leadership"}},
	}
}

// seedRubrics derives and publishes the sample rubrics the first time dev
// mode runs: when the first of them has no history at all.
func seedRubrics(ctx context.Context, log *slog.Logger, service rubricv1.RubricServiceServer) error {
	ctx = asSeed(ctx)
	samples := sampleRubrics()
	first := "rubrics/" + samples[0].GetRubricId()
	_, err := service.ListRubricChanges(ctx, &rubricv1.ListRubricChangesRequest{Parent: first, PageSize: 1})
	if !errors.Is(err, apierr.ErrNotFound) {
		return err // nil: seeded before
	}
	for _, req := range samples {
		r, err := service.DeriveRubric(ctx, req)
		if errors.Is(err, apierr.ErrNotFound) {
			log.Warn("no sample rubrics: the sample framework is gone", "framework", req.GetFramework())
			return nil
		}
		if err != nil {
			return err
		}
		rev, err := service.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName(), Etag: r.GetEtag()})
		if err != nil {
			return err
		}
		log.Info("seeded a sample rubric", "name", rev.GetName())
	}
	return nil
}
