package feedback

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// BenchmarkMembershipBulkMonth measures the first page (50, newest first)
// of a key whose month holds 10,000 members listed in time order — every
// candidate after an ATS bulk import — in the same run as the same
// members in buckets without ranges, as they were written before closed
// buckets recorded them: then a page read all 100 of the month's buckets.
// The raw driver's read of one bucket is the baseline.
//
//	go test -run '^$' -bench MembershipBulkMonth -benchtime 50x ./services/feedback/
func BenchmarkMembershipBulkMonth(b *testing.B) {
	ctx := context.Background()
	m, db := newMembershipsIn(b)
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	members := make([]member, 10000)
	for i := range members {
		members[i] = member{Name: fmt.Sprintf("candidates/bulk-%05d", i), At: t0.Add(time.Duration(i) * time.Minute)}
	}
	ranged := rawMemberships("ranged", members, t0)
	unranged := rawMemberships("unranged", members, t0)
	for i, d := range unranged {
		doc := d.(versioned.Doc[membership])
		doc.Data.Ranges, doc.Data.Closed = nil, false
		unranged[i] = doc
	}
	if _, err := db.Collection("memberships").InsertMany(ctx, append(ranged, unranged...)); err != nil {
		b.Fatal(err)
	}
	// The baseline: the raw driver's read of one bucket of 100 members;
	// and of the head, which every add and page reads.
	for name, id := range map[string]string{"raw-bucket-read": bucketName("ranged", "2026-06+99"), "raw-head-read": "ranged"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := db.Collection("memberships").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, key := range []string{"unranged", "ranged"} {
		b.Run(key, func(b *testing.B) {
			before := m.bucketsRead.Load()
			for b.Loop() {
				page, err := m.page(ctx, key, nil, 50, true)
				if err != nil || len(page) != 50 || page[0].Name != members[len(members)-1].Name {
					b.Fatalf("page = %d members, %v", len(page), err)
				}
			}
			b.ReportMetric(float64(m.bucketsRead.Load()-before)/float64(b.N), "buckets/op")
		})
	}
}
