package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// restoreCommand writes a backup's database files into a new data
// directory, for `yardstick dev --data-dir` (or serve) to start on.
type restoreCommand struct {
	common
	in      string
	dataDir string
}

func parseRestore(args []string, stderr io.Writer) (*restoreCommand, error) {
	c := &restoreCommand{}
	fs := newFlagSet("restore", stderr)
	c.common.register(fs)
	fs.StringVar(&c.in, "in", "", "the backup file to restore (required)")
	fs.StringVar(&c.dataDir, "data-dir", "", "the data directory to create; it must be empty or absent (required)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.in == "" || c.dataDir == "" {
		return nil, errors.New("restore needs --in FILE and --data-dir DIR")
	}
	return c, nil
}

func (c *restoreCommand) run(_ context.Context, log *slog.Logger) error {
	// The whole data directory, not only its database: a restore never
	// mixes a backup with what another store left (its key, its files).
	if err := mongodb.CheckEmpty(c.dataDir); err != nil {
		if errors.Is(err, mongodb.ErrNotEmpty) {
			return fmt.Errorf("restore: %w; restore into a new or empty directory and start yardstick on it (to keep this path, move the directory aside first)", err)
		}
		return err
	}
	m, err := mongodb.Restore(c.in, filepath.Join(c.dataDir, "db"))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	log.Info("backup restored; start yardstick with --data-dir "+c.dataDir,
		"data_dir", c.dataDir, "databases", len(m.Files), "taken_at", m.Time.Format(time.RFC3339), "written_by", m.Yardstick)
	return nil
}
