// Package protoconv holds the conversions between stored values and
// protobuf fields that every service makes the same way.
package protoconv

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// OptionalTime is a timestamp field that is unset for the zero time (a
// resource never published, an interview not scheduled), never 0001-01-01.
func OptionalTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
