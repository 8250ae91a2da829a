package ladder

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// DefaultDatabase is the database the ladder service owns unless told otherwise.
const DefaultDatabase = "yardstick_ladder"

// Store keeps frameworks: drafts with their change records (pkg/versioned)
// and published revisions, all keyed by resource name.
type Store struct {
	drafts    *versioned.Store[draft]
	revisions *mongo.Collection
}

// NewStore returns a store over db. Call Init before serving.
func NewStore(db *mongo.Database) *Store {
	s := &Store{revisions: db.Collection("framework_revisions")}
	s.drafts = versioned.New(db, "frameworks", "framework_changes", versioned.Options[draft]{
		AfterRecord: s.storeRevision,
	})
	return s
}

// Init creates the store's collections and indexes (revisions are read by
// name only, so they need no index beyond _id), and finishes the changes a
// crash left half-written, so that lists agree with reads from the start.
func (s *Store) Init(ctx context.Context) error {
	indexes := s.drafts.Indexes()
	indexes[s.revisions] = nil
	if err := mongodb.EnsureIndexes(ctx, indexes); err != nil {
		return err
	}
	_, err := s.drafts.Sweep(ctx, 0)
	return err
}

// storeRevision writes the revision a publish created. It runs after the
// publish's change record is written, and again if the change is rolled
// forward, so an existing revision is success.
func (s *Store) storeRevision(ctx context.Context, c *versioned.Change[draft]) error {
	if c.Kind != kindPublish {
		return nil
	}
	r := latestRevisionOf(&c.After, c.Actor)
	if _, err := s.revisions.InsertOne(ctx, r); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store revision: %w", err)
	}
	return nil
}

// latestRevisionOf is the revision that the publish which produced doc created.
func latestRevisionOf(doc *versioned.Doc[draft], publisher string) revision {
	return revision{
		Name:        latestRevisionName(doc.Name, doc.Data),
		Framework:   doc.Name,
		Number:      doc.Data.Revisions,
		Content:     doc.Data.Content,
		CreateTime:  doc.CreateTime,
		PublishTime: doc.Data.PublishTime,
		Publisher:   publisher,
	}
}

// revision returns a published revision by its full name.
func (s *Store) revision(ctx context.Context, name string) (*revision, error) {
	var r revision
	err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apierr.NotFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("find revision: %w", err)
	}
	return &r, nil
}
