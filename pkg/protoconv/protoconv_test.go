package protoconv

import (
	"testing"
	"time"
)

func TestOptionalTime(t *testing.T) {
	if OptionalTime(time.Time{}) != nil {
		t.Error("OptionalTime(zero) is set, want nil")
	}
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	if got := OptionalTime(at).AsTime(); !got.Equal(at) {
		t.Errorf("OptionalTime(%v) = %v", at, got)
	}
}
