package feedback

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// Store keeps candidates (with their interviews), scorecards, and each
// interviewer's index of interviews, every document keyed by resource name
// and read by _id.
//
// What holds between them, and why (docs/storage.md has the whole story):
//   - An index entry may name an interview that does not exist (an add that
//     failed or crashed after writing it, see CreateInterview): readers skip
//     it. It never misses one that does: the entry is written first.
//   - A scorecard exists only under a live candidate: the scorecard store's
//     fence purges one whose candidate is gone, whoever applies it.
//   - An erased candidate's ID is never live again (see erasure.go).
type Store struct {
	candidates *versioned.Store[candidate]
	scorecards *versioned.Store[scorecard]
	index      *versioned.Store[interviewerIndex]
	roles      *versioned.Store[role]
	// erasures fence erased candidates, keyed by a hash of their name;
	// erasingNow names those whose erasure has not finished (erasure.go).
	erasures, erasingNow *mongo.Collection
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
	s := &Store{
		erasures: db.Collection("erasures"), erasingNow: db.Collection("erasures_in_flight"),
		calibrations: db.Collection("calibrations"),
	}
	s.index = versioned.New(db, "interviewer_index", "interviewer_index_changes", versioned.Options[interviewerIndex]{
		// The index is derived and must be erasable with the candidates it
		// points at: its change records keep no copies.
		Forget: true,
	})
	s.roles = versioned.New(db, "roles", "role_changes", versioned.Options[role]{})
	s.candidates = versioned.New(db, "candidates", "candidate_changes", versioned.Options[candidate]{
		Fence: s.createFence,
		// ListCandidates of a role.
		Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "data.role", Value: 1}, {Key: "_id", Value: 1}}}},
	})
	s.scorecards = versioned.New(db, "scorecards", "scorecard_changes", versioned.Options[scorecard]{
		Fence: s.scorecardFence,
		// The calibration's scan of the submitted scorecards.
		Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "data.submitted", Value: 1}}}},
	})
	return s
}

// Init creates the collections and indexes, finishes the changes a crash
// left half-written, and then the erasures it interrupted.
func (s *Store) Init(ctx context.Context) error {
	indexes := s.candidates.Indexes()
	for coll, models := range s.scorecards.Indexes() {
		indexes[coll] = models
	}
	for coll, models := range s.index.Indexes() {
		indexes[coll] = models
	}
	for coll, models := range s.roles.Indexes() {
		indexes[coll] = models
	}
	indexes[s.erasures] = nil
	indexes[s.erasingNow] = nil
	indexes[s.calibrations] = nil
	if err := mongodb.EnsureIndexes(ctx, indexes); err != nil {
		return err
	}
	for _, sweep := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := s.index.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.candidates.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.scorecards.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.roles.Sweep(ctx); return err },
		s.finishErasures,
	} {
		if err := sweep(ctx); err != nil {
			return err
		}
	}
	return nil
}

// indexName is the name of an interviewer's index document.
func indexName(user string) string { return user + "/interviews" }

// indexInterview adds an interview to its interviewer's index, or (add
// false) takes it out, and says whether the index changed: done twice, it
// is done once.
func (s *Store) indexInterview(ctx context.Context, interviewer, interview string, add bool) (changed bool, err error) {
	entry := indexEntry{Interview: interview}
	err = s.editIndex(ctx, interviewer, func(entries []indexEntry) []indexEntry {
		has := slices.Contains(entries, entry)
		changed = add != has
		switch {
		case add && !has:
			return append(entries, entry)
		case !add && has:
			return append([]indexEntry{}, slices.DeleteFunc(slices.Clone(entries), func(e indexEntry) bool { return e == entry })...)
		}
		return nil
	})
	return changed, err
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
