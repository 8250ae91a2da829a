package mongodb

import (
	"testing"

	"go.uber.org/goleak"
)

// The embedded server runs in goroutines of this process: every one must
// end when it stops, and so must the driver's.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
