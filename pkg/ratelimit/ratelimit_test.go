package ratelimit

import (
	"testing"
	"time"
)

func TestReservePerSubject(t *testing.T) {
	l := New(1, 2) // one call a second, bursts of two
	now := time.Now()
	for i := range 2 {
		if wait, _ := l.reserve("alice", now); wait != 0 {
			t.Fatalf("call %d of a burst of 2: wait %v, want none", i+1, wait)
		}
	}
	wait, _ := l.reserve("alice", now)
	if wait <= 0 || wait > time.Second {
		t.Errorf("third call: wait %v, want (0, 1s]", wait)
	}
	// A refused call does not use up the bucket: after the wait, one call passes.
	if again, _ := l.reserve("alice", now.Add(wait)); again != 0 {
		t.Errorf("call after waiting %v: wait %v, want none", wait, again)
	}
	if other, _ := l.reserve("bob", now); other != 0 {
		t.Errorf("another caller: wait %v, want none (buckets are per caller)", other)
	}
}

func TestIdleBucketsAreDropped(t *testing.T) {
	l := New(1, 1)
	start := time.Now()
	for i := range maxBuckets {
		l.reserve(string(rune('a'+i%26))+time.Duration(i).String(), start)
	}
	l.reserve("late", start.Add(idleAfter+time.Second))
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets after the idle ones were dropped, want 1", n)
	}
}

func TestBucketsNeverOutgrowTheCap(t *testing.T) {
	l := New(1, 1)
	now := time.Now()
	for i := range maxBuckets + 5 {
		l.reserve("user-"+time.Duration(i).String(), now.Add(time.Duration(i)))
	}
	if n := len(l.buckets); n != maxBuckets {
		t.Errorf("%d buckets with every one in use, want the cap %d", n, maxBuckets)
	}
	if _, ok := l.buckets["user-0s"]; ok {
		t.Error("the least recently used bucket is still there")
	}
}
