package feedback

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// A membership lists the members of one key, ordered by a time: a role's
// candidates and every candidate (by when they were listed), an
// interviewer's interviews (by when they are scheduled). It is what lets a
// list cost the page it shows, not what is stored: the embedded store
// answers only _id lookups from an index, so a page is a few reads by _id —
// the key's head, then the buckets the page covers — and then its members,
// each by _id.
//
// Documents, in the "memberships" store:
//
//	{key}               the head: the key's bucket IDs, in order
//	{key}@{month}       the members whose time falls in that month (UTC)
//	{key}@{month}+{n}   the month's overflow, once a bucket holds bucketCap
//
// What holds, and why:
//   - A membership never misses a member: its entry is added before the
//     change that makes it a member (the candidate's create, the interview's
//     add), and the head names a bucket before the bucket is written.
//   - An entry may name what is not a member (a change that failed or
//     crashed after adding it, a candidate moved to another role since):
//     readers check every member they read against its own document, and
//     skip those that do not match. A failed change takes its entry out
//     again; an erasure takes out every entry of the candidate.
//   - No document grows without bound: a bucket holds at most bucketCap
//     entries of one month, and the head one ID per month (and overflow).
//   - Adding is flat in the key's history and in its month's: it reads the
//     head and the month's newest bucket, and rewrites that bucket.
//
// Membership documents are derived, and erasable with what they name: their
// change records keep no copies (Forget).
type membership struct {
	Buckets []string `bson:"buckets,omitempty"` // the head's
	Members []member `bson:"members,omitempty"` // a bucket's
}

// member is one entry of a membership.
type member struct {
	Name string    `bson:"name"`
	At   time.Time `bson:"at"`
}

// is reports whether the entry is the member's at that time.
func (e member) is(name string, at time.Time) bool { return e.Name == name && e.At.Equal(at) }

// bucketCap bounds a bucket: about 100 bytes an entry, so 10 KB at most.
// An add rewrites one bucket (and its change record) whole, so this bounds
// what an add costs; a month of more members reads more buckets.
const bucketCap = 100

// Membership keys.
const allCandidatesKey = "candidates"

func roleCandidatesKey(role string) string { return "roles/" + role + "/candidates" }
func interviewsKey(user string) string     { return user + "/interviews" }

func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// bucketMonth is the month of a bucket ID ("2026-12" or "2026-12+1").
func bucketMonth(id string) string { month, _, _ := strings.Cut(id, "+"); return month }

func bucketName(key, id string) string { return key + "@" + id }

// memberships keeps every membership in one store.
type memberships struct {
	store *versioned.Store[membership]
}

// add lists a member under key at a time; adding it twice adds it once.
// A member may stand at two times for a while (an interview moved: the
// new entry is added before the old one is removed); readers keep the
// entry at the member's own time.
func (m *memberships) add(ctx context.Context, key, name string, at time.Time) error {
	at = at.UTC().Truncate(time.Millisecond)
	month := monthOf(at)
	head, err := m.store.Find(ctx, key)
	if err != nil {
		return err
	}
	var listed []string
	if head.Live() {
		listed = head.Data.Buckets
	}
	// The month's newest bucket takes it, unless it holds it already; a
	// full one opens the next overflow bucket. The month's older buckets
	// filled up before it and are not read, so adding costs the same in a
	// month of ten members as in one of ten thousand (a bulk import). A
	// member added again after its bucket filled up gets a second entry,
	// which readers drop (page).
	for n := newestBucket(listed, month); ; n++ {
		id := month
		if n > 0 {
			id = month + "+" + strconv.Itoa(n)
		}
		if !slices.Contains(listed, id) {
			if err := m.name(ctx, key, id); err != nil {
				return err
			}
		}
		full := false
		err := m.edit(ctx, bucketName(key, id), func(members []member) []member {
			if slices.ContainsFunc(members, func(e member) bool { return e.is(name, at) }) {
				return nil
			}
			if len(members) >= bucketCap {
				full = true
				return nil
			}
			return append(members, member{Name: name, At: at})
		})
		if err != nil || !full {
			return err
		}
	}
}

