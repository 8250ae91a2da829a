package ladder

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// compareContent has one competency per kind of difference between ic/l1 and
// ic/l2. The levels list their expectations in another order than the
// competencies, to show that the comparison follows the competencies.
func compareContent() content {
	return content{
		Title: "Engineering",
		Competencies: []competency{
			{ID: "same", Title: "Same"},
			{ID: "reworded", Title: "Reworded"},
			{ID: "new-examples", Title: "New examples"},
			{ID: "added", Title: "Added"},
			{ID: "dropped", Title: "Dropped"},
			{ID: "never", Title: "Never"},
		},
		Tracks: []track{
			{ID: "ic", Title: "IC", Levels: []level{
				{ID: "l1", Title: "Engineer", Summary: "Learns.", Expectations: []expectation{
					{Competency: "dropped", Description: "Asks for help."},
					{Competency: "new-examples", Description: "Tests code.", Examples: []string{"Unit tests"}},
					{Competency: "reworded", Description: "Writes code."},
					{Competency: "same", Description: "Is kind."},
				}},
				{ID: "l2", Title: "Senior", Summary: "Leads.", Expectations: []expectation{
					{Competency: "added", Description: "Mentors."},
					{Competency: "new-examples", Description: "Tests code.", Examples: []string{"Unit tests", "Load tests"}},
					{Competency: "reworded", Description: "Designs components."},
					{Competency: "same", Description: "Is kind."},
				}},
			}},
			{ID: "mgr", Title: "Manager", Levels: []level{
				{ID: "m1", Title: "Manager", Expectations: []expectation{
					{Competency: "added", Description: "Runs one-to-ones."},
					{Competency: "same", Description: "Is kind."},
				}},
			}},
		},
	}
}

func TestCompareLevels(t *testing.T) {
	c := compareContent()
	ex := func(competency, description string, examples ...string) *ladderv1.Expectation {
		return &ladderv1.Expectation{Competency: competency, Description: description, Examples: examples}
	}
	const (
		unchanged = ladderv1.CompetencyComparison_DIFFERENCE_UNCHANGED
		changed   = ladderv1.CompetencyComparison_DIFFERENCE_CHANGED
		added     = ladderv1.CompetencyComparison_DIFFERENCE_ADDED
		dropped   = ladderv1.CompetencyComparison_DIFFERENCE_DROPPED
		none      = ladderv1.CompetencyComparison_DIFFERENCE_NONE
	)
	tests := []struct {
		name                     string
		track, from, toTrack, to string
		want                     *ladderv1.CompareLevelsResponse
	}{
		{
			name: "one track", track: "ic", from: "l1", to: "l2",
			want: &ladderv1.CompareLevelsResponse{
				From: &ladderv1.LevelRef{Track: "ic", Level: "l1", Title: "Engineer", Summary: "Learns."},
				To:   &ladderv1.LevelRef{Track: "ic", Level: "l2", Title: "Senior", Summary: "Leads."},
				Competencies: []*ladderv1.CompetencyComparison{
					{Competency: "same", Title: "Same", From: ex("same", "Is kind."), To: ex("same", "Is kind."), Difference: unchanged},
					{Competency: "reworded", Title: "Reworded", From: ex("reworded", "Writes code."), To: ex("reworded", "Designs components."), Difference: changed},
					{Competency: "new-examples", Title: "New examples", From: ex("new-examples", "Tests code.", "Unit tests"), To: ex("new-examples", "Tests code.", "Unit tests", "Load tests"), Difference: changed},
					{Competency: "added", Title: "Added", To: ex("added", "Mentors."), Difference: added},
					{Competency: "dropped", Title: "Dropped", From: ex("dropped", "Asks for help."), Difference: dropped},
					{Competency: "never", Title: "Never", Difference: none},
				},
			},
		},
		{
			// to_track set to the same track means the same as leaving it empty.
			name: "one track named twice", track: "ic", from: "l2", toTrack: "ic", to: "l1",
			want: &ladderv1.CompareLevelsResponse{
				From: &ladderv1.LevelRef{Track: "ic", Level: "l2", Title: "Senior", Summary: "Leads."},
				To:   &ladderv1.LevelRef{Track: "ic", Level: "l1", Title: "Engineer", Summary: "Learns."},
				Competencies: []*ladderv1.CompetencyComparison{
					{Competency: "same", Title: "Same", From: ex("same", "Is kind."), To: ex("same", "Is kind."), Difference: unchanged},
					{Competency: "reworded", Title: "Reworded", From: ex("reworded", "Designs components."), To: ex("reworded", "Writes code."), Difference: changed},
					{Competency: "new-examples", Title: "New examples", From: ex("new-examples", "Tests code.", "Unit tests", "Load tests"), To: ex("new-examples", "Tests code.", "Unit tests"), Difference: changed},
					{Competency: "added", Title: "Added", From: ex("added", "Mentors."), Difference: dropped},
					{Competency: "dropped", Title: "Dropped", To: ex("dropped", "Asks for help."), Difference: added},
					{Competency: "never", Title: "Never", Difference: none},
				},
			},
		},
		{
			name: "across tracks", track: "ic", from: "l2", toTrack: "mgr", to: "m1",
			want: &ladderv1.CompareLevelsResponse{
				From: &ladderv1.LevelRef{Track: "ic", Level: "l2", Title: "Senior", Summary: "Leads."},
				To:   &ladderv1.LevelRef{Track: "mgr", Level: "m1", Title: "Manager"},
				Competencies: []*ladderv1.CompetencyComparison{
					{Competency: "same", Title: "Same", From: ex("same", "Is kind."), To: ex("same", "Is kind."), Difference: unchanged},
					{Competency: "reworded", Title: "Reworded", From: ex("reworded", "Designs components."), Difference: dropped},
					{Competency: "new-examples", Title: "New examples", From: ex("new-examples", "Tests code.", "Unit tests", "Load tests"), Difference: dropped},
					{Competency: "added", Title: "Added", From: ex("added", "Mentors."), To: ex("added", "Runs one-to-ones."), Difference: changed},
					{Competency: "dropped", Title: "Dropped", Difference: none},
					{Competency: "never", Title: "Never", Difference: none},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareLevels(c, tt.track, tt.from, tt.toTrack, tt.to)
			if err != nil {
				t.Fatalf("compareLevels(%q, %q, %q, %q) = %v", tt.track, tt.from, tt.toTrack, tt.to, err)
			}
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("compareLevels(%q, %q, %q, %q) mismatch (-want +got):\n%s", tt.track, tt.from, tt.toTrack, tt.to, diff)
			}
		})
	}
}

