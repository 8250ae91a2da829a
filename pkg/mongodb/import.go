package mongodb

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Import limits: a batch is one insertMany, well under the 48 MB message
// both servers take.
const (
	importBatchDocs  = 1000
	importBatchBytes = 8 << 20
)

// ErrTargetNotEmpty is returned by Import when a database of the export
// already holds documents there.
var ErrTargetNotEmpty = errors.New("the target already holds documents")

// Import loads the export file path (see export.go) into client's
// databases of the same names. It reads the file twice: first to check it
// whole — every line parses, the totals of its end line match — and that
// every database it names holds no document, so a damaged, truncated or
// misdirected import writes nothing; then to insert. Indexes are not in
// the file: each service creates its own when it starts, as on a new
// deployment.
func Import(ctx context.Context, client *mongo.Client, path string) (ExportTotals, error) {
	header, totals, err := readExportFile(path, nil)
	if err != nil {
		return totals, err
	}
	for _, database := range header.Databases {
		if err := checkNoDocuments(ctx, client.Database(database)); err != nil {
			return totals, err
		}
	}
	_, _, err = readExportFile(path, func(c collectionLine, docs []any) error {
		coll := client.Database(c.Database).Collection(c.Name)
		if docs == nil { // a collection starts: create it, even if empty
			return createCollection(ctx, coll)
		}
		_, err := coll.InsertMany(ctx, docs)
		return err
	})
	return totals, err
}

// checkNoDocuments returns ErrTargetNotEmpty if a collection of db holds a
// document. Empty collections (a service started once, nothing written)
// are fine.
func checkNoDocuments(ctx context.Context, db *mongo.Database) error {
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("read the target %s: %w", db.Name(), err)
	}
	for _, name := range names {
		err := db.Collection(name).FindOne(ctx, bson.D{}).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read the target %s.%s: %w", db.Name(), name, err)
		}
		return fmt.Errorf("%w: %s.%s", ErrTargetNotEmpty, db.Name(), name)
	}
	return nil
}

func createCollection(ctx context.Context, coll *mongo.Collection) error {
	err := coll.Database().CreateCollection(ctx, coll.Name())
	var cmdErr mongo.CommandError
	if err != nil && !(errors.As(err, &cmdErr) && cmdErr.Code == namespaceExists) {
		return err
	}
	return nil
}

// readExportFile reads an export, checking it, and hands each collection's
// start (docs nil) and then its documents, in batches, to batch (when not
// nil).
func readExportFile(path string, batch func(c collectionLine, docs []any) error) (*ExportHeader, ExportTotals, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ExportTotals{}, err
	}
	defer f.Close()
	h, totals, err := readExport(bufio.NewReaderSize(f, 1<<20), batch)
	if err != nil {
		return nil, totals, fmt.Errorf("%s: %w", path, err)
	}
	return h, totals, nil
}

func readExport(r *bufio.Reader, batch func(c collectionLine, docs []any) error) (*ExportHeader, ExportTotals, error) {
	var totals ExportTotals
	var first exportLine
	line, err := r.ReadBytes('\n')
	if err != nil || json.Unmarshal(line, &first) != nil || first.Header == nil {
		return nil, totals, errors.New("not a yardstick export: the first line is not its header")
	}
	if first.Header.Format != ExportFormat {
		return nil, totals, fmt.Errorf("export format %d: this yardstick reads format %d (the export was written by yardstick %s)", first.Header.Format, ExportFormat, first.Header.Yardstick)
	}
	var cur *collectionLine
	var pending []any
	var pendingBytes int
	flush := func() error {
		if batch == nil || len(pending) == 0 {
			return nil
		}
		err := batch(*cur, pending)
		pending, pendingBytes = nil, 0
		return err
	}
	for n := 2; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil, totals, errors.New("truncated: the file ends before its end line")
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, totals, err
		}
		// Relaxed parsing accepts the canonical form too, and the plain
		// JSON of the other lines.
		var doc bson.Raw
		if err := bson.UnmarshalExtJSON(line, false, &doc); err != nil {
			return nil, totals, fmt.Errorf("line %d: %w", n, err)
		}
		if _, err := doc.LookupErr("_id"); err == nil {
			if cur == nil {
				return nil, totals, fmt.Errorf("line %d: a document before any collection line", n)
			}
			totals.Documents++
			pending = append(pending, doc)
			if pendingBytes += len(doc); len(pending) >= importBatchDocs || pendingBytes >= importBatchBytes {
				if err := flush(); err != nil {
					return nil, totals, fmt.Errorf("import %s.%s: %w", cur.Database, cur.Name, err)
				}
			}
			continue
		}
		if err := flush(); err != nil {
			return nil, totals, fmt.Errorf("import %s.%s: %w", cur.Database, cur.Name, err)
		}
		var ctl exportLine
		if err := json.Unmarshal(line, &ctl); err != nil {
			return nil, totals, fmt.Errorf("line %d: %w", n, err)
		}
		switch {
		case ctl.Collection != nil:
			// Import checked only the header's databases for documents.
			if !slices.Contains(first.Header.Databases, ctl.Collection.Database) {
				return nil, totals, fmt.Errorf("line %d: database %s is not in the header", n, ctl.Collection.Database)
			}
			cur = ctl.Collection
			totals.Collections++
			if batch != nil {
				if err := batch(*cur, nil); err != nil {
					return nil, totals, fmt.Errorf("import %s.%s: %w", cur.Database, cur.Name, err)
				}
			}
		case ctl.End != nil:
			if *ctl.End != totals {
				return nil, totals, fmt.Errorf("damaged: the end line counts %d collections and %d documents, the file holds %d and %d",
					ctl.End.Collections, ctl.End.Documents, totals.Collections, totals.Documents)
			}
			if rest, _ := r.Peek(1); len(rest) > 0 {
				return nil, totals, fmt.Errorf("line %d: more after the end line", n+1)
			}
			return first.Header, totals, nil
		default:
			return nil, totals, fmt.Errorf("line %d: neither a document (no _id) nor a collection or end line", n)
		}
	}
}
