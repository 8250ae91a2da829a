// Command ferretdb-postgresql serves FerretDB, at the version go.mod pins,
// on a PostgreSQL database over TCP: the external MongoDB-wire server that
// CI runs the store's and the services' tests against besides the embedded
// SQLite default (scripts/postgresql-backend.sh). FerretDB's own command
// cannot be built from the module proxy (it needs generated version files
// the module does not ship); its embeddable package can.
//
// Clients authenticate with PLAIN: FerretDB 1.x opens the PostgreSQL
// connection with the client's user and password, so a wrong password is
// refused by PostgreSQL itself.
//
//	go run ./internal/cmd/ferretdb-postgresql -listen 127.0.0.1:27018 -postgresql-url postgres://127.0.0.1:5432/ferretdb
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to serve the MongoDB wire protocol on")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL database to store in, without credentials (clients bring theirs)")
	flag.Parse()
	if *pgURL == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-postgresql: -postgresql-url is required")
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
		Logger:        log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-postgresql:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f.Run(ctx)
}
