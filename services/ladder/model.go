package ladder

import "time"

// The store's own types: what a framework looks like in MongoDB. They are
// mapped to and from the API messages in convert.go only.

// content is what an author edits: everything a revision freezes.
type content struct {
	Title        string       `bson:"title"`
	Description  string       `bson:"description,omitempty"`
	Competencies []competency `bson:"competencies"`
	Tracks       []track      `bson:"tracks"`
}

type competency struct {
	ID          string `bson:"id"`
	Title       string `bson:"title"`
	Description string `bson:"description,omitempty"`
}

type track struct {
	ID     string  `bson:"id"`
	Title  string  `bson:"title"`
	Levels []level `bson:"levels"`
}

type level struct {
	ID           string        `bson:"id"`
	Title        string        `bson:"title"`
	Summary      string        `bson:"summary,omitempty"`
	Expectations []expectation `bson:"expectations"`
}

type expectation struct {
	Competency  string   `bson:"competency"`
	Description string   `bson:"description"`
	Examples    []string `bson:"examples,omitempty"`
}

// draft is the data of a framework's current document (see pkg/versioned).
type draft struct {
	Content content `bson:"content"`
	// Unpublished is true when the content differs from the latest revision.
	Unpublished bool `bson:"unpublished"`
	// Revisions counts the publishes, so the next revision ID is Revisions+1.
	Revisions int64 `bson:"revisions"`
	// LatestRevision is the ID of the newest revision, empty before the
	// first publish.
	LatestRevision string    `bson:"latest_revision,omitempty"`
	PublishTime    time.Time `bson:"publish_time,omitempty"`
}

// revision is a published, immutable copy of a framework's content.
type revision struct {
	Name        string    `bson:"_id"` // frameworks/{framework}/revisions/{revision}
	Framework   string    `bson:"framework"`
	Number      int64     `bson:"number"`
	Content     content   `bson:"content"`
	CreateTime  time.Time `bson:"create_time"` // of the framework
	PublishTime time.Time `bson:"publish_time"`
	Publisher   string    `bson:"publisher"`
}
