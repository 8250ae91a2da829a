package grpcserver_test

import (
	"testing"

	"go.uber.org/goleak"
)

// A server's goroutines (serving, reporting the database's state) must end
// when it stops.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
