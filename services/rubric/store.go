package rubric

import (
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/publishing"
)

// Store keeps rubrics: drafts with their change records and published
// revisions, all keyed by resource name (pkg/publishing). Call Init before
// serving.
type Store = publishing.Store[content]

// NewStore returns a store over db.
func NewStore(db *mongo.Database) *Store {
	return publishing.New[content](db, "rubrics", "rubric_changes", "rubric_revisions")
}
