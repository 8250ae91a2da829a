package rubric

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// ladderRevision is a published framework with three IC levels; "impact"
// starts at l2.
func ladderRevision() *ladderv1.FrameworkRevision {
	return &ladderv1.FrameworkRevision{
		Name: "frameworks/eng/revisions/2",
		Snapshot: &ladderv1.Framework{
			Name: "frameworks/eng", Title: "Engineering",
			Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}, {Id: "impact", Title: "Impact"}, {Id: "people", Title: "People"}},
			Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC", Levels: []*ladderv1.Level{
				{Id: "l1", Title: "Engineer", Expectations: []*ladderv1.Expectation{{Competency: "craft", Description: "Writes code."}}},
				{Id: "l2", Title: "Senior", Expectations: []*ladderv1.Expectation{
					{Competency: "craft", Description: "Designs components.", Examples: []string{"The retry queue"}},
					{Competency: "impact", Description: "Leads projects."},
				}},
				{Id: "l3", Title: "Staff", Expectations: []*ladderv1.Expectation{
					{Competency: "craft", Description: "Shapes the architecture."},
					{Competency: "impact", Description: "Leads programmes."},
				}},
			}}},
		},
	}
}

func TestDeriveDrawsAnchorsFromTheLevelsAround(t *testing.T) {
	c, err := deriveContent(ladderRevision(), &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l2", InterviewType: "system-design"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Senior: system design" || c.Role != "ic" || c.Level != "l2" || c.InterviewType != "system-design" {
		t.Errorf("derived identity = %q, %q, %q, %q", c.Title, c.Role, c.Level, c.InterviewType)
	}
	if diff := cmp.Diff(&source{FrameworkRevision: "frameworks/eng/revisions/2", Track: "ic", Level: "l2"}, c.Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	// One competency per expectation of the level, in the framework's order.
	var ids []string
	for _, comp := range c.Competencies {
		ids = append(ids, comp.ID)
	}
	if diff := cmp.Diff([]string{"craft", "impact"}, ids); diff != "" {
		t.Fatalf("competencies (-want +got):\n%s", diff)
	}
	craft := c.Competencies[0]
	want := []struct {
		score    int32
		contains string
	}{
		{1, "Well below the bar. Shows what Engineer expects (Writes code.) but not yet what Senior expects"},
		{2, "Shows what Engineer expects (Writes code.)"},
		{3, "Meets the bar for Senior: Designs components."},
		{4, "Already shows what Staff expects: Shapes the architecture."},
	}
	if len(craft.Anchors) != len(want) {
		t.Fatalf("craft has %d anchors, want %d", len(craft.Anchors), len(want))
	}
	for i, w := range want {
		a := craft.Anchors[i]
		if a.Score != w.score || !strings.Contains(a.Description, w.contains) || !a.Derived {
			t.Errorf("craft anchor %d = %+v, want score %d, derived, containing %q", i, a, w.score, w.contains)
		}
	}
	// impact has no expectation at the level below.
	if got := c.Competencies[1].Anchors[1].Description; !strings.Contains(got, "Does not yet show what Senior expects: Leads projects.") {
		t.Errorf("impact's below-the-bar anchor = %q", got)
	}
	if !craft.EvidenceRequired || craft.Weight != 1 || len(craft.Questions) != 1 || !strings.Contains(craft.Questions[0].WhatGoodLooksLike, "The retry queue") {
		t.Errorf("craft = %+v, want evidence required, weight 1, one question using the examples", craft)
	}
	// The derived draft is a valid rubric that can be published as it is.
	if err := validateContent(contentToProto(c), "rubric"); err != nil {
		t.Errorf("derived content does not validate: %v", err)
	}
	if err := publishable(c); err != nil {
		t.Errorf("derived content is not publishable: %v", err)
	}
}

func TestDeriveSpreadsAnchorsOverAnyScale(t *testing.T) {
	for _, tt := range []struct {
		min, max int32
		want     string // per point: w(ell below), b(elow), m(eets), a(bove)
	}{
		{0, 1, "bm"},
		{1, 3, "bma"},
		{1, 4, "wbma"},
		{0, 9, "wbbbbbbbma"},
	} {
		c, err := deriveContent(ladderRevision(), &rubricv1.DeriveRubricRequest{
			Track: "ic", Level: "l2", InterviewType: "coding", Scale: &rubricv1.Scale{Min: tt.min, Max: tt.max},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, a := range c.Competencies[0].Anchors {
			d := a.Description
			switch {
			case strings.HasPrefix(d, "Well below"):
				got.WriteByte('w')
			case strings.HasPrefix(d, "Meets"):
				got.WriteByte('m')
			case strings.HasPrefix(d, "Already shows"), strings.HasPrefix(d, "Clearly exceeds"):
				got.WriteByte('a')
			default:
				got.WriteByte('b')
			}
		}
		if got.String() != tt.want {
			t.Errorf("scale %d..%d: anchors %q, want %q", tt.min, tt.max, got.String(), tt.want)
		}
	}
}

func TestDeriveRefusesWhatTheLadderDoesNotHave(t *testing.T) {
	for _, tt := range []struct {
		name  string
		req   *rubricv1.DeriveRubricRequest
		field string
	}{
		{"missing track", &rubricv1.DeriveRubricRequest{Track: "mgmt", Level: "l2", InterviewType: "coding"}, "track"},
		{"missing level", &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l9", InterviewType: "coding"}, "level"},
		{"competency the level does not expect", &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l1", InterviewType: "coding", Competencies: []string{"craft", "impact"}}, "competencies[1]"},
		{"competency not in the framework", &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l2", InterviewType: "coding", Competencies: []string{"nope"}}, "competencies[0]"},
		{"scale at the end of int32", &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l2", InterviewType: "coding", Scale: &rubricv1.Scale{Min: 2147483640, Max: 2147483647}}, "scale.max"},
		{"scale of one point", &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l2", InterviewType: "coding", Scale: &rubricv1.Scale{Min: 3, Max: 3}}, "scale.max"},
	} {
		_, err := deriveContent(ladderRevision(), tt.req)
		var invalid *apierr.InvalidArgumentError
		if !errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field {
			t.Errorf("%s: deriveContent() = %v, want INVALID_ARGUMENT on %s", tt.name, err, tt.field)
		}
	}
	c, err := deriveContent(ladderRevision(), &rubricv1.DeriveRubricRequest{Track: "ic", Level: "l3", InterviewType: "coding", Competencies: []string{"impact"}})
	if err != nil || len(c.Competencies) != 1 || c.Competencies[0].ID != "impact" {
		t.Errorf("deriveContent(subset) = %+v, %v, want impact alone", c.Competencies, err)
	}
	// The top level has no level above: its top anchor says "exceeds".
	if got := c.Competencies[0].Anchors[3].Description; !strings.Contains(got, "Clearly exceeds what Staff expects") {
		t.Errorf("top anchor of the top level = %q", got)
	}
}
