package ladder_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

var scales = flag.String("scale", "1000,10000,100000", "collection sizes for BenchmarkAtScale, comma-separated")

// BenchmarkAtScale measures the service's operations with 1k, 10k and 100k
// other frameworks (2 KB each, with one change record each) in the same
// collections, each against the raw driver doing the nearest query on the
// same collection in the same loop. Point operations must not grow with the
// collection; List scans on the embedded store, and shows it.
//
//	go test -run '^$' -bench AtScale -benchtime 20x -timeout 60m ./services/ladder/
func BenchmarkAtScale(b *testing.B) {
	ctx := context.Background()
	l := testenv.StartLadder(b)
	db := mongotest.Client(b).Database(l.DatabasePrefix + "ladder")
	docs, changes := db.Collection("frameworks"), db.Collection("framework_changes")
	c := l.Client
	pad := strings.Repeat("x", 1500) // about 2 KB in all, like the others
	bench := small("Bench")
	bench.Description = pad
	f, err := c.CreateFramework(ctx, &ladderv1.CreateFrameworkRequest{FrameworkId: "bench", Framework: bench})
	if err != nil {
		b.Fatal(err)
	}
	// A few changes, so that a page of history has something to read.
	for i := range 10 {
		if f, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Description: pad + strconv.Itoa(i)}}); err != nil {
			b.Fatal(err)
		}
	}
	stored := 0
	for _, field := range strings.Split(*scales, ",") {
		n, err := strconv.Atoi(field)
		if err != nil {
			b.Fatalf("-scale: %v", err)
		}
		if err := fill(ctx, docs, changes, stored, n); err != nil {
			b.Fatal(err)
		}
		stored = n
		b.Run(fmt.Sprintf("docs=%d/Get", n), func(b *testing.B) {
			alternate(b, func() error {
				_, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/bench"})
				return err
			}, func() error {
				return docs.FindOne(ctx, bson.D{{Key: "_id", Value: "frameworks/bench"}}).Err()
			})
		})
		b.Run(fmt.Sprintf("docs=%d/Update", n), func(b *testing.B) {
			i := 0
			filler := fillerName(n / 2)
			alternate(b, func() error {
				i++
				f, err = c.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: f.GetName(), Etag: f.GetEtag(), Description: pad + strconv.Itoa(i)}})
				return err
			}, func() error {
				_, err := docs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: filler}}, fillerDoc(n/2, i))
				return err
			})
		})
		b.Run(fmt.Sprintf("docs=%d/ListChanges", n), func(b *testing.B) {
			alternate(b, func() error {
				_, err := c.ListFrameworkChanges(ctx, &ladderv1.ListFrameworkChangesRequest{Parent: "frameworks/bench", PageSize: 10})
				return err
			}, func() error {
				// What a driver user would write: a filter on the resource, newest first.
				opts := options.Find().SetSort(bson.D{{Key: "version", Value: -1}}).SetLimit(10)
				cur, err := changes.Find(ctx, bson.D{{Key: "resource", Value: "frameworks/bench"}}, opts)
				if err != nil {
					return err
				}
				return cur.All(ctx, &[]bson.Raw{})
			})
		})
		b.Run(fmt.Sprintf("docs=%d/List", n), func(b *testing.B) {
			alternate(b, func() error {
				_, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 50})
				return err
			}, func() error {
				opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(51)
				cur, err := docs.Find(ctx, bson.D{{Key: "deleted", Value: false}}, opts)
				if err != nil {
					return err
				}
				return cur.All(ctx, &[]bson.Raw{})
			})
		})
	}
}

// alternate runs the service's operation and the raw driver's in turns and
// reports both and their ratio.
func alternate(b *testing.B, service, driver func() error) {
	var ts, td time.Duration
	for range b.N {
		t0 := time.Now()
		if err := service(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := driver(); err != nil {
			b.Fatal(err)
		}
		ts += t1.Sub(t0)
		td += time.Since(t1)
	}
	b.ReportMetric(float64(ts.Microseconds())/float64(b.N), "service-µs/op")
	b.ReportMetric(float64(td.Microseconds())/float64(b.N), "driver-µs/op")
	b.ReportMetric(float64(ts)/float64(td), "service/driver")
}

// fill adds frameworks from..to-1 with a change record each, as the store
// writes them, in batches.
func fill(ctx context.Context, docs, changes *mongo.Collection, from, to int) error {
	const batch = 1000
	for start := from; start < to; start += batch {
		var ds, cs []any
		for i := start; i < min(start+batch, to); i++ {
			d := fillerDoc(i, 0)
			ds = append(ds, d)
			cs = append(cs, bson.D{
				{Key: "_id", Value: fillerName(i) + "#1"}, {Key: "resource", Value: fillerName(i)}, {Key: "version", Value: 1},
				{Key: "kind", Value: "create"}, {Key: "actor", Value: "users/bench"}, {Key: "time", Value: time.Now()}, {Key: "after", Value: d},
			})
		}
		if _, err := docs.InsertMany(ctx, ds); err != nil {
			return err
		}
		if _, err := changes.InsertMany(ctx, cs); err != nil {
			return err
		}
	}
	return nil
}

func fillerName(i int) string { return fmt.Sprintf("frameworks/fill-%06d", i) }

// fillerDoc is a framework document of about 2 KB, shaped as the store keeps it.
func fillerDoc(i, edit int) bson.D {
	now := time.Now().UTC()
	return bson.D{
		{Key: "_id", Value: fillerName(i)}, {Key: "version", Value: 1 + edit}, {Key: "deleted", Value: false},
		{Key: "create_time", Value: now}, {Key: "update_time", Value: now},
		{Key: "data", Value: bson.D{
			{Key: "content", Value: bson.D{
				{Key: "title", Value: fmt.Sprintf("Filler %d", i)},
				{Key: "description", Value: strings.Repeat("A framework of another organisation. ", 50)},
				{Key: "competencies", Value: bson.A{}}, {Key: "tracks", Value: bson.A{}},
			}},
			{Key: "unpublished", Value: true}, {Key: "revisions", Value: 0},
		}},
	}
}
