package rubric

import "github.com/yardstick-dev/yardstick/pkg/publishing"

// The store's own types: what a rubric looks like in MongoDB. They are
// mapped to and from the API messages in convert.go only.

// content is what an admin edits: everything a revision freezes.
type content struct {
	Title         string       `bson:"title"`
	Description   string       `bson:"description,omitempty"`
	Role          string       `bson:"role"`
	Level         string       `bson:"level"`
	InterviewType string       `bson:"interview_type"`
	Scale         scale        `bson:"scale"`
	Competencies  []competency `bson:"competencies"`
	Source        *source      `bson:"source,omitempty"`
}

type scale struct {
	Min    int32        `bson:"min"`
	Max    int32        `bson:"max"`
	Labels []scaleLabel `bson:"labels,omitempty"`
}

type scaleLabel struct {
	Score int32  `bson:"score"`
	Label string `bson:"label"`
}

type competency struct {
	ID               string     `bson:"id"`
	Title            string     `bson:"title"`
	Description      string     `bson:"description,omitempty"`
	Weight           float64    `bson:"weight"`
	EvidenceRequired bool       `bson:"evidence_required"`
	Questions        []question `bson:"questions,omitempty"`
	Anchors          []anchor   `bson:"anchors"`
}

type question struct {
	Text              string   `bson:"text"`
	FollowUps         []string `bson:"follow_ups,omitempty"`
	WhatGoodLooksLike string   `bson:"what_good_looks_like,omitempty"`
}

type anchor struct {
	Score       int32  `bson:"score"`
	Description string `bson:"description"`
	Derived     bool   `bson:"derived,omitempty"`
}

// source is the ladder level a derived rubric came from.
type source struct {
	FrameworkRevision string `bson:"framework_revision"`
	Track             string `bson:"track"`
	Level             string `bson:"level"`
}

// draft is the data of a rubric's current document, and revision a
// published copy of its content (see pkg/publishing).
type (
	draft    = publishing.Draft[content]
	revision = publishing.Revision[content]
)
