package feedback

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

func newMemberships(t *testing.T) *memberships {
	t.Helper()
	s := NewStore(mongotest.Database(t))
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &s.members
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
