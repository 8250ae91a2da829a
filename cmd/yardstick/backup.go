package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// backupCommand writes a backup of the embedded database of a data
// directory, whether `yardstick dev` or `serve` is running on it or not.
type backupCommand struct {
	common
	dataDir string
	out     string
}

func parseBackup(args []string, stderr io.Writer) (*backupCommand, error) {
	c := &backupCommand{}
	fs := newFlagSet("backup", stderr)
	c.common.register(fs)
	fs.StringVar(&c.dataDir, "data-dir", ".yardstick", "data directory of the embedded database (as given to dev or serve)")
	fs.StringVar(&c.out, "out", "", "the backup file to write, a gzipped tar (required; replaced only once the new one is complete)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.out == "" {
		return nil, errors.New("backup needs --out FILE")
	}
	return c, nil
}

func (c *backupCommand) run(ctx context.Context, log *slog.Logger) error {
	dir := filepath.Join(c.dataDir, "db")
	names, err := mongodb.DatabaseFiles(dir)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no embedded database in %s: --data-dir names the directory `yardstick dev --data-dir` uses", dir)
	}
	start := time.Now()
	m, err := mongodb.Backup(ctx, dir, backupOrder(names), c.out, version())
	if err != nil {
		return err
	}
	log.Info("backup written", "file", c.out, "databases", len(m.Files), "taken_at", m.Time.Format(time.RFC3339), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// backupOrder puts the database files in the order to snapshot them: the
// services that call others first, then those they call (the reverse of the
// table's start order), then any other file. Each file's snapshot is
// consistent, but they are taken one after another. No change writes to
// two databases (a service writes only its own; it only reads the services
// it calls), so no change is cut in two; what crosses databases are
// references — an interview names a rubric revision, a rubric the
// framework revision it came from — to revisions, which are never changed
// or deleted. Snapshotting the referring database first, every revision it
// names was published before its snapshot began, and so is in the later
// snapshot of the database that holds it.
func backupOrder(names []string) []string {
	all := services.All()
	rank := func(name string) int {
		for i, s := range all {
			if strings.HasSuffix(name, s.Database+".sqlite") {
				return len(all) - 1 - i
			}
		}
		return len(all)
	}
	out := slices.Clone(names)
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}
