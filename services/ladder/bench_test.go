package ladder_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// The service's reads and writes against the raw driver doing the nearest
// single operation on a document of the same size, alternated in one run.
// The ratio is what the service adds: gRPC, validation, mapping, and for
// writes the change record that guards against lost updates.

func BenchmarkGetVsRawFind(b *testing.B) {
	ctx := context.Background()
	c, f, raw := sampleAndRawCopy(b)
	var service, driver time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: f.GetName()}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: "frameworks/engineering"}}).Err(); err != nil {
			b.Fatal(err)
		}
		driver += time.Since(t1)
		service += t1.Sub(t0)
	}
	report(b, service, driver)
}

func BenchmarkUpdateVsRawReplace(b *testing.B) {
	ctx := context.Background()
	c, f, raw := sampleAndRawCopy(b)
	var service, driver time.Duration
	etag := f.GetEtag()
	b.ResetTimer()
	for i := range b.N {
		title := fmt.Sprintf("Engineering %d", i)
		t0 := time.Now()
		upd, err := c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: etag, Title: title}})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		f.Title = title
		if _, err := raw.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "frameworks/engineering"}},
			bson.D{{Key: "_id", Value: "frameworks/engineering"}, {Key: "framework", Value: f}}); err != nil {
			b.Fatal(err)
		}
		driver += time.Since(t1)
		service += t1.Sub(t0)
		etag = upd.GetEtag()
	}
	report(b, service, driver)
}

// sampleAndRawCopy stores the sample framework through the service, and the
// same message through the raw driver into a collection of its own.
func sampleAndRawCopy(b *testing.B) (ladderv1.LadderServiceClient, *ladderv1.Framework, *mongo.Collection) {
	ctx := context.Background()
	c := testenv.StartLadder(b).Client
	f, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "engineering", Content: ladder.SampleFramework})
	if err != nil {
		b.Fatal(err)
	}
	raw := mongotest.Database(b).Collection("raw")
	if _, err := raw.InsertOne(ctx, bson.D{{Key: "_id", Value: "frameworks/engineering"}, {Key: "framework", Value: f}}); err != nil {
		b.Fatal(err)
	}
	return c, f, raw
}

func report(b *testing.B, service, driver time.Duration) {
	b.ReportMetric(float64(service.Microseconds())/float64(b.N), "service-µs/op")
	b.ReportMetric(float64(driver.Microseconds())/float64(b.N), "driver-µs/op")
	b.ReportMetric(float64(service)/float64(driver), "service/driver")
}
