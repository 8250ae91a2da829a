package lru_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/lru"
)

func TestEvictsTheLeastRecentlyUsedByBytes(t *testing.T) {
	c := lru.New[string, int](10)
	c.Add("a", 1, 4)
	c.Add("b", 2, 4)
	if v, ok := c.Get("a"); !ok || v != 1 { // a is now the most recent
		t.Fatalf("Get(a) = %d, %v, want 1, true", v, ok)
	}
	c.Add("c", 3, 4) // 12 bytes: b, the least recent, goes
	if _, ok := c.Get("b"); ok {
		t.Error("Get(b) found it, want it evicted")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.Get(k); !ok || v != want {
			t.Errorf("Get(%s) = %d, %v, want %d, true", k, v, ok, want)
		}
	}
	if n, bytes := c.Len(); n != 2 || bytes != 8 {
		t.Errorf("Len() = %d, %d, want 2, 8", n, bytes)
	}
	c.Add("a", 10, 6) // replacing counts the new size only
	if n, bytes := c.Len(); n != 2 || bytes != 10 {
		t.Errorf("Len() after replacing a = %d, %d, want 2, 10", n, bytes)
	}
	c.Add("huge", 4, 11) // larger than the cache: not kept, nothing evicted
	if _, ok := c.Get("huge"); ok {
		t.Error("Get(huge) found a value larger than the cache")
	}
	if n, _ := c.Len(); n != 2 {
		t.Errorf("Len() after a value too large = %d, want 2", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := lru.New[int, int](64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.Add((g*i)%100, i, 1)
				c.Get(i % 100)
			}
		})
	}
	wg.Wait()
	if n, bytes := c.Len(); n > 64 || bytes != n {
		t.Errorf("Len() = %d, %d, want at most 64 entries of 1 byte", n, bytes)
	}
}

func ExampleCache() {
	c := lru.New[string, string](1 << 20)
	c.Add("rubrics/coding/revisions/1", "the revision", len("the revision"))
	v, ok := c.Get("rubrics/coding/revisions/1")
	fmt.Println(v, ok)
	// Output: the revision true
}
