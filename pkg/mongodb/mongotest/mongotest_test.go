package mongotest

import (
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

// Tests use the embedded server the way production starts it: on a Unix
// socket, never on a TCP port another local user could reach.
func TestEmbeddedServerListensOnASocket(t *testing.T) {
	if os.Getenv(EnvURI) != "" {
		t.Skipf("%s names a real MongoDB", EnvURI)
	}
	uri := URI(t)
	if !strings.HasPrefix(uri, "mongodb://%2F") || !strings.HasSuffix(uri, ".sock/") {
		t.Errorf("test server URI = %q, want a Unix socket (mongodb://%%2F….sock/)", uri)
	}
	if err := Client(t).Database(DatabaseName(t)).Collection("c").Drop(t.Context()); err != nil {
		t.Errorf("the client cannot reach the server: %v", err)
	}
}
