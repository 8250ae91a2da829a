package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// Erasing a candidate (GDPR art. 17) removes them with every interview,
// scorecard, hiring decision, self-identification, change record, request claim and membership entry, and the role's
// kept calibration. It is a recorded operation that always finishes:
//
//  1. An in-flight record names the candidate, so that a crash from here on
//     is found and finished; then the fence is inserted, keyed by a hash of
//     the name. The fence stays for good, so the name is never live again
//     and nothing written under the old candidate can be rolled into a new
//     one. It holds no personal content, not even the ID, which a client
//     may have chosen to spell a name.
//  2. The candidate is deleted (a tombstone). Candidate changes are
//     serialised by their versions, so the tombstone's interview list is
//     complete: every add that will ever succeed came before it.
//  3. Each interview's membership entry and scorecard are purged, and the
//     decision, then the candidate's entries in its role's and every candidate's lists, and
//     the candidate with its history. A scorecard write racing with this sees
//     the erasure fence in its own fence, after its write, and purges
//     itself: so either the eraser's purge or the writer's own removes it.
//  4. The in-flight record is deleted.
//
// Whoever comes next finishes an erasure that stopped half-way: the
// start-up sweep (Init), a running replica's sweep (FinishErasuresEvery,
// every minute), or another DeleteCandidate of that name. Reads answer
// NOT_FOUND from step 2 on; a crash before it leaves the candidate readable
// until one of those finishes the erasure. Reads never finish it: they do
// not write.
//
// Deleted rows leave the embedded store's files too (secure_delete, see
// pkg/mongodb): every document of the candidate is deleted, never only
// replaced, so no copy stays behind in the file.
type erasureFence struct {
	ID   string    `bson:"_id"` // erasureKey(candidate)
	Time time.Time `bson:"time"`
}

// erasureInFlight names a candidate whose erasure has not finished.
type erasureInFlight struct {
	Candidate string    `bson:"_id"`
	Time      time.Time `bson:"time"`
	// Role is the candidate's role, whose kept calibration is dropped (it
	// was fitted on the erased scores).
	Role string `bson:"role"`
}

func erasureKey(candidate string) string {
	sum := sha256.Sum256([]byte(candidate))
	return "erasure#" + hex.EncodeToString(sum[:])
}

// erased reports whether a candidate's name is fenced.
func (s *Store) erased(ctx context.Context, candidate string) (bool, error) {
	err := s.erasures.FindOne(ctx, bson.D{{Key: "_id", Value: erasureKey(candidate)}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read erasure: %w", err)
	}
	return true, nil
}

// errErased answers a create of an erased candidate's name.
func errErased(name string) error {
	return apierr.FailedPrecondition("%s was erased and its ID cannot be used again: create the candidate with another ID", name)
}

// createFence keeps an erased name from coming back: a create that
// recorded its change after the erasure's purge is purged in turn.
func (s *Store) createFence(ctx context.Context, c *versioned.Change[candidate]) error {
	if c.Kind != kindCreate {
		return nil // every other change needs a live candidate, and the tombstone ends those
	}
	erased, err := s.erased(ctx, c.Resource)
	if err != nil {
		return err
	}
	if erased {
		return errErased(c.Resource)
	}
	return nil
}

// scorecardFence lets a scorecard exist only under a candidate that is not
// erased: one read by _id of the erasure fence. That is the candidate's
// liveness as far as a scorecard is concerned: only an erasure removes a
// candidate, and it raises the fence before the tombstone, so a write
// that passes this check landed before the fence, hence before the
// eraser's purge, which removes it. (A scorecard is written only under a
// candidate its writer read live: ownScorecard.)
func (s *Store) scorecardFence(ctx context.Context, c *versioned.Change[scorecard]) error {
	cand, _ := splitInterview(c.Resource)
	return s.underLiveCandidate(ctx, c.Resource, cand)
}

// underLiveCandidate is the fence of everything kept under a candidate
// (scorecards, the decision, the self-identification): NOT_FOUND for the
// resource when the candidate is erased, so that the store purges what
// was written.
func (s *Store) underLiveCandidate(ctx context.Context, resource, candidate string) error {
	erased, err := s.erased(ctx, candidate)
	if err != nil {
		return err
	}
	if erased {
		return apierr.NotFound(resource)
	}
	return nil
}

// erase erases a live candidate, or finishes an erasure that stopped.
func (s *Store) erase(ctx context.Context, name, actor string) error {
	var open erasureInFlight
	err := s.erasingNow.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&open)
	if errors.Is(err, mongo.ErrNoDocuments) {
		doc, err := s.candidates.Get(ctx, name)
		if err != nil {
			return err // erased already, or never there
		}
		open = erasureInFlight{Candidate: name, Time: time.Now().UTC().Truncate(time.Millisecond), Role: doc.Data.Role}
		if _, err := s.erasingNow.InsertOne(ctx, open); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("record erasure: %w", err)
		} // a duplicate: a concurrent erase recorded it; finish it together
	} else if err != nil {
		return fmt.Errorf("read erasure: %w", err)
	}
	return s.finishErasure(ctx, open, actor)
}

