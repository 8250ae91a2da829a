package feedback

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
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
//	{key}               the head: the key's bucket IDs, in order, and the
//	                    time range of each closed bucket
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
//     entries of one month, and the head one ID per month (and overflow)
//     and one range per closed bucket.
//   - Adding is flat in the key's history and in its month's: it reads the
//     head and the month's newest bucket, and rewrites that bucket.
//   - A closed bucket never takes a member again: the add that fills it
//     closes it (Closed), in the same write, and a member is only ever
//     added to a bucket that is not closed. So its members can only be
//     taken out, and the range the head records for it — written by the
//     add that found it closed, from the members it read — holds every
//     member it will ever have. A page reads a closed bucket only when
//     its range reaches the page (page), so the first page of a month of
//     ten thousand members reads two buckets, not a hundred. A bucket the
//     head has no range for (the open one, one closed before ranges were
//     recorded, or one whose closer crashed before recording it) is
//     always read.
//
// Membership documents are derived, and erasable with what they name: their
// change records keep no copies (Forget).
type membership struct {
	Buckets []string `bson:"buckets,omitempty"` // the head's
	Ranges  []string `bson:"ranges,omitempty"`  // the head's: its closed buckets' (bucketRange.String)
	Members []member `bson:"members,omitempty"` // a bucket's
	Closed  bool     `bson:"closed,omitempty"`  // a bucket's: it takes no more members
}

// bucketRange is the time range of a closed bucket's members; zero times
// for a bucket with none left.
type bucketRange struct {
	ID          string
	First, Last time.Time
}

// String is how the head keeps a range: "{id} {first} {last}", the times
// in Unix milliseconds, or "{id}" alone for a bucket with no members left.
// A string, not a document: the head is read by every add and page, and
// the embedded store keeps a type schema beside every field of every
// element (an element of three fields costs about five times its string).
func (r bucketRange) String() string {
	if r.First.IsZero() {
		return r.ID
	}
	return fmt.Sprintf("%s %d %d", r.ID, r.First.UnixMilli(), r.Last.UnixMilli())
}

// parseBucketRange reads String's form; false for anything else, which
// readers treat as a bucket without a range (always read).
func parseBucketRange(s string) (bucketRange, bool) {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		return bucketRange{ID: f[0]}, true
	case 3:
		first, err1 := strconv.ParseInt(f[1], 10, 64)
		last, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || first > last {
			return bucketRange{}, false
		}
		return bucketRange{ID: f[0], First: time.UnixMilli(first).UTC(), Last: time.UnixMilli(last).UTC()}, true
	}
	return bucketRange{}, false
}

