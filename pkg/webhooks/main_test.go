package webhooks

import (
	"os"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

// The dispatcher's tests run against the shared embedded database.
func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }
