package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// BenchmarkSecureDelete measures what secure_delete costs the writes that
// free space — replacing and deleting scorecard-sized documents (2 KB) —
// in a collection of 50,000, with the pragma and without it, in the same
// run, twice each in turn (the faster of the two counts, as the machine's
// load moves). It reports each mode's time per write and their ratio.
// About a minute:
//
//	go test -run '^$' -bench SecureDelete -benchtime 1x ./pkg/mongodb/
func BenchmarkSecureDelete(b *testing.B) {
	const stored, writes = 50_000, 2_000
	perWrite := map[string]time.Duration{}
	for _, mode := range []struct {
		name    string
		pragmas []string
	}{{"on", []string{secureDelete}}, {"off", nil}, {"on", []string{secureDelete}}, {"off", nil}} {
		ctx := context.Background()
		dir := b.TempDir()
		uri, stop, err := startEmbedded(ctx, dir, nil, mode.pragmas...)
		if err != nil {
			b.Fatal(err)
		}
		client, err := Connect(ctx, uri)
		if err != nil {
			stop()
			b.Fatal(err)
		}
		coll := client.Database("bench").Collection("scorecards")
		fill(b, coll, stored)
		if _, err := indexIDs(ctx, dir, "bench"); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			for i := range writes {
				id := bson.D{{Key: "_id", Value: fmt.Sprint("card-", i*(stored/writes))}}
				if i%2 == 0 {
					_, err = coll.ReplaceOne(ctx, id, bson.D{{Key: "text", Value: strings.Repeat("amended ", 200)}})
				} else {
					_, err = coll.DeleteOne(ctx, id)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		took := time.Since(start) / time.Duration(b.N*writes)
		if best, ok := perWrite[mode.name]; !ok || took < best {
			perWrite[mode.name] = took
		}
		b.StopTimer()
		if mode.name == "off" {
			// The alternative: leave free pages as they are and rewrite the
			// file after an erasure.
			took, err := vacuum(ctx, filepath.Join(dir, "bench.sqlite"))
			if err != nil {
				b.Fatal(err)
			}
			if best, ok := perWrite["vacuum"]; !ok || took < best {
				perWrite["vacuum"] = took
			}
		}
		_ = client.Disconnect(ctx)
		stop()
	}
	b.ReportMetric(float64(perWrite["on"].Microseconds()), "µs/write-secure")
	b.ReportMetric(float64(perWrite["off"].Microseconds()), "µs/write-plain")
	b.ReportMetric(float64(perWrite["on"])/float64(perWrite["off"]), "ratio")
	b.ReportMetric(float64(perWrite["vacuum"].Milliseconds()), "ms/vacuum")
}

// vacuum rewrites a database file beside the running server.
func vacuum(ctx context.Context, file string) (time.Duration, error) {
	db, err := sql.Open("sqlite", "file:"+file+"?"+url.Values{"mode": {"rw"}, "_pragma": {"busy_timeout(10000)", "journal_mode(wal)"}}.Encode())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
		return 0, fmt.Errorf("vacuum: %w", err)
	}
	return time.Since(start), nil
}

// fill inserts n documents of about 2 KB, in batches.
func fill(b *testing.B, coll *mongo.Collection, n int) {
	b.Helper()
	const batch = 1000
	text := strings.Repeat("evidence ", 230)
	for from := 0; from < n; from += batch {
		docs := make([]any, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprint("card-", i)}, {Key: "text", Value: text}})
		}
		if _, err := coll.InsertMany(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
}
