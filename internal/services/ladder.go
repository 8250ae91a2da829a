package services

import (
	"context"
	"errors"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// ladderService is the entry of the ladder service: career frameworks.
func ladderService() Service {
	return Service{
		Name:     "ladder",
		Database: "ladder",
		Start: func(ctx context.Context, db *mongo.Database, reg grpc.ServiceRegistrar, _ Peers, _ *slog.Logger) error {
			store := ladder.NewStore(db)
			if err := store.Init(ctx); err != nil {
				return err
			}
			ladderv1.RegisterLadderServiceServer(reg, ladder.New(store))
			return nil
		},
		Seed: func(ctx context.Context, dbs func(string) *mongo.Database, log *slog.Logger) error {
			return seedLadder(ctx, log, ladder.New(ladder.NewStore(dbs("ladder"))))
		},
		RegisterGateway: ladderv1.RegisterLadderServiceHandler,
		Rules:           ladder.Rules,
	}
}

// seedActor is the subject the sample data's history names.
const seedActor = "system/seed"

// asSeed is the context seeds call services in: as an admin named seedActor.
// Seeds run in-process: dev mode may trust an OIDC issuer, and then no token
// of its own would pass.
func asSeed(ctx context.Context) context.Context {
	return principal.NewContext(ctx, principal.Principal{Subject: seedActor, Roles: []principal.Role{principal.Admin}})
}

// seedLadder imports and publishes the sample framework the first time dev
// mode runs on a database: when the framework has no history at all. A
// framework that someone deleted keeps its history, so it is not seeded
// again. It calls the service in-process as an admin: dev mode may trust an
// OIDC issuer, and then no token of its own would pass.
func seedLadder(ctx context.Context, log *slog.Logger, service ladderv1.LadderServiceServer) error {
	ctx = asSeed(ctx)
	name := "frameworks/" + ladder.SampleFrameworkID
	_, err := service.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: name, PageSize: 1})
	if !errors.Is(err, apierr.ErrNotFound) {
		return err // nil: seeded before
	}
	f, err := service.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{
		FrameworkId: ladder.SampleFrameworkID,
		Content:     ladder.SampleFramework,
	})
	if err != nil {
		return err
	}
	rev, err := service.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName(), Etag: f.GetEtag()})
	if err != nil {
		return err
	}
	log.Info("seeded the sample framework", "name", rev.GetName())
	return nil
}
