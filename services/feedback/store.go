package feedback

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	"github.com/yardstick-dev/yardstick/pkg/webhooks"
)

// Store keeps candidates (with their interviews), scorecards, and each
// interviewer's index of interviews, every document keyed by resource name
// and read by _id.
//
// What holds between them, and why (docs/storage.md has the whole story):
//   - A membership entry (a role's candidates, an interviewer's interviews)
//     may name what is not a member (a change that failed or crashed after
//     writing it): readers skip it. It never misses one: the entry is
//     written first (membership.go).
//   - A scorecard exists only under a live candidate: the scorecard store's
//     fence purges one whose candidate is gone, whoever applies it.
//   - An erased candidate's ID is never live again (see erasure.go).
type Store struct {
	candidates *versioned.Store[candidate]
	scorecards *versioned.Store[scorecard]
	// members lists a role's candidates, every candidate and each
	// interviewer's interviews (membership.go).
	members memberships
	roles   *versioned.Store[role]
	// erasures fence erased candidates, keyed by a hash of their name;
	// erasingNow names those whose erasure has not finished (erasure.go).
	erasures, erasingNow *mongo.Collection
	// calibrations keeps each role's last report's interviewer effects
	// (see calibration.go); derived, replaced whole.
	calibrations *mongo.Collection
	// schema records which one-time migrations ran (migrate.go).
	schema *mongo.Collection
	// webhooks are the registered endpoints (webhooks.go); hooks keeps the
	// outbox of their events and delivers it (events.go).
	webhooks *versioned.Store[webhook]
	hooks    *webhooks.Dispatcher
	// marks are the publications announced (publications.go).
	marks *mongo.Collection
	// reminderSettings are each person's (reminder_settings.go);
	// reminderClaims the digests sent, one per person per day (reminders.go).
	reminderSettings *versioned.Store[reminderSettings]
	reminderClaims   *mongo.Collection
	// decisions are the hiring decisions, one per candidate (decisions.go).
	decisions *versioned.Store[decision]
	// selfIDs are candidates' voluntary self-identification, read by the
	// compliance role alone (self_identification.go).
	selfIDs *versioned.Store[selfIdentification]
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
func NewStore(db *mongo.Database) *Store { return NewStoreWith(db, webhooks.Options{}) }

// NewStoreWith is NewStore with the webhook dispatcher's options.
func NewStoreWith(db *mongo.Database, hooks webhooks.Options) *Store {
	s := &Store{
		erasures: db.Collection("erasures"), erasingNow: db.Collection("erasures_in_flight"),
		calibrations: db.Collection("calibrations"),
	}
	s.members.store = versioned.New(db, "memberships", "membership_changes", versioned.Options[membership]{
		// Memberships are derived and must be erasable with the candidates
		// they point at: their change records keep no copies.
		Forget: true,
	})
	s.schema = db.Collection("schema")
	s.roles = versioned.New(db, "roles", "role_changes", versioned.Options[role]{})
	s.candidates = versioned.New(db, "candidates", "candidate_changes", versioned.Options[candidate]{
		Fence:      s.createFence,
		Supersedes: addSupersedes,
	})
	s.scorecards = versioned.New(db, "scorecards", "scorecard_changes", versioned.Options[scorecard]{
		Fence:      s.scorecardFence,
		Supersedes: draftSupersedes,
		Emit:       s.scorecardEvent,
		// The calibration's scan of the submitted scorecards.
		Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "deleted", Value: 1}, {Key: "data.submitted", Value: 1}}}},
	})
	s.webhooks = versioned.New(db, "webhooks", "webhook_changes", versioned.Options[webhook]{
		// The records would keep every secret ever made: only the newest
		// keeps its document.
		Forget: true,
	})
	s.hooks = webhooks.New(db, s.endpoints, hooks)
	s.marks = db.Collection("publication_marks")
	s.reminderSettings = versioned.New(db, "reminder_settings", "reminder_setting_changes", versioned.Options[reminderSettings]{})
	s.reminderClaims = db.Collection("reminder_claims")
	s.decisions = versioned.New(db, "decisions", "decision_changes", versioned.Options[decision]{Fence: s.decisionFence, Emit: s.decisionEvent})
	// Forget: a change record keeps its answers only until the next
	// recording replaces them, so that no earlier answers are kept (the
	// newest record holds the current ones, purged with them).
	s.selfIDs = versioned.New(db, "self_identifications", "self_identification_changes", versioned.Options[selfIdentification]{Fence: s.selfIDFence, Forget: true})
	return s
}

// draftSupersedes says which scorecard records keep their document: a
// draft save's is not needed once a later save replaced it or the submit,
// which holds the same content, followed it. Submits and amendments keep
// theirs: they are what was judged, and the history shows them.
func draftSupersedes(prev, next string) bool {
	return prev == kindUpdate && (next == kindUpdate || next == kindSubmit)
}

// addSupersedes says which candidate records keep their document: an
// interview's add changes nothing but the panel, so the candidate before
// it is the candidate after it less the interview its record names (Ref),
// and the record before an add may drop its document. The records keep
// who added which interview, and when; every other change, and the
// newest, keeps its document.
func addSupersedes(_, next string) bool { return next == kindAddInterview }

// Init creates the collections and indexes, finishes the changes a crash
// left half-written, and then the erasures it interrupted.
func (s *Store) Init(ctx context.Context) error {
	indexes := s.candidates.Indexes()
	for coll, models := range s.scorecards.Indexes() {
		indexes[coll] = models
	}
	for coll, models := range s.members.store.Indexes() {
		indexes[coll] = models
	}
	for _, more := range []map[*mongo.Collection][]mongo.IndexModel{s.roles.Indexes(), s.webhooks.Indexes(), s.hooks.Indexes(), s.reminderSettings.Indexes(), s.decisions.Indexes(), s.selfIDs.Indexes()} {
		for coll, models := range more {
			indexes[coll] = models
		}
	}
	indexes[s.erasures] = nil
	indexes[s.erasingNow] = nil
	indexes[s.calibrations] = nil
	indexes[s.schema] = nil
	indexes[s.marks] = nil
	indexes[s.reminderClaims] = reminderClaimIndexes
	if err := mongodb.EnsureIndexes(ctx, indexes); err != nil {
		return err
	}
	for _, sweep := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := s.members.store.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.candidates.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.scorecards.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.roles.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.webhooks.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.reminderSettings.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.decisions.Sweep(ctx); return err },
		func(ctx context.Context) error { _, err := s.selfIDs.Sweep(ctx); return err },
		s.finishErasures,
		s.buildMemberships,
	} {
		if err := sweep(ctx); err != nil {
			return err
		}
	}
	return nil
}

// interviewsOf returns an interviewer's interview names, every one: for
// checks over a person's whole history (blindInRole), which cost that
// history. Lists page instead (ListInterviews).
func (s *Store) interviewsOf(ctx context.Context, user string) ([]string, error) {
	members, err := s.members.all(ctx, interviewsKey(user))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(members))
	for i, e := range members {
		names[i] = e.Name
	}
	return names, nil
}
