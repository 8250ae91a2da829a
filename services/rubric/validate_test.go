package rubric

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// validRubric returns a complete rubric on a 1..3 scale; each call returns a
// fresh copy, so test cases can break it in place.
func validRubric() *rubricv1.Rubric {
	anchors := func() []*rubricv1.Anchor {
		return []*rubricv1.Anchor{{Score: 1, Description: "Below"}, {Score: 2, Description: "Meets"}, {Score: 3, Description: "Above"}}
	}
	return &rubricv1.Rubric{
		Title: "Coding", Role: "ic", Level: "l2", InterviewType: "coding",
		Scale: &rubricv1.Scale{Min: 1, Max: 3, Labels: []*rubricv1.ScaleLabel{{Score: 1, Label: "No"}}},
		Competencies: []*rubricv1.Competency{
			{Id: "craft", Title: "Craft", Weight: 2, Anchors: anchors(), Questions: []*rubricv1.Question{{Text: "Build a queue.", FollowUps: []string{"Why?"}}}},
			{Id: "impact", Title: "Impact", Anchors: anchors()},
		},
	}
}

func TestValidateNamesEachBadField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *rubricv1.Rubric)
		field string
	}{
		{"no title", func(r *rubricv1.Rubric) { r.Title = " " }, "rubric.title"},
		{"long title", func(r *rubricv1.Rubric) { r.Title = strings.Repeat("x", 201) }, "rubric.title"},
		{"no role", func(r *rubricv1.Rubric) { r.Role = "" }, "rubric.role"},
		{"bad level", func(r *rubricv1.Rubric) { r.Level = "L 2" }, "rubric.level"},
		{"bad interview type", func(r *rubricv1.Rubric) { r.InterviewType = "-x" }, "rubric.interview_type"},
		{"no scale", func(r *rubricv1.Rubric) { r.Scale = nil }, "rubric.scale"},
		{"one-point scale", func(r *rubricv1.Rubric) { r.Scale.Max = 1 }, "rubric.scale.max"},
		{"eleven-point scale", func(r *rubricv1.Rubric) { r.Scale.Max = 11 }, "rubric.scale.max"},
		{"inverted scale", func(r *rubricv1.Rubric) { r.Scale.Min, r.Scale.Max = 3, 1 }, "rubric.scale.max"},
		{"negative scale", func(r *rubricv1.Rubric) { r.Scale.Min = -1 }, "rubric.scale.min"},
		{"scale at the end of int32", func(r *rubricv1.Rubric) { r.Scale.Min, r.Scale.Max = math.MaxInt32-3, math.MaxInt32 }, "rubric.scale.max"},
		{"label off the scale", func(r *rubricv1.Rubric) { r.Scale.Labels[0].Score = 9 }, "rubric.scale.labels[0].score"},
		{"empty label", func(r *rubricv1.Rubric) { r.Scale.Labels[0].Label = "" }, "rubric.scale.labels[0].label"},
		{"duplicate competency", func(r *rubricv1.Rubric) { r.Competencies[1].Id = "craft" }, "rubric.competencies[1].id"},
		{"bad competency id", func(r *rubricv1.Rubric) { r.Competencies[0].Id = "Craft" }, "rubric.competencies[0].id"},
		{"no competency title", func(r *rubricv1.Rubric) { r.Competencies[0].Title = "" }, "rubric.competencies[0].title"},
		{"negative weight", func(r *rubricv1.Rubric) { r.Competencies[0].Weight = -1 }, "rubric.competencies[0].weight"},
		{"NaN weight", func(r *rubricv1.Rubric) { r.Competencies[0].Weight = math.NaN() }, "rubric.competencies[0].weight"},
		{"infinite weight", func(r *rubricv1.Rubric) { r.Competencies[0].Weight = math.Inf(1) }, "rubric.competencies[0].weight"},
		{"empty question", func(r *rubricv1.Rubric) { r.Competencies[0].Questions[0].Text = "" }, "rubric.competencies[0].questions[0].text"},
		{"empty follow-up", func(r *rubricv1.Rubric) { r.Competencies[0].Questions[0].FollowUps[0] = "" }, "rubric.competencies[0].questions[0].follow_ups[0]"},
		{"anchor off the scale", func(r *rubricv1.Rubric) { r.Competencies[0].Anchors[2].Score = 4 }, "rubric.competencies[0].anchors[2].score"},
		{"two anchors for a score", func(r *rubricv1.Rubric) { r.Competencies[1].Anchors[1].Score = 1 }, "rubric.competencies[1].anchors[1].score"},
		{"empty anchor", func(r *rubricv1.Rubric) { r.Competencies[0].Anchors[0].Description = "" }, "rubric.competencies[0].anchors[0].description"},
	}
	for _, tt := range tests {
		r := validRubric()
		tt.edit(r)
		err := validateContent(r, "rubric")
		var invalid *apierr.InvalidArgumentError
		if !errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field {
			t.Errorf("%s: validateContent() = %v, want a violation of %s", tt.name, err, tt.field)
		}
	}
	if err := validateContent(validRubric(), "rubric"); err != nil {
		t.Errorf("validateContent(valid) = %v", err)
	}
}

func TestPublishableNeedsEveryAnchor(t *testing.T) {
	r := validRubric()
	r.Competencies[1].Anchors = r.Competencies[1].Anchors[1:2] // only score 2
	if err := validateContent(r, "rubric"); err != nil {
		t.Fatalf("a draft may lack anchors: %v", err)
	}
	err := publishable(contentFromProto(r))
	var invalid *apierr.InvalidArgumentError
	if !errors.As(err, &invalid) || invalid.Violations[0].Field != "competencies[1].anchors" ||
		!strings.Contains(invalid.Violations[0].Description, "no anchor for score 1, 3") {
		t.Errorf("publishable(missing anchors) = %v, want competencies[1].anchors naming scores 1 and 3", err)
	}
	if err := publishable(content{Scale: scale{Min: 1, Max: 4}}); err == nil {
		t.Error("publishable(no competencies) = nil, want a violation")
	}
	if err := publishable(contentFromProto(validRubric())); err != nil {
		t.Errorf("publishable(complete) = %v", err)
	}
}

func TestDerivedMarksLastUntilTheWordingChanges(t *testing.T) {
	before := contentFromProto(validRubric())
	before.Competencies[0].Anchors[0].Derived = true
	before.Competencies[0].Anchors[1].Derived = true
	before.Source = &source{FrameworkRevision: "frameworks/eng/revisions/1"}
	next := contentFromProto(validRubric())
	next.Competencies[0].Anchors[1].Description = "Edited by an admin"
	keepDerivedMarks(&before, &next)
	if !next.Competencies[0].Anchors[0].Derived || next.Competencies[0].Anchors[1].Derived || next.Source == nil {
		t.Errorf("after an edit: anchors %+v, source %v; want the untouched anchor still derived, the edited one not, the source kept", next.Competencies[0].Anchors, next.Source)
	}
}
