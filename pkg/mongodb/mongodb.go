// Package mongodb connects to MongoDB: to the server at a URI when one is
// given, otherwise to an embedded FerretDB server (SQLite files in a data
// directory) that it starts in-process on a Unix socket in that directory.
// Either way the caller gets a client of the official driver speaking the
// wire protocol.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Config says where the data lives.
type Config struct {
	// URI of a MongoDB deployment. When empty, the embedded server is started.
	URI string
	// DataDir holds the embedded server's SQLite files. Ignored with a URI.
	DataDir string
	// Logger receives the embedded server's warnings and errors.
	Logger *slog.Logger
}

// Conn is an open connection, and the embedded server behind it if any.
type Conn struct {
	Client   *mongo.Client
	URI      string
	Embedded bool
	dataDir  string // the embedded server's files
	stop     func()
	pool     *poolMetrics // see RegisterMetrics
}

// Open connects as the config says and checks that the server answers.
func Open(ctx context.Context, cfg Config) (*Conn, error) {
	conn := &Conn{URI: cfg.URI, stop: func() {}}
	if cfg.URI == "" {
		uri, stop, err := StartEmbedded(ctx, cfg.DataDir, cfg.Logger)
		if err != nil {
			return nil, err
		}
		conn.URI, conn.Embedded, conn.stop = uri, true, stop
		if conn.dataDir, err = filepath.Abs(cfg.DataDir); err != nil {
			stop()
			return nil, err
		}
	}
	var pool []func(*options.ClientOptions)
	if conn.Embedded {
		pool = append(pool, embeddedPool)
	}
	// Last, so that it sees the pool's cap.
	conn.pool = newPoolMetrics()
	pool = append(pool, conn.pool.monitor)
	client, err := connect(ctx, conn.URI, pool...)
	if err != nil {
		conn.stop()
		return nil, err
	}
	conn.Client = client
	return conn, nil
}

// The embedded server's connections. FerretDB serves each client connection
// with goroutines and buffers of its own, and each query on a SQLite
// connection of its pool, which it keeps open for good once opened (up to
// 100 per database), each with its own page cache of up to 2 MiB: so the
// memory the process keeps follows the most client connections it ever
// had at once: 10,000 mixed requests, 64 at a time, left 106 SQLite
// connections and 252 goroutines for good (docs/benchmarks.md, "Memory
// under load"). Capping the pool bounds both; closing idle connections
// ends FerretDB's goroutines for them. Sixteen at a time keep two cores
// busy: SQLite writes one at a time, and the load above ran no slower.
const (
	embeddedPoolSize = 16
	embeddedIdleTime = time.Minute
)

func embeddedPool(o *options.ClientOptions) {
	o.SetMaxPoolSize(embeddedPoolSize).SetMaxConnIdleTime(embeddedIdleTime)
}

// Close disconnects and stops the embedded server, if one was started.
func (c *Conn) Close(ctx context.Context) error {
	err := c.Client.Disconnect(ctx)
	c.stop()
	return err
}

// Connect opens a driver client with the settings every service uses and
// pings the server.
func Connect(ctx context.Context, uri string) (*mongo.Client, error) {
	return connect(ctx, uri)
}

// connect is Connect with more settings.
func connect(ctx context.Context, uri string, more ...func(*options.ClientOptions)) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetServerSelectionTimeout(10 * time.Second).
		SetAppName("yardstick")
	for _, set := range more {
		set(opts)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to mongodb: %w", err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("ping mongodb: %w", err)
	}
	return client, nil
}

// StartEmbedded starts FerretDB with its SQLite backend, keeping its files
// under dir and listening on a Unix socket there (see socket.go): never on a
// TCP port, which every local user could reach without a password. It
// returns the URI to connect to and a function that stops the server, waits
// for it to close its files, and compacts them (compact.go).
func StartEmbedded(ctx context.Context, dir string, log *slog.Logger) (uri string, stop func(), err error) {
	return startEmbedded(ctx, dir, log, secureDelete, walSizeLimit)
}