// remove takes a member's entry at a time out of key; an entry of the
// same member at another time stays.
func (m *memberships) remove(ctx context.Context, key, name string, at time.Time) error {
	at = at.UTC().Truncate(time.Millisecond)
	head, err := m.store.Find(ctx, key)
	if err != nil || !head.Live() {
		return err
	}
	for _, id := range monthBuckets(head.Data.Buckets, monthOf(at)) {
		err := m.edit(ctx, bucketName(key, id), func(members []member) []member {
			i := slices.IndexFunc(members, func(e member) bool { return e.is(name, at) })
			if i < 0 {
				return nil
			}
			return slices.Delete(slices.Clone(members), i, i+1)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// name makes the head of key list a bucket.
func (m *memberships) name(ctx context.Context, key, id string) error {
	return m.editDoc(ctx, key, func(cur membership) (membership, bool) {
		if slices.Contains(cur.Buckets, id) {
			return cur, false
		}
		ids := append(slices.Clone(cur.Buckets), id)
		slices.Sort(ids)
		return membership{Buckets: ids}, true
	})
}

// edit changes a bucket's members; edit returns nil for no change.
func (m *memberships) edit(ctx context.Context, bucket string, edit func([]member) []member) error {
	return m.editDoc(ctx, bucket, func(cur membership) (membership, bool) {
		next := edit(cur.Members)
		return membership{Members: next}, next != nil
	})
}

// editDoc changes one membership document, retrying when another writer
// changed it in between: membership edits commute, so a retry is always
// right.
func (m *memberships) editDoc(ctx context.Context, name string, edit func(membership) (membership, bool)) error {
	const attempts = 8
	for range attempts {
		_, err := m.store.Apply(ctx, name, "system/index", versioned.Expect{}, func(cur *versioned.Doc[membership]) (versioned.Edit[membership], error) {
			var data membership
			if cur.Live() {
				data = cur.Data
			}
			next, changed := edit(data)
			if !changed {
				return versioned.Edit[membership]{Unchanged: true}, nil
			}
			return versioned.Edit[membership]{Kind: kindIndex, Data: next}, nil
		})
		if !errors.Is(err, apierr.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%s is changing too fast", name)
}

// newestBucket is the overflow number of a month's newest bucket ("+n"),
// 0 for the month's first (or none yet).
func newestBucket(ids []string, month string) int {
	newest := 0
	for _, id := range monthBuckets(ids, month) {
		if _, n, ok := strings.Cut(id, "+"); ok {
			if k, err := strconv.Atoi(n); err == nil {
				newest = max(newest, k)
			}
		}
	}
	return newest
}

// monthBuckets are the IDs of one month's buckets, in order.
func monthBuckets(ids []string, month string) []string {
	var out []string
	for _, id := range ids {
		if bucketMonth(id) == month {
			out = append(out, id)
		}
	}
	return out
}

// position is where a page of a membership ended: the last member it
// returned. The next page starts after it, so members added or removed in
// between move no other member.
type position struct {
	Name string
	At   time.Time
}

func (p position) String() string { return strconv.FormatInt(p.At.UnixMilli(), 10) + "|" + p.Name }

func parsePosition(s string) (*position, error) {
	ms, name, ok := strings.Cut(s, "|")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || name == "" {
		return nil, apierr.Invalid("page_token", "malformed page token")
	}
	return &position{Name: name, At: time.UnixMilli(n).UTC()}, nil
}

// compareMembers orders members by time, then name.
func compareMembers(a, b member) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

// page returns up to limit members of key after a position (nil: from the
// start), oldest first or, with newestFirst, newest first. It reads the head
// and the buckets of each month the page reaches, by _id.
func (m *memberships) page(ctx context.Context, key string, after *position, limit int, newestFirst bool) ([]member, error) {
	head, err := m.store.Find(ctx, key)
	if err != nil || !head.Live() {
		return nil, err
	}
	var months []string
	for _, id := range head.Data.Buckets {
		if month := bucketMonth(id); !slices.Contains(months, month) {
			months = append(months, month)
		}
	}
	order := compareMembers
	if newestFirst {
		slices.Reverse(months)
		order = func(a, b member) int { return compareMembers(b, a) }
	}
	var out []member
	for _, month := range months {
		if after != nil && (newestFirst && month > monthOf(after.At) || !newestFirst && month < monthOf(after.At)) {
			continue // wholly before the position
		}
		var members []member
		for _, id := range monthBuckets(head.Data.Buckets, month) {
			b, err := m.store.Find(ctx, bucketName(key, id))
			if err != nil {
				return nil, err
			}
			if b.Live() {
				members = append(members, b.Data.Members...)
			}
		}
		slices.SortFunc(members, order)
		for i, e := range members {
			if after != nil && order(e, member{Name: after.Name, At: after.At}) <= 0 {
				continue
			}
			if i > 0 && order(e, members[i-1]) == 0 {
				continue // added again after its first bucket filled up (add)
			}
			out = append(out, e)
			if len(out) == limit {
				return out, nil
			}
		}
	}
	return out, nil
}

// all returns every member of key, oldest first: for reads that need the
// whole of one key (a role's calibration), which cost that key's size.
func (m *memberships) all(ctx context.Context, key string) ([]member, error) {
	return m.page(ctx, key, nil, int(^uint(0)>>1), false)
}

// readEach runs read for 0 … n-1, a few at a time: a page's members are
// independent reads by _id, and the store answers a few at once sooner than
// one after another.
func readEach(ctx context.Context, n int, read func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range n {
		g.Go(func() error { return read(ctx, i) })
	}
	return g.Wait()
}