// A level compared with itself is unchanged wherever it expects something.
// nil and empty examples must count as the same: the store may give either.
func TestCompareLevelsSelf(t *testing.T) {
	c := compareContent()
	c.Tracks[0].Levels[1].Expectations[0].Examples = []string{}
	got, err := compareLevels(c, "ic", "l2", "", "l2")
	if err != nil {
		t.Fatalf(`compareLevels("ic", "l2", "", "l2") = %v`, err)
	}
	for _, cc := range got.GetCompetencies() {
		want := ladderv1.CompetencyComparison_DIFFERENCE_UNCHANGED
		if cc.GetFrom() == nil {
			want = ladderv1.CompetencyComparison_DIFFERENCE_NONE
		}
		if cc.GetDifference() != want {
			t.Errorf(`compareLevels("ic", "l2", "", "l2") difference of %q = %v, want %v`, cc.GetCompetency(), cc.GetDifference(), want)
		}
	}
}

func TestCompareLevelsUnknown(t *testing.T) {
	c := compareContent()
	tests := []struct {
		name                     string
		track, from, toTrack, to string
		// want lists the request fields the violations name: the client
		// must be told which of its fields is wrong, and only those.
		want []string
	}{
		{"unknown track", "nope", "l1", "", "l2", []string{"track"}},
		{"unknown track with to_track", "nope", "l1", "mgr", "m1", []string{"track"}},
		{"unknown from_level", "ic", "l9", "", "l2", []string{"from_level"}},
		{"unknown to_level", "ic", "l1", "", "l9", []string{"to_level"}},
		{"both levels unknown", "ic", "l8", "", "l9", []string{"from_level", "to_level"}},
		{"unknown to_track", "ic", "l1", "nope", "m1", []string{"to_track"}},
		// Level IDs are per track: m1 exists, but not on the ic track.
		{"to_level of another track", "ic", "l1", "", "m1", []string{"to_level"}},
		{"to_level unknown on to_track", "ic", "l1", "mgr", "l2", []string{"to_level"}},
		{"both tracks unknown", "nope", "l1", "nada", "m1", []string{"track", "to_track"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareLevels(c, tt.track, tt.from, tt.toTrack, tt.to)
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("compareLevels(%q, %q, %q, %q) = %v, %v, want an *apierr.InvalidArgumentError", tt.track, tt.from, tt.toTrack, tt.to, got, err)
			}
			if diff := cmp.Diff(tt.want, violationFields(invalid)); diff != "" {
				t.Errorf("compareLevels(%q, %q, %q, %q) = %v\nviolation fields mismatch (-want +got):\n%s", tt.track, tt.from, tt.toTrack, tt.to, err, diff)
			}
		})
	}
}
