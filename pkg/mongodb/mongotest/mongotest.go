// Package mongotest gives tests a database on a real MongoDB wire protocol:
// the embedded FerretDB server, started once per test binary, or the
// deployment named by YARDSTICK_TEST_MONGO_URI. Each call gets a database of
// its own, so tests do not see each other's data.
package mongotest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.uber.org/goleak"

	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// EnvURI names the environment variable that points tests at a real MongoDB.
const EnvURI = "YARDSTICK_TEST_MONGO_URI"

var (
	once    sync.Once
	client  *mongo.Client
	uri     string
	openErr error
	stop    func()
	conn    *mongodb.Conn // the embedded server's connection; nil on a real MongoDB
	counter atomic.Int64
)

// Run runs the tests of a package, then stops the embedded server and
// removes its files, and then fails the run if goroutines are left running
// (go.uber.org/goleak): whatever a test starts must end with it. Call it
// from TestMain: os.Exit(mongotest.Run(m)). ignore names goroutines that a
// package keeps on purpose (goleak.IgnoreTopFunction), each with a reason.
func Run(m *testing.M, ignore ...goleak.Option) int {
	code := m.Run()
	if stop != nil {
		stop()
	} else if client != nil { // a real MongoDB's client
		_ = client.Disconnect(context.Background())
	}
	if code != 0 {
		return code // a failed test may leave what it started
	}
	if err := goleak.Find(ignore...); err != nil {
		fmt.Fprintf(os.Stderr, "goroutines left running after the tests: %v\n", err)
		return 1
	}
	return 0
}

// URI returns the address of the shared test server, starting it if needed.
func URI(t testing.TB) string {
	t.Helper()
	start()
	if openErr != nil {
		t.Fatalf("test database: %v", openErr)
	}
	return uri
}

// Client returns a client of the shared test server.
func Client(t testing.TB) *mongo.Client {
	t.Helper()
	URI(t)
	return client
}

// DatabaseName returns a fresh database name for the calling test and drops
// that database when the test ends.
func DatabaseName(t testing.TB) string {
	t.Helper()
	c := Client(t)
	name := fmt.Sprintf("t%d_%s", counter.Add(1), unsafeChars.ReplaceAllString(t.Name(), "_"))
	if len(name) > 60 {
		name = name[:60]
	}
	t.Cleanup(func() { _ = c.Database(name).Drop(context.Background()) })
	return name
}

// Database returns a fresh database for the calling test.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	return Client(t).Database(DatabaseName(t))
}

// IndexIDs gives the collections of db the _id index that production adds at
// start-up (see mongodb.Conn.IndexIDs). Call it after the stores have created
// their collections; on a real MongoDB it does nothing.
func IndexIDs(t testing.TB, db *mongo.Database) {
	t.Helper()
	URI(t)
	if conn == nil {
		return
	}
	if _, err := conn.IndexIDs(context.Background(), db.Name()); err != nil {
		t.Fatalf("index _id lookups: %v", err)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

func start() {
	once.Do(func() {
		ctx := context.Background()
		if env := os.Getenv(EnvURI); env != "" {
			uri = env
			client, openErr = mongodb.Connect(ctx, uri)
			return
		}
		// The server lives as long as the test binary; Run removes its files.
		dir, err := os.MkdirTemp("", "yardstick-test-db-")
		if err != nil {
			openErr = err
			return
		}
		conn, openErr = mongodb.Open(ctx, mongodb.Config{DataDir: dir})
		if openErr != nil {
			_ = os.RemoveAll(dir)
			return
		}
		client, uri = conn.Client, conn.URI
		stop = func() {
			_ = conn.Close(context.Background())
			_ = os.RemoveAll(dir)
		}
	})
}

// IndexKeys returns the key patterns of a collection's indexes, each as
// "field:1,field:1", for tests that read back what start-up declared.
func IndexKeys(t testing.TB, coll *mongo.Collection) []string {
	t.Helper()
	specs, err := coll.Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatalf("list the indexes of %s: %v", coll.Name(), err)
	}
	var keys []string
	for _, spec := range specs {
		elems, err := spec.KeysDocument.Elements()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(elems))
		for i, e := range elems {
			v := e.Value().String()
			if n, ok := e.Value().AsInt64OK(); ok {
				v = strconv.FormatInt(n, 10)
			}
			parts[i] = e.Key() + ":" + v
		}
		keys = append(keys, strings.Join(parts, ","))
	}
	return keys
}
