package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// Store keeps candidates (with their interviews), scorecards, and each
// interviewer's index of interviews, every document keyed by resource name
// and read by _id.
type Store struct {
	candidates *versioned.Store[candidate]
	scorecards *versioned.Store[scorecard]
	index      *versioned.Store[interviewerIndex]
	// calibrations keeps each role's last report's interviewer effects
	// (see calibration.go); derived, replaced whole.
	calibrations *mongo.Collection
}

// Change kinds.
const (
	kindCreate       = "create"
	kindUpdate       = "update"
	kindAddInterview = "add_interview"
	kindSubmit       = "submit"
	kindAmend        = "amend"
	kindIndex        = "index"
	kindDelete       = "delete"
)

// NewStore returns a store over db. Call Init before serving.
func NewStore(db *mongo.Database) *Store {
	s := &Store{calibrations: db.Collection("calibrations")}
	s.index = versioned.New(db, "interviewer_index", "interviewer_index_changes", versioned.Options[interviewerIndex]{
		// The index is derived and must be erasable with the candidates it
		// points at: its change records keep no copies.
		Forget: true,
	})
	// Only adding an interview derives a write (the interviewer's index).
	// An index entry of an add that was abandoned needs no undo: "my
	// interviews" skips entries the panel does not hold.
	s.candidates = versioned.New(db, "candidates", "candidate_changes", versioned.Options[candidate]{
		AfterRecord: s.indexInterview,
		Derives:     func(c *versioned.Change[candidate]) bool { return c.Kind == kindAddInterview },
	})
	s.scorecards = versioned.New(db, "scorecards", "scorecard_changes", versioned.Options[scorecard]{})
	return s
}

// Init creates the collections and indexes, and finishes the changes a crash
// left half-written.
func (s *Store) Init(ctx context.Context) error {
	indexes := s.candidates.Indexes()
	for coll, models := range s.scorecards.Indexes() {
		indexes[coll] = models
	}
	for coll, models := range s.index.Indexes() {
		indexes[coll] = models
	}
	indexes[s.calibrations] = nil
	if err := mongodb.EnsureIndexes(ctx, indexes); err != nil {
		return err
	}
	for _, sweep := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := s.index.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.candidates.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.scorecards.Sweep(ctx); return err },
	} {
		if err := sweep(ctx); err != nil {
			return err
		}
	}
	return nil
}

// indexName is the name of an interviewer's index document.
func indexName(user string) string { return user + "/interviews" }

// indexInterview adds the interview a change added to its interviewer's
// index. It runs after the change is recorded, and again if the change is
// rolled forward: an entry already there is success.
func (s *Store) indexInterview(ctx context.Context, c *versioned.Change[candidate]) error {
	if c.Kind != kindAddInterview {
		return nil
	}
	i := slices.IndexFunc(c.After.Data.Interviews, func(iv interview) bool { return iv.ID == c.Ref })
	if i < 0 {
		return nil
	}
	iv := c.After.Data.Interviews[i]
	entry := indexEntry{Interview: c.Resource + "/interviews/" + iv.ID}
	return s.editIndex(ctx, iv.Interviewer, func(entries []indexEntry) []indexEntry {
		if slices.Contains(entries, entry) {
			return nil
		}
		return append(entries, entry)
	})
}

// editIndex changes an interviewer's index, retrying when another writer
// changed it in between: index edits commute, so a retry is always right.
// edit returns nil for no change.
func (s *Store) editIndex(ctx context.Context, user string, edit func([]indexEntry) []indexEntry) error {
	const attempts = 8
	for range attempts {
		_, err := s.index.Apply(ctx, indexName(user), "system/index", versioned.Expect{}, func(cur *versioned.Doc[interviewerIndex]) (versioned.Edit[interviewerIndex], error) {
			var entries []indexEntry
			if cur.Live() {
				entries = slices.Clone(cur.Data.Interviews)
			}
			next := edit(entries)
			if next == nil {
				return versioned.Edit[interviewerIndex]{Unchanged: true}, nil
			}
			return versioned.Edit[interviewerIndex]{Kind: kindIndex, Data: interviewerIndex{Interviews: next}}, nil
		})
		if !errors.Is(err, apierr.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("index of %s is changing too fast", user)
}

// interviewsOf returns an interviewer's interview names.
func (s *Store) interviewsOf(ctx context.Context, user string) ([]string, error) {
	doc, err := s.index.Find(ctx, indexName(user))
	if err != nil || !doc.Live() {
		return nil, err
	}
	names := make([]string, len(doc.Data.Interviews))
	for i, e := range doc.Data.Interviews {
		names[i] = e.Interview
	}
	return names, nil
}

// erase removes a candidate with every interview, scorecard, change
// record, request record and index entry, and the role's kept calibration:
// afterwards nothing of it remains in any collection. It first deletes the
// candidate (a tombstone), so that every write path — saving a scorecard,
// adding an interview — refuses from then on; then purges, and purges
// again what a write already past its check may still have added. It is
// written to be run again if it stops half-way.
func (s *Store) erase(ctx context.Context, name, actor string) error {
	doc, err := s.candidates.Find(ctx, name)
	if err != nil {
		return err
	}
	if doc == nil {
		return apierr.NotFound(name)
	}
	if doc.Live() { // else: erased half-way before; go on from the tombstone
		const attempts = 5
		for attempt := 1; ; attempt++ {
			doc, err = s.candidates.Apply(ctx, name, actor, versioned.Expect{Exists: versioned.MustExist}, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
				return versioned.Edit[candidate]{Kind: kindDelete, Delete: true, Data: cur.Data}, nil
			})
			if !errors.Is(err, apierr.ErrConflict) || attempt == attempts {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	prefix := name + "/interviews/"
	const rounds = 3
	for range rounds {
		again := false
		for _, iv := range doc.Data.Interviews {
			err := s.editIndex(ctx, iv.Interviewer, func(entries []indexEntry) []indexEntry {
				kept := slices.DeleteFunc(slices.Clone(entries), func(e indexEntry) bool { return strings.HasPrefix(e.Interview, prefix) })
				if len(kept) == len(entries) {
					return nil
				}
				return append([]indexEntry{}, kept...)
			})
			if err != nil {
				return err
			}
			card := prefix + iv.ID + "/scorecard"
			if _, err := s.scorecards.Purge(ctx, card); err != nil && !errors.Is(err, apierr.ErrNotFound) {
				return err
			}
			if left, err := s.scorecards.Find(ctx, card); err != nil {
				return err
			} else if left != nil {
				again = true // a save past its check landed after the purge
			}
		}
		if !again {
			break
		}
	}
	if _, err := s.candidates.Purge(ctx, name); err != nil && !errors.Is(err, apierr.ErrNotFound) {
		return err
	}
	// The role's kept calibration was fitted on the erased scores too.
	if _, err := s.calibrations.DeleteOne(ctx, bson.D{{Key: "_id", Value: calibrationName(doc.Data.Role)}}); err != nil {
		return fmt.Errorf("drop the calibration of %s: %w", doc.Data.Role, err)
	}
	return nil
}
