package feedback

import (
	"slices"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// rawMemberships are the documents that list members under key, shaped as
// membership.go writes them (a head, then up to bucketCap members of a month
// a bucket, full buckets closed with their ranges in the head), for
// benchmarks that fill the store with the raw driver.
func rawMemberships(key string, members []member, now time.Time) []any {
	byBucket := map[string][]member{}
	var ids []string
	for _, e := range members {
		month := monthOf(e.At)
		id := month
		for n := 0; len(byBucket[id]) >= bucketCap; n++ {
			id = bucketID(month, n+1)
		}
		if byBucket[id] == nil {
			ids = append(ids, id)
		}
		byBucket[id] = append(byBucket[id], e)
	}
	slices.SortFunc(ids, compareBuckets)
	doc := func(name string, data membership) any {
		return versioned.Doc[membership]{Name: name, Version: 1, CreateTime: now, UpdateTime: now, Data: data}
	}
	head := membership{Buckets: ids}
	var buckets []any
	for _, id := range ids {
		full := len(byBucket[id]) >= bucketCap
		if full {
			head.Ranges = append(head.Ranges, rangeOf(id, byBucket[id]).String())
		}
		buckets = append(buckets, doc(bucketName(key, id), membership{Members: byBucket[id], Closed: full}))
	}
	return append([]any{doc(key, head)}, buckets...)
}

// RawMember is a member for RawMembershipDocs.
type RawMember struct {
	Name string
	At   time.Time
}

// RawMembershipDocs is rawMemberships for the package's external tests.
// Kinds: "interviews" (key is a user), "role" (key is a role) or "all".
func RawMembershipDocs(kind, key string, members []RawMember, now time.Time) []any {
	switch kind {
	case "interviews":
		key = interviewsKey(key)
	case "role":
		key = roleCandidatesKey(key)
	default:
		key = allCandidatesKey
	}
	list := make([]member, len(members))
	for i, m := range members {
		list[i] = member(m)
	}
	return rawMemberships(key, list, now)
}
