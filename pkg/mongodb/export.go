package mongodb

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// An export is JSON lines, one stream for every database: what moves data
// from the embedded server to a MongoDB deployment (or back), through the
// wire protocol both speak, so it depends on neither's files.
//
//	{"yardstick_export": {"format": 1, "yardstick": "…", "time": "…", "databases": ["yardstick_ladder", …]}}
//	{"collection": {"database": "yardstick_ladder", "name": "frameworks"}}
//	{"_id": "frameworks/engineering", …}        one line per document
//	…                                           the next collection's line, its documents, …
//	{"end": {"collections": 12, "documents": 345}}
//
// Documents are MongoDB Extended JSON v2, canonical: every BSON type
// survives (an int64 stays an int64, a date a date), which plain JSON would
// lose. A line is a document exactly when it has an _id (every stored
// document does; the other lines have none). The end line makes a
// truncated file detectable.

// ExportFormat is the version of the layout above.
const ExportFormat = 1

// ExportHeader is the first line of an export.
type ExportHeader struct {
	Format    int       `json:"format"`
	Yardstick string    `json:"yardstick"`
	Time      time.Time `json:"time"`
	Databases []string  `json:"databases"`
}

// collectionLine starts a collection's documents.
type collectionLine struct {
	Database string `json:"database"`
	Name     string `json:"name"`
}

// ExportTotals is what an export holds: the last line of the file.
type ExportTotals struct {
	Collections int   `json:"collections"`
	Documents   int64 `json:"documents"`
}

// exportLine is any line but a document's.
type exportLine struct {
	Header     *ExportHeader   `json:"yardstick_export,omitempty"`
	Collection *collectionLine `json:"collection,omitempty"`
	End        *ExportTotals   `json:"end,omitempty"`
}

// Export writes every collection of the named databases to w. It reads one
// collection after another, not one snapshot of them all: export from a
// deployment nothing is writing to (the services stopped).
func Export(ctx context.Context, client *mongo.Client, databases []string, w io.Writer, version string) (ExportTotals, error) {
	bw := bufio.NewWriter(w)
	var totals ExportTotals
	header := ExportHeader{Format: ExportFormat, Yardstick: version, Time: time.Now().UTC(), Databases: databases}
	if err := writeLine(bw, exportLine{Header: &header}); err != nil {
		return totals, err
	}
	for _, database := range databases {
		db := client.Database(database)
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return totals, fmt.Errorf("export %s: %w", database, err)
		}
		slices.Sort(names) // the same data gives the same file, bar the time
		for _, name := range names {
			if strings.HasPrefix(name, "system.") {
				continue // the server's own
			}
			n, err := exportCollection(ctx, db.Collection(name), bw)
			if err != nil {
				return totals, fmt.Errorf("export %s.%s: %w", database, name, err)
			}
			totals.Collections++
			totals.Documents += n
		}
	}
	if err := writeLine(bw, exportLine{End: &totals}); err != nil {
		return totals, err
	}
	return totals, bw.Flush()
}

func exportCollection(ctx context.Context, coll *mongo.Collection, w *bufio.Writer) (int64, error) {
	line := collectionLine{Database: coll.Database().Name(), Name: coll.Name()}
	if err := writeLine(w, exportLine{Collection: &line}); err != nil {
		return 0, err
	}
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	var n int64
	for cur.Next(ctx) {
		// Canonical, and no HTML escaping: the text comes back as it was.
		b, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			return n, err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return n, err
		}
		n++
	}
	return n, cur.Err()
}

func writeLine(w io.Writer, line exportLine) error {
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
