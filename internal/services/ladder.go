package services

import (
	"context"
	"errors"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

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
		Start: func(ctx context.Context, db *mongo.Database, reg grpc.ServiceRegistrar, _ Peers, _ *slog.Logger, _ Settings) error {
			store, users, assessments := ladder.NewStore(db), ladder.NewUsers(db), ladder.NewAssessments(db)
			if err := store.Init(ctx); err != nil {
				return err
			}
			if err := ladder.InitUsers(ctx, users); err != nil {
				return err
			}
			if err := ladder.InitAssessments(ctx, assessments); err != nil {
				return err
			}
			ladderv1.RegisterLadderServiceServer(reg, ladder.New(store, users, ladder.WithAssessments(assessments)))
			return nil
		},
		Seed: func(ctx context.Context, dbs func(string) *mongo.Database, log *slog.Logger) error {
			db := dbs("ladder")
			return seedLadder(ctx, log, ladder.New(ladder.NewStore(db), ladder.NewUsers(db)))
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
	if err == nil {
		return seedPeople(ctx, log, service) // the framework was seeded before
	}
	if !errors.Is(err, apierr.ErrNotFound) {
		return err
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
	return seedPeople(ctx, log, service)
}

// demoPeople are the demo's directory: everyone the sign-in picker offers
// and the interviewers of the demo loop, by name, with the engineers'
// places on the sample ladder.
var demoPeople = []*ladderv1.User{
	{Name: "users/adam", DisplayName: "Adam Novak", Title: "Engineering Manager", Email: "adam@example.com"},
	{Name: "users/rita", DisplayName: "Rita Okafor", Title: "Technical Recruiter", Email: "rita@example.com", Manager: "users/adam"},
	{Name: "users/ivan", DisplayName: "Ivan Petrov", Title: "Staff Engineer", Email: "ivan@example.com", Manager: "users/adam", Track: "ic", Level: "l4"},
	{Name: "users/ines", DisplayName: "Ines Duarte", Title: "Senior Engineer", Email: "ines@example.com", Manager: "users/adam", Track: "ic", Level: "l3"},
	{Name: "users/omar", DisplayName: "Omar Haddad", Title: "Senior Engineer", Email: "omar@example.com", Manager: "users/adam", Track: "ic", Level: "l3"},
	{Name: "users/erin", DisplayName: "Erin Walsh", Title: "Engineer", Email: "erin@example.com", Manager: "users/adam", Track: "ic", Level: "l2"},
	{Name: "users/iris", DisplayName: "Iris Chen", Title: "Senior Engineer", Email: "iris@example.com", Manager: "users/adam", Track: "ic", Level: "l3"},
	{Name: "users/igor", DisplayName: "Igor Volkov", Title: "Senior Engineer", Email: "igor@example.com", Manager: "users/adam", Track: "ic", Level: "l3"},
	{Name: "users/ida", DisplayName: "Ida Berg", Title: "Engineer", Email: "ida@example.com", Manager: "users/adam", Track: "ic", Level: "l2"},
}

// seedPeople adds the demoPeople the directory lacks; an entry an admin
// edited stays as edited.
func seedPeople(ctx context.Context, log *slog.Logger, service ladderv1.LadderServiceServer) error {
	added := 0
	for _, p := range demoPeople {
		_, err := service.GetUser(ctx, &ladderv1.GetUserRequest{Name: p.GetName()})
		if err == nil {
			continue
		}
		if !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		u := proto.CloneOf(p)
		if u.Track != "" {
			u.Framework = "frameworks/" + ladder.SampleFrameworkID
		}
		if _, err := service.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u, AllowMissing: true}); err != nil {
			return err
		}
		added++
	}
	if added > 0 {
		log.Info("seeded the directory", "people", added)
	}
	return nil
}