// finishErasure runs an erasure from step 1's fence on; every step can be
// run again.
func (s *Store) finishErasure(ctx context.Context, open erasureInFlight, actor string) error {
	name := open.Candidate
	if _, err := s.erasures.InsertOne(ctx, erasureFence{ID: erasureKey(name), Time: open.Time}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("fence erased candidate: %w", err)
	}
	tomb, err := s.tombstone(ctx, name, actor)
	if err != nil {
		return err
	}
	if tomb != nil { // nil: purged already, by an erasure that stopped after step 3
		for _, iv := range tomb.Data.Interviews {
			if err := s.members.remove(ctx, interviewsKey(iv.Interviewer), interviewName(name, iv.ID), iv.listedAt()); err != nil {
				return err
			}
			if _, err := s.scorecards.Purge(ctx, scorecardName(name, iv.ID)); err != nil && !errors.Is(err, apierr.ErrNotFound) {
				return err
			}
		}
		if _, err := s.decisions.Purge(ctx, decisionName(name)); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		if _, err := s.selfIDs.Purge(ctx, name+selfIDSuffix); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		if err := s.unlistCandidate(ctx, name, tomb.Data.Role, listedAt(tomb)); err != nil {
			return err
		}
		if _, err := s.candidates.Purge(ctx, name); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
	}
	if _, err := s.calibrations.DeleteOne(ctx, bson.D{{Key: "_id", Value: calibrationName(open.Role)}}); err != nil {
		return fmt.Errorf("drop the calibration of %s: %w", open.Role, err)
	}
	if err := s.erasedEvent(ctx, name, tomb); err != nil {
		return err
	}
	if _, err := s.erasingNow.DeleteOne(ctx, bson.D{{Key: "_id", Value: name}}); err != nil {
		return fmt.Errorf("finish erasure: %w", err)
	}
	return nil
}

// tombstone deletes a candidate (step 2) and returns the tombstone; nil
// when the candidate is purged already.
func (s *Store) tombstone(ctx context.Context, name, actor string) (*versioned.Doc[candidate], error) {
	const attempts = 8
	for range attempts {
		doc, err := s.candidates.Find(ctx, name)
		if err != nil || !doc.Live() {
			return doc, err
		}
		_, err = s.candidates.Apply(ctx, name, actor, versioned.Expect{ETag: doc.ETag()}, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
			return versioned.Edit[candidate]{Kind: kindDelete, Delete: true, Data: cur.Data}, nil
		})
		if err != nil && !errors.Is(err, apierr.ErrConflict) && !errors.Is(err, apierr.ErrNotFound) {
			return nil, err
		} // a conflict: a panel change came first; the next round includes it
	}
	return nil, apierr.Conflict("%s is changing too fast to erase; retry", name)
}

// finishErasures finishes every erasure a crash interrupted. Only
// unfinished erasures are in their collection, so this reads a few
// documents.
func (s *Store) finishErasures(ctx context.Context) error {
	cur, err := s.erasingNow.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list erasures: %w", err)
	}
	var open []erasureInFlight
	if err := cur.All(ctx, &open); err != nil {
		return fmt.Errorf("list erasures: %w", err)
	}
	for _, r := range open {
		if err := s.finishErasure(ctx, r, "system/erasure"); err != nil {
			return fmt.Errorf("finish the erasure of %s: %w", r.Candidate, err)
		}
	}
	return nil
}

// FinishErasuresEvery finishes, every interval until ctx ends, the erasures
// left unfinished: Init covers this process's own crashes, this those of
// another replica that died. Each round reads only the unfinished ones.
func (s *Store) FinishErasuresEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.finishErasures(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "finishing erasures; will retry", "error", err)
			}
		}
	}
}