// rangeOf is the time range of members, which are not empty.
func rangeOf(id string, members []member) bucketRange {
	r := bucketRange{ID: id, First: members[0].At, Last: members[0].At}
	for _, e := range members[1:] {
		if e.At.Before(r.First) {
			r.First = e.At
		}
		if e.At.After(r.Last) {
			r.Last = e.At
		}
	}
	return r
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
// what an add costs.
const bucketCap = 100

// Membership keys.
const allCandidatesKey = "candidates"

func roleCandidatesKey(role string) string { return "roles/" + role + "/candidates" }
func interviewsKey(user string) string     { return user + "/interviews" }

func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// bucketID is the ID of a month's n-th bucket: the month for the first,
// then "{month}+{n}" for its overflow.
func bucketID(month string, n int) string {
	if n == 0 {
		return month
	}
	return month + "+" + strconv.Itoa(n)
}

// bucketMonth is the month of a bucket ID ("2026-12" or "2026-12+1").
func bucketMonth(id string) string { month, _, _ := strings.Cut(id, "+"); return month }

// bucketNumber is n of a bucket ID, bucketID's inverse.
func bucketNumber(id string) int {
	if _, n, ok := strings.Cut(id, "+"); ok {
		if k, err := strconv.Atoi(n); err == nil {
			return k
		}
	}
	return 0
}

func bucketName(key, id string) string { return key + "@" + id }

// memberships keeps every membership in one store.
type memberships struct {
	store *versioned.Store[membership]
	// capacity is how many members a bucket takes, bucketCap unless a
	// test sets fewer.
	capacity int
	// bucketsRead counts the buckets pages have read, for the tests that
	// hold a page to the buckets it reaches.
	bucketsRead atomic.Int64
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
	// closed one opens the next overflow bucket, and the head records its
	// range. The month's older buckets closed before it and are not read,
	// so adding costs the same in a month of ten members as in one of ten
	// thousand (a bulk import). A member added again after its bucket
	// closed gets a second entry, which readers drop (page).
	for n := newestBucket(listed, month); ; n++ {
		id := bucketID(month, n)
		if !slices.Contains(listed, id) {
			if err := m.name(ctx, key, id, nil); err != nil {
				return err
			}
		}
		var (
			full   bool         // the bucket takes no more members
			closed *bucketRange // and its range, when it was closed
		)
		err := m.editDoc(ctx, bucketName(key, id), func(b membership) (membership, bool) {
			full, closed = false, nil
			switch {
			case slices.ContainsFunc(b.Members, func(e member) bool { return e.is(name, at) }):
				return b, false
			case b.Closed:
				full = true
				r := bucketRange{ID: id} // emptied since: nothing to read
				if len(b.Members) > 0 {
					r = rangeOf(id, b.Members)
				}
				closed = &r
				return b, false
			case len(b.Members) >= m.bucketSize():
				// Filled before buckets were closed: it may take a member
				// again after a removal, so the head gets no range for it
				// and pages always read it.
				full = true
				return b, false
			}
			members := append(slices.Clone(b.Members), member{Name: name, At: at})
			return membership{Members: members, Closed: len(members) >= m.bucketSize()}, true
		})
		if err != nil || !full {
			return err
		}
		if closed != nil && !hasRange(head, id) {
			if err := m.name(ctx, key, bucketID(month, n+1), closed); err != nil {
				return err
			}
			listed = append(listed, bucketID(month, n+1))
		}
	}
}

// bucketSize is how many members a bucket takes.
func (m *memberships) bucketSize() int {
	if m.capacity > 0 {
		return m.capacity
	}
	return bucketCap
}

// hasRange reports whether the head records a range for bucket id.
func hasRange(head *versioned.Doc[membership], id string) bool {
	if !head.Live() {
		return false
	}
	_, ok := head.Data.rangeOf(id)
	return ok
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
		if r, ok := head.Data.rangeOf(id); ok && (at.Before(r.First) || at.After(r.Last)) {
			continue // closed, and its members are all at other times
		}
		err := m.editDoc(ctx, bucketName(key, id), func(b membership) (membership, bool) {
			i := slices.IndexFunc(b.Members, func(e member) bool { return e.is(name, at) })
			if i < 0 {
				return b, false
			}
			return membership{Members: slices.Delete(slices.Clone(b.Members), i, i+1), Closed: b.Closed}, true
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// rangeOf returns the range a head records for a bucket.
func (h membership) rangeOf(id string) (bucketRange, bool) {
	for _, s := range h.Ranges {
		if s == id || strings.HasPrefix(s, id+" ") {
			return parseBucketRange(s)
		}
	}
	return bucketRange{}, false
}

// name makes the head of key list a bucket and, when closed is not nil,
// record a closed bucket's range.
func (m *memberships) name(ctx context.Context, key, id string, closed *bucketRange) error {
	return m.editDoc(ctx, key, func(cur membership) (membership, bool) {
		next := membership{Buckets: cur.Buckets, Ranges: cur.Ranges}
		if !slices.Contains(cur.Buckets, id) {
			next.Buckets = append(slices.Clone(cur.Buckets), id)
			slices.SortFunc(next.Buckets, compareBuckets)
		}
		if closed != nil {
			if _, ok := cur.rangeOf(closed.ID); !ok {
				next.Ranges = append(slices.Clone(cur.Ranges), closed.String())
			}
		}
		return next, len(next.Buckets) != len(cur.Buckets) || len(next.Ranges) != len(cur.Ranges)
	})
}

// compareBuckets orders bucket IDs by month, then overflow number (so
// "+10" comes after "+9").
func compareBuckets(a, b string) int {
	if c := cmp.Compare(bucketMonth(a), bucketMonth(b)); c != 0 {
		return c
	}
	return cmp.Compare(bucketNumber(a), bucketNumber(b))
}

// editDoc changes one membership document, retrying when another writer
// changed it in between: membership edits commute, so a retry is always
// right. edit returns false for no change.
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
		newest = max(newest, bucketNumber(id))
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
// and, month by month in the page's order, the buckets the page reaches, by
// _id: a month's buckets the head has no range for, then its closed ones in
// the order their ranges reach the page, until the members read that come
// before every unread bucket's range fill the page.
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
	slices.Sort(months)
	if newestFirst {
		slices.Reverse(months)
	}
	var out []member
	for _, month := range months {
		if after != nil && (newestFirst && month > monthOf(after.At) || !newestFirst && month < monthOf(after.At)) {
			continue // wholly before the position
		}
		members, err := m.monthPage(ctx, key, head.Data, month, after, limit-len(out), newestFirst)
		if err != nil {
			return nil, err
		}
		out = append(out, members...)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// monthPage returns up to limit of a month's members after a position, in
// the page's order, reading its buckets as page says.
func (m *memberships) monthPage(ctx context.Context, key string, head membership, month string, after *position, limit int, newestFirst bool) ([]member, error) {
	order := compareMembers
	// reaches reports whether a closed bucket's range begins at or before
	// a time, in the page's order: its members may come before a member
	// at that time.
	reaches := func(r bucketRange, at time.Time) bool { return !r.First.After(at) }
	if newestFirst {
		order = func(a, b member) int { return compareMembers(b, a) }
		reaches = func(r bucketRange, at time.Time) bool { return !r.Last.Before(at) }
	}
	var members []member
	var closed []bucketRange // to read if the page needs them, in page order
	read := func(id string) error {
		m.bucketsRead.Add(1)
		b, err := m.store.Find(ctx, bucketName(key, id))
		if err == nil && b.Live() {
			members = append(members, b.Data.Members...)
		}
		return err
	}
	for _, id := range monthBuckets(head.Buckets, month) {
		r, ok := head.rangeOf(id)
		switch {
		case !ok:
			if err := read(id); err != nil {
				return nil, err
			}
		case r.First.IsZero():
			// Closed with no members left (add): nothing to read.
		case after != nil && (newestFirst && r.First.After(after.At) || !newestFirst && r.Last.Before(after.At)):
			// Its members all come before the position.
		default:
			closed = append(closed, r)
		}
	}
	// The order in which closed buckets' ranges begin in the page.
	slices.SortFunc(closed, func(a, b bucketRange) int {
		if newestFirst {
			return b.Last.Compare(a.Last)
		}
		return a.First.Compare(b.First)
	})
	for {
		slices.SortFunc(members, order)
		var out []member
		for i, e := range members {
			if after != nil && order(e, member{Name: after.Name, At: after.At}) <= 0 {
				continue
			}
			if i > 0 && order(e, members[i-1]) == 0 {
				continue // added again after its first bucket closed (add)
			}
			out = append(out, e)
		}
		if len(closed) == 0 {
			return out[:min(len(out), limit)], nil
		}
		// Members strictly before where the next closed bucket's range
		// begins are final: no unread bucket has one before them.
		final := 0
		for _, e := range out {
			if reaches(closed[0], e.At) {
				break
			}
			final++
		}
		if final >= limit {
			return out[:limit], nil
		}
		if err := read(closed[0].ID); err != nil {
			return nil, err
		}
		closed = closed[1:]
	}
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
