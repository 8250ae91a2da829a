package feedback

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// membershipsBuilt names the schema record that says every candidate stored
// before memberships is listed in them.
const membershipsBuilt = "memberships"

// buildMemberships lists, once, the candidates and interviews stored before
// memberships existed (databases of earlier versions), then drops the
// interviewers' index they replace. It scans every candidate, once: later
// starts read one record by _id. Adding is idempotent, so a start that
// stops half-way is finished by the next, and replicas starting together
// list everything once.
func (s *Store) buildMemberships(ctx context.Context) error {
	err := s.schema.FindOne(ctx, bson.D{{Key: "_id", Value: membershipsBuilt}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("read schema: %w", err)
	}
	err = s.candidates.Scan(ctx, nil, func(d *versioned.Doc[candidate]) error {
		if err := s.listCandidate(ctx, d.Name, d.Data.Role, listedAt(d)); err != nil {
			return err
		}
		for i := range d.Data.Interviews {
			iv := &d.Data.Interviews[i]
			if err := s.members.add(ctx, interviewsKey(iv.Interviewer), interviewName(d.Name, iv.ID), iv.listedAt()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list stored candidates: %w", err)
	}
	for _, name := range []string{"interviewer_index", "interviewer_index_changes", "interviewer_index_changes_in_flight"} {
		if err := s.schema.Database().Collection(name).Drop(ctx); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	_, err = s.schema.InsertOne(ctx, bson.D{{Key: "_id", Value: membershipsBuilt}, {Key: "time", Value: time.Now().UTC()}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("record schema: %w", err)
	}
	return nil
}

// listedAt is when a candidate was listed (see candidate.Listed).
func listedAt(d *versioned.Doc[candidate]) time.Time {
	if !d.Data.Listed.IsZero() {
		return d.Data.Listed
	}
	return d.CreateTime
}

// listCandidate lists a candidate among all and under its role.
func (s *Store) listCandidate(ctx context.Context, name, role string, at time.Time) error {
	if err := s.members.add(ctx, allCandidatesKey, name, at); err != nil {
		return err
	}
	return s.members.add(ctx, roleCandidatesKey(role), name, at)
}

// unlistCandidate takes a candidate out of both lists.
func (s *Store) unlistCandidate(ctx context.Context, name, role string, at time.Time) error {
	if err := s.members.remove(ctx, roleCandidatesKey(role), name, at); err != nil {
		return err
	}
	return s.members.remove(ctx, allCandidatesKey, name, at)
}
