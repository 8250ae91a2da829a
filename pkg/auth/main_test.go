package auth_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The key set fetches an issuer's keys in goroutines of its own: each must
// end once its fetch does.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
