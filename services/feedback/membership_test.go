package feedback

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

func newMemberships(t *testing.T) *memberships {
	t.Helper()
	m, _ := newMembershipsIn(t)
	return m
}

// newMembershipsIn is newMemberships with its database, for tests that
// write raw documents beside it; its collections have the _id index
// production adds at start-up.
func newMembershipsIn(t testing.TB) (*memberships, *mongo.Database) {
	t.Helper()
	db := mongotest.Database(t)
	s := NewStore(db)
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	mongotest.IndexIDs(t, db)
	return &s.members, db
}

// names pages through key, size at a time, and returns the names in the
// order the pages gave them.
func names(t *testing.T, m *memberships, key string, size int, newestFirst bool) []string {
	t.Helper()
	var out []string
	var after *position
	for range 100 {
		page, err := m.page(context.Background(), key, after, size, newestFirst)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			out = append(out, e.Name)
		}
		if len(page) < size {
			return out
		}
		last := position(page[len(page)-1])
		after = &last
	}
	t.Fatal("paging did not end")
	return nil
}

func TestMembershipPagesInTimeOrderAcrossMonths(t *testing.T) {
	ctx := context.Background()
	m := newMemberships(t)
	jan := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	// Added out of order, across three months, one twice.
	for _, e := range []struct {
		name string
		at   time.Time
	}{
		{"c", jan.Add(48 * time.Hour)}, {"a", jan}, {"e", jan.AddDate(0, 2, 0)}, {"b", jan.Add(time.Hour)},
		{"d", jan.Add(48 * time.Hour)}, {"a", jan},
	} {
		if err := m.add(ctx, "k", e.name, e.at); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{1, 2, 10} {
		if got := fmt.Sprint(names(t, m, "k", size, false)); got != "[a b c d e]" {
			t.Errorf("oldest first, pages of %d: %s", size, got)
		}
		if got := fmt.Sprint(names(t, m, "k", size, true)); got != "[e d c b a]" {
			t.Errorf("newest first, pages of %d: %s", size, got)
		}
	}
	if err := m.remove(ctx, "k", "c", jan.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := m.remove(ctx, "k", "never", jan); err != nil {
		t.Fatalf("removing what is not listed: %v", err)
	}
	if got := fmt.Sprint(names(t, m, "k", 2, false)); got != "[a b d e]" {
		t.Errorf("after removing c: %s", got)
	}
	if got := fmt.Sprint(names(t, m, "nobody", 2, false)); got != "[]" {
		t.Errorf("a key never written: %s", got)
	}
}

// A page continues after the last member it returned, so members added
// before that position do not repeat or skip any other.
func TestMembershipPageContinuesAfterItsPosition(t *testing.T) {
	ctx := context.Background()
	m := newMemberships(t)
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		if err := m.add(ctx, "k", fmt.Sprint("m", i), t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	first, err := m.page(ctx, "k", nil, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.add(ctx, "k", "early", t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	after := position(first[1])
	rest, err := m.page(ctx, "k", &after, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(first[0].Name, " ", first[1].Name, " ", rest[0].Name, " ", rest[1].Name, " ", len(rest)); got != "m0 m1 m2 m3 2" {
		t.Errorf("pages: %s", got)
	}
}

// A month holds any number of members, bucketCap to a document.
func TestMembershipOverflowsIntoMoreBuckets(t *testing.T) {
	ctx := context.Background()
	m := newMemberships(t)
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	n := bucketCap + 3
	for i := range n {
		if err := m.add(ctx, "k", fmt.Sprintf("m%04d", i), t0.Add(time.Duration(n-i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	head, err := m.store.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(head.Data.Buckets); got != "[2026-07 2026-07+1]" {
		t.Errorf("buckets %s, want the month's and one overflow", got)
	}
	got := names(t, m, "k", 50, false)
	if len(got) != n || got[0] != fmt.Sprintf("m%04d", n-1) || got[n-1] != "m0000" {
		t.Errorf("%d members listed, from %s to %s", len(got), got[0], got[len(got)-1])
	}
	if err := m.add(ctx, "k", "m0000", t0.Add(time.Duration(n)*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if again := names(t, m, "k", 1000, false); len(again) != n {
		t.Errorf("adding a member of the first bucket again: %d listed, want %d", len(again), n)
	}
	// A member goes to the month's newest bucket, even when an older one
	// has room again: adding never reads the month's older buckets.
	if err := m.remove(ctx, "k", "m0050", t0.Add(time.Duration(n-50)*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.add(ctx, "k", "late", t0); err != nil {
		t.Fatal(err)
	}
	newest, err := m.store.Get(ctx, "k@2026-07+1")
	if err != nil || !slices.ContainsFunc(newest.Data.Members, func(e member) bool { return e.Name == "late" }) {
		t.Errorf("the newest bucket = %+v, %v, want the late member in it", newest, err)
	}
	if got := names(t, m, "k", 1000, false); len(got) != n || got[0] != "late" {
		t.Errorf("after a removal and an add: %d listed, first %q, want %d, first \"late\"", len(got), got[0], n)
	}
}

func TestParsePositionRefusesWhatItDidNotWrite(t *testing.T) {
	for _, s := range []string{"", "x", "12", "|a", "12|", "a|b"} {
		if _, err := parsePosition(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	p := position{Name: "candidates/a|b", At: time.UnixMilli(1700000000123).UTC()}
	got, err := parsePosition(p.String())
	if err != nil || *got != p {
		t.Errorf("round trip: %v, %v", got, err)
	}
}

// A month of members added in time order (a role's candidates, every
// candidate after a bulk import) closes bucket after bucket, and a page
// reads only the buckets whose ranges reach it: the open one and the
// closed one next to it, not the whole month.
func TestMembershipPageReadsOnlyTheBucketsItReaches(t *testing.T) {
	ctx := context.Background()
	m := newMemberships(t)
	m.capacity = 10 // buckets of ten: the same code, a tenth of the adds
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	n := 3*m.capacity + 5
	var want []string
	for i := range n {
		name := fmt.Sprintf("m%04d", i)
		if err := m.add(ctx, "k", name, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	head, err := m.store.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(head.Data.Buckets) != 4 || len(head.Data.Ranges) != 3 {
		t.Fatalf("head = %+v, want four buckets, three of them closed with ranges", head.Data)
	}
	pageOf := func(after *position, newestFirst bool) ([]member, int64) {
		t.Helper()
		before := m.bucketsRead.Load()
		page, err := m.page(ctx, "k", after, 8, newestFirst)
		if err != nil {
			t.Fatal(err)
		}
		return page, m.bucketsRead.Load() - before
	}
	first, reads := pageOf(nil, true)
	if first[0].Name != want[n-1] || first[7].Name != want[n-8] || reads != 2 {
		t.Errorf("newest first: %s … %s after %d bucket reads, want %s … %s after 2", first[0].Name, first[7].Name, reads, want[n-1], want[n-8])
	}
	first, reads = pageOf(nil, false)
	if first[0].Name != want[0] || first[7].Name != want[7] || reads != 2 {
		t.Errorf("oldest first: %s … %s after %d bucket reads, want %s … %s after 2", first[0].Name, first[7].Name, reads, want[0], want[7])
	}
	// Past the first two closed buckets, oldest first: they are not read.
	after := position{Name: want[2*m.capacity+1], At: t0.Add(time.Duration(2*m.capacity+1) * time.Minute)}
	next, reads := pageOf(&after, false)
	if next[0].Name != want[2*m.capacity+2] || reads != 2 {
		t.Errorf("after %s: %s first after %d bucket reads, want %s after 2", after.Name, next[0].Name, reads, want[2*m.capacity+2])
	}
	// Every page, both ways, still lists every member once.
	if got := names(t, m, "k", 8, false); !slices.Equal(got, want) {
		t.Errorf("oldest first: %d members listed, want %d in order", len(got), len(want))
	}
	if got := names(t, m, "k", 7, true); !slices.Equal(got, reversed(want)) {
		t.Errorf("newest first: %d members listed, want %d in order", len(got), len(want))
	}
}

// Members at any times, removed and added again across closed buckets:
// every page, of any size and either order, is the sorted members.
func TestMembershipPagesAgreeWithTheMembers(t *testing.T) {
	ctx := context.Background()
	m := newMemberships(t)
	m.capacity = 10
	rng := rand.New(rand.NewPCG(17, 1))
	t0 := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	listed := map[string]time.Time{}
	for i := range 60 {
		name := fmt.Sprintf("m%04d", i)
		// Most in August, at any time of it; some in September.
		at := t0.Add(time.Duration(rng.IntN(31*24*60)) * time.Minute)
		if i%9 == 0 {
			at = at.AddDate(0, 1, 0)
		}
		if err := m.add(ctx, "k", name, at); err != nil {
			t.Fatal(err)
		}
		listed[name] = at
		if i%13 == 5 { // take out an earlier one, from whichever bucket holds it
			gone := fmt.Sprintf("m%04d", rng.IntN(i))
			if at, ok := listed[gone]; ok {
				if err := m.remove(ctx, "k", gone, at); err != nil {
					t.Fatal(err)
				}
				delete(listed, gone)
			}
		}
	}
	var want []member
	for name, at := range listed {
		want = append(want, member{Name: name, At: at})
	}
	slices.SortFunc(want, compareMembers)
	var oldest []string
	for _, e := range want {
		oldest = append(oldest, e.Name)
	}
	for _, size := range []int{1, 3, 8, 1000} {
		if got := names(t, m, "k", size, false); !slices.Equal(got, oldest) {
			t.Errorf("oldest first, pages of %d: %d members, want %d in order", size, len(got), len(oldest))
		}
		if got := names(t, m, "k", size, true); !slices.Equal(got, reversed(oldest)) {
			t.Errorf("newest first, pages of %d: %d members, want %d in order", size, len(got), len(oldest))
		}
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestBucketRangeRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, r := range []bucketRange{
		{ID: "2026-03+2", First: t0, Last: t0.Add(time.Hour)},
		{ID: "2026-03"}, // closed with no members left
	} {
		got, ok := parseBucketRange(r.String())
		if !ok || got.ID != r.ID || !got.First.Equal(r.First) || !got.Last.Equal(r.Last) {
			t.Errorf("parseBucketRange(%q) = %+v, %v; want %+v", r.String(), got, ok, r)
		}
	}
	// Anything else is no range: the bucket is read.
	for _, s := range []string{"", "2026-03 1", "2026-03 x 2", "2026-03 5 4", "2026-03 1 2 3"} {
		if r, ok := parseBucketRange(s); ok {
			t.Errorf("parseBucketRange(%q) = %+v, want no range", s, r)
		}
	}
	head := membership{Ranges: []string{"2026-03+1 1 2", "2026-03+10 3 4"}}
	if r, ok := head.rangeOf("2026-03+1"); !ok || r.Last.UnixMilli() != 2 {
		t.Errorf("rangeOf(2026-03+1) = %+v, %v: want its own range, not +10's", r, ok)
	}
}

// A bucket filled before buckets were closed (no Closed, no range in the
// head) is never given a range: after a removal it may take a member
// again from an adder with an older head. The next add opens an
// overflow bucket, and pages read both.
func TestMembershipBucketFilledBeforeRangesIsAlwaysRead(t *testing.T) {
	ctx := context.Background()
	m, db := newMembershipsIn(t)
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	old := make([]member, bucketCap)
	for i := range old {
		old[i] = member{Name: fmt.Sprintf("m%04d", i), At: t0.Add(time.Duration(i) * time.Minute)}
	}
	docs := rawMemberships("k", old, t0)
	for i, d := range docs { // as written before buckets were closed
		doc := d.(versioned.Doc[membership])
		doc.Data.Ranges, doc.Data.Closed = nil, false
		docs[i] = doc
	}
	if _, err := db.Collection("memberships").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := m.add(ctx, "k", "late", t0.Add(time.Hour*24)); err != nil {
		t.Fatal(err)
	}
	head, err := m.store.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(head.Data.Buckets) != "[2026-04 2026-04+1]" || len(head.Data.Ranges) != 0 {
		t.Errorf("head = %+v, want an overflow bucket and no range for the old one", head.Data)
	}
	got := names(t, m, "k", 30, true)
	if len(got) != bucketCap+1 || got[0] != "late" || got[bucketCap] != "m0000" {
		t.Errorf("newest first: %d members, from %q to %q; want %d, from late to m0000", len(got), got[0], got[len(got)-1], bucketCap+1)
	}
}
