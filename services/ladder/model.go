package ladder

import "github.com/yardstick-dev/yardstick/pkg/publishing"

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

// draft is the data of a framework's current document, and revision a
// published copy of its content (see pkg/publishing).
type (
	draft    = publishing.Draft[content]
	revision = publishing.Revision[content]
)