// startEmbedded is StartEmbedded with the SQLite pragmas to add to
// FerretDB's own (a benchmark compares them).
func startEmbedded(ctx context.Context, dir string, log *slog.Logger, pragmas ...string) (uri string, stop func(), err error) {
	if dir == "" {
		return "", nil, errors.New("embedded database needs a data directory")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create data directory: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := ownerOnly(dir, log); err != nil {
		return "", nil, err
	}
	sockDir, removeSockDir, err := socketDir(dir, log)
	if err != nil {
		return "", nil, err
	}
	sock := filepath.Join(sockDir, socketName)
	if err := removeStaleSocket(sock); err != nil {
		removeSockDir()
		return "", nil, fmt.Errorf("start embedded database: %w", err)
	}
	// FerretDB logs every connection at info level, and dumps whole wire
	// messages (documents included) when a command fails: keep only its other
	// warnings and errors.
	quiet := slog.New(levelFilter{Handler: log.Handler(), min: slog.LevelWarn})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?" + url.Values{"_pragma": pragmas}.Encode(),
		Logger:    quiet,
	})
	if err != nil {
		removeSockDir()
		return "", nil, fmt.Errorf("start embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	stop = func() {
		cancel()
		<-done
		// FerretDB has closed its files: empty the write-ahead logs, and
		// rebuild the files that are mostly slack (compact.go).
		compactCtx, cancelCompact := context.WithTimeout(context.Background(), compactBudget)
		files, err := compactFiles(compactCtx, dir, minSlack)
		cancelCompact()
		logCompaction(log, files, err)
		removeSockDir()
	}
	return socketURI(sock), stop, nil
}

// secureDelete makes SQLite overwrite what it deletes (rows, and the old
// copy of a replaced row) with zeros instead of leaving it in free pages:
// an erased candidate's name and feedback must leave the file, not only the
// answers. It costs little, because the pages written are the same ones
// (docs/storage.md has the measurement); FerretDB adds its own pragmas to
// the ones given here.
const secureDelete = "secure_delete(1)"

// walSizeLimit bounds each write-ahead log while the embedded server runs
// (SQLite's journal_size_limit, set on every connection FerretDB opens): a
// log grows while a checkpoint cannot reach its end, and SQLite reuses it
// from the start afterwards without ever shrinking it, so a burst of writes
// left a log as large as the burst for as long as the process ran. With the
// limit, the log is cut back to this size each time it starts over. It is
// about one automatic checkpoint's worth (1,000 pages of 4 KiB). FerretDB
// owns its connections, so a checkpoint of our own while it runs would
// wait for its readers and hold its writers up; this setting rides on the
// pragmas every one of its connections runs.
const walSizeLimit = "journal_size_limit(4194304)"

// namespaceExists is the server's error code for creating a collection that exists.
const namespaceExists = 48

// levelFilter drops records below a minimum level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// wireDump matches FerretDB's log lines that carry a request or response.
var wireDump = regexp.MustCompile(`^(Request|Response) (header|message)`)

func (h levelFilter) Handle(ctx context.Context, r slog.Record) error {
	if wireDump.MatchString(r.Message) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h levelFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFilter{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{Handler: h.Handler.WithGroup(name), min: h.min}
}

// EnsureIndexes creates the given collections, and their indexes; creating
// an existing collection or index is a no-op. Every collection is created at
// start-up, even one without indexes of its own, so that start-up can prepare
// them all (see Conn.IndexIDs).
func EnsureIndexes(ctx context.Context, indexes map[*mongo.Collection][]mongo.IndexModel) error {
	for coll, models := range indexes {
		err := coll.Database().CreateCollection(ctx, coll.Name())
		var cmdErr mongo.CommandError
		if err != nil && !(errors.As(err, &cmdErr) && cmdErr.Code == namespaceExists) {
			return fmt.Errorf("create collection %s: %w", coll.Name(), err)
		}
		// One index per command: FerretDB 1.24 drops the connection when one
		// createIndexes command names several indexes that all exist
		// already (TestEnsureIndexesTwice), which every start but the
		// first does.
		for _, model := range models {
			if _, err := coll.Indexes().CreateOne(ctx, model); err != nil {
				return fmt.Errorf("create indexes on %s: %w", coll.Name(), err)
			}
		}
	}
	return nil
}
