package mongodb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// compactBudget bounds the compaction of all files at a stop: a rebuild of
// about 1.5 GB on a slow machine. One that runs out of time is rolled back
// and the files stay as they were.
const compactBudget = time.Minute

// minSlack is the least slack worth a rebuild at a stop.
const minSlack = 1 << 20

// compacted is what the compaction of one database file did.
type compacted struct {
	file           string
	before, after  int64 // bytes in use by the file, its write-ahead log included
	slack          int64 // bytes of the file no row used, before
	measured       bool  // the slack was measured
	rebuilt        bool
	took           time.Duration
	checkpointBusy bool // the log could not be emptied: someone else has the file open
}

// compactFiles runs once the embedded server has stopped and closed its
// files. For each database file of dir it copies the write-ahead log into
// the file and empties the log (wal_checkpoint(TRUNCATE)), so that a
// stopped store is its database files alone. Then it rebuilds (VACUUM) a
// file of which at least a third, and at least minSlack bytes, is space no
// row uses: SQLite shrinks a row in place and never merges the page it
// leaves almost empty, nor reuses it for new rows, which go to the end of
// the table, and that is what happens to every change record that drops its
// document (versioned.Options.Forget and Supersedes). A rebuild costs about
// a second per 30 MB; measuring the slack a tenth of that, so it is
// measured only once a file has grown by a third since it was last found
// compact (the sizes are kept in the file compactedSizes beside them).
func compactFiles(ctx context.Context, dir string, minSlack int64) ([]compacted, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return nil, err
	}
	last := readCompactedSizes(dir)
	sizes := map[string]int64{} // of the files there are: a dropped database's goes
	var out []compacted
	var errs []error
	for _, file := range files {
		name := filepath.Base(file)
		sizes[name] = last[name]
		c, err := compactFile(ctx, file, last[name], minSlack)
		if err != nil {
			errs = append(errs, fmt.Errorf("compact %s: %w", name, err))
			continue
		}
		if c.measured {
			sizes[name] = c.after
		}
		out = append(out, c)
	}
	if err := writeCompactedSizes(dir, sizes); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

func compactFile(ctx context.Context, file string, compactSize, minSlack int64) (compacted, error) {
	c := compacted{file: filepath.Base(file), before: onDisk(file)}
	start := time.Now()
	// mode=rw: never create a file. FerretDB's pragmas, so that the file
	// stays as FerretDB keeps it (secure_delete: a rebuild writes no freed
	// content back).
	q := url.Values{"mode": {"rw"}, "_pragma": {"busy_timeout(10000)", "journal_mode(wal)", secureDelete}}
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return c, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if c.checkpointBusy, err = checkpoint(ctx, db); err != nil || c.checkpointBusy {
		return c, err
	}
	c.after = onDisk(file)
	if compactSize > 0 && 3*c.after < 4*compactSize {
		c.took = time.Since(start)
		return c, nil // grown by less than a third since it was compact
	}
	// dbstat reads every page once.
	c.measured = true
	var unused, free, size int64
	err = db.QueryRowContext(ctx, `SELECT coalesce(sum(unused), 0), coalesce(sum(pgsize), 0) FROM dbstat WHERE aggregate = 1`).Scan(&unused, &size)
	if err != nil {
		return c, fmt.Errorf("measure: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size`).Scan(&free); err != nil {
		return c, fmt.Errorf("measure: %w", err)
	}
	c.slack = unused + free
	if c.slack >= minSlack && 3*c.slack >= size+free {
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return c, fmt.Errorf("rebuild: %w", err)
		}
		c.rebuilt = true
		if c.checkpointBusy, err = checkpoint(ctx, db); err != nil {
			return c, err
		}
		c.after = onDisk(file)
	}
	c.took = time.Since(start)
	return c, nil
}

// compactedSizes names the file, in the data directory, that keeps the
// size of each database file when it was last found compact.
const compactedSizes = "compacted-sizes.json"

func readCompactedSizes(dir string) map[string]int64 {
	sizes := map[string]int64{}
	b, err := os.ReadFile(filepath.Join(dir, compactedSizes))
	if err == nil && json.Unmarshal(b, &sizes) != nil {
		return map[string]int64{} // unreadable: measure every file again
	}
	return sizes
}

func writeCompactedSizes(dir string, sizes map[string]int64) error {
	b, err := json.Marshal(sizes)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, compactedSizes+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("record compacted sizes: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, compactedSizes)); err != nil {
		return fmt.Errorf("record compacted sizes: %w", err)
	}
	return nil
}

// checkpoint copies the write-ahead log into the database and empties it;
// busy means a reader or writer elsewhere kept it from finishing.
func checkpoint(ctx context.Context, db *sql.DB) (busy bool, err error) {
	var b, logged, copied int
	if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&b, &logged, &copied); err != nil {
		return false, fmt.Errorf("checkpoint: %w", err)
	}
	return b != 0, nil
}

// onDisk is the bytes a database file and its write-ahead log take.
func onDisk(file string) int64 {
	var n int64
	for _, f := range []string{file, file + "-wal"} {
		if info, err := os.Stat(f); err == nil {
			n += info.Size()
		}
	}
	return n
}

// logCompaction reports what a stop's compaction did.
func logCompaction(log *slog.Logger, done []compacted, err error) {
	for _, c := range done {
		switch {
		case c.checkpointBusy:
			log.Warn("embedded database: the write-ahead log is still in use after the stop", "file", c.file)
		case c.rebuilt:
			log.Info("embedded database compacted", "file", c.file, "before_bytes", c.before, "after_bytes", c.after, "took", c.took.Round(time.Millisecond))
		}
	}
	if err != nil {
		log.Warn("embedded database: compaction at stop failed; the files stay as they were", "err", err)
	}
}
