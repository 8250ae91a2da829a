package main

import (
	"context"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// seed imports and publishes the sample framework the first time dev mode
// runs on a database: when the framework has no history at all. A framework
// that someone deleted keeps its history, so it is not seeded again.
func seed(ctx context.Context, log *slog.Logger, client ladderv1.LadderServiceClient) error {
	name := "frameworks/" + ladder.SampleFrameworkID
	_, err := client.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: name, PageSize: 1})
	if status.Code(err) != codes.NotFound {
		return err // nil: seeded before
	}
	f, err := client.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{
		FrameworkId: ladder.SampleFrameworkID,
		Content:     ladder.SampleFramework,
	})
	if err != nil {
		return err
	}
	rev, err := client.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName(), Etag: f.GetEtag()})
	if err != nil {
		return err
	}
	log.Info("seeded the sample framework", "name", rev.GetName())
	return nil
}
