package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// importCommand loads an export into MongoDB (or an embedded database) that
// holds no documents yet.
type importCommand struct {
	common
	in      string
	storage storage
}

func parseImport(args []string, stderr io.Writer) (*importCommand, error) {
	c := &importCommand{}
	fs := newFlagSet("import", stderr)
	c.common.register(fs)
	fs.StringVar(&c.in, "in", "", "the export file to load (required)")
	// Not --database-prefix: the databases keep the names the export has.
	fs.StringVar(&c.storage.mongoURI, "mongo-uri", "", "MongoDB URI to load into; when empty, the embedded database in --data-dir")
	fs.StringVar(&c.storage.dataDir, "data-dir", ".yardstick", "data directory of the embedded database to load into (without --mongo-uri)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.in == "" {
		return nil, errors.New("import needs --in FILE")
	}
	return c, nil
}

func (c *importCommand) run(ctx context.Context, log *slog.Logger) error {
	conn, err := c.storage.open(ctx, log)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	totals, err := mongodb.Import(ctx, conn.Client, c.in)
	if errors.Is(err, mongodb.ErrTargetNotEmpty) {
		return fmt.Errorf("import: %w; import into databases that hold no documents (before `yardstick dev` first starts on them: it seeds sample data), or drop them first", err)
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	// The indexes are the services' to make: each creates its own at start.
	log.Info("export imported; start yardstick on it and each service creates its indexes", "file", c.in, "collections", totals.Collections, "documents", totals.Documents)
	return nil
}
