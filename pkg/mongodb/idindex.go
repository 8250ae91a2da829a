package mongodb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses, to open its files beside it
)

// IDIndexName is the name of the index IndexIDs adds to every table.
const IDIndexName = "yardstick_id"

// IndexIDs makes the embedded server answer `{_id: …}` lookups from an index.
// It does nothing on a real MongoDB, whose _id index already serves them.
//
// FerretDB 1.x (SQLite) creates its _id index on the expression
// `_ferretdb_sjson->"_id"` but filters with `_ferretdb_sjson->'$._id'`, so
// SQLite never uses it and every point lookup, replace and delete scans the
// whole collection (~55 ms at 10,000 documents of 2 KB). An index on exactly
// the expression FerretDB queries with turns that into an index search
// (~0.4 ms). FerretDB does not know about the index and does not need to: it
// lives and dies with the table. Call this after the stores have created their
// collections; it is idempotent.
func (c *Conn) IndexIDs(ctx context.Context, database string) (created int, err error) {
	if !c.Embedded {
		return 0, nil
	}
	return indexIDs(ctx, c.dataDir, database)
}

func indexIDs(ctx context.Context, dir, database string) (int, error) {
	// The same pragmas FerretDB sets, so the two connections share the file politely.
	file := filepath.Join(dir, database+".sqlite")
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return 0, nil // no collection yet; never create the file behind FerretDB's back
	}
	// mode=rw: open, never create. The pragmas are FerretDB's own, so the two
	// connections share the file politely.
	q := url.Values{"mode": {"rw"}, "_pragma": {"busy_timeout(10000)", "journal_mode(wal)", secureDelete}}
	dsn := "file:" + file + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, fmt.Errorf("open %s for indexing: %w", database, err)
	}
	defer db.Close()
	tables, err := collectionTables(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("index %s: %w", database, err)
	}
	created := 0
	for _, table := range tables {
		var exists int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, table+"_"+IDIndexName).Scan(&exists)
		if err != nil {
			return created, fmt.Errorf("index %s: %w", database, err)
		}
		if exists > 0 {
			continue
		}
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_"+IDIndexName, table)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return created, fmt.Errorf("index %s.%s: %w", database, table, err)
		}
		created++
	}
	return created, nil
}

// collectionTables lists the tables that hold FerretDB's collections. A
// database that does not exist yet has none.
func collectionTables(ctx context.Context, db *sql.DB) ([]string, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}
