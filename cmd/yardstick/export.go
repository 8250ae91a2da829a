package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// exportCommand writes every service's database as Extended JSON lines
// (pkg/mongodb/export.go), from MongoDB or from the embedded database of a
// data directory: how data moves from one to the other.
type exportCommand struct {
	common
	storage
	out string
}

func parseExport(args []string, stderr io.Writer) (*exportCommand, error) {
	c := &exportCommand{}
	fs := newFlagSet("export", stderr)
	c.common.register(fs)
	c.storage.register(fs, "data directory of the embedded database to export (when no --mongo-uri); no yardstick may be running on it")
	fs.StringVar(&c.out, "out", "", "the file to write, JSON lines (required; replaced only once the new one is complete)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.out == "" {
		return nil, errors.New("export needs --out FILE")
	}
	return c, nil
}

func (c *exportCommand) run(ctx context.Context, log *slog.Logger) (err error) {
	if c.mongoURI == "" {
		// Never start an empty store where the user meant a full one.
		if names, err := mongodb.DatabaseFiles(filepath.Join(c.dataDir, "db")); err != nil || len(names) == 0 {
			return fmt.Errorf("no embedded database in %s (%v): --data-dir names the directory `yardstick dev --data-dir` uses", filepath.Join(c.dataDir, "db"), err)
		}
	}
	// Export starts the embedded server on the data directory itself, which
	// fails while a yardstick serves it (its socket answers): a second server
	// on the same files would not see the first one's changes. Reading a
	// store nobody writes to is also what makes the export one state.
	conn, err := c.storage.open(ctx, log)
	if err != nil {
		return fmt.Errorf("export: %w (stop the yardstick that serves it first)", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var databases []string
	for _, s := range services.All() {
		databases = append(databases, s.DatabaseName(c.dbPrefix))
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.out), "."+filepath.Base(c.out)+".tmp-") // 0600: it holds every record
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	totals, err := mongodb.Export(ctx, conn.Client, databases, tmp, version())
	if err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.out); err != nil {
		return err
	}
	log.Info("export written", "file", c.out, "collections", totals.Collections, "documents", totals.Documents)
	return nil
}
