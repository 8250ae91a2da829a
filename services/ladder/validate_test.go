package ladder

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// validFramework returns a small framework that passes validation; each call
// returns a fresh copy, so test cases can break it in place.
func validFramework() *ladderv1.Framework {
	return &ladderv1.Framework{
		Title:       "Engineering",
		Description: "What we expect of engineers.",
		Competencies: []*ladderv1.Competency{
			{Id: "craft", Title: "Craft"},
			{Id: "impact", Title: "Impact", Description: "Moves the business."},
		},
		Tracks: []*ladderv1.Track{
			{Id: "ic", Title: "Individual contributor", Levels: []*ladderv1.Level{
				{Id: "l1", Title: "Engineer", Expectations: []*ladderv1.Expectation{
					{Competency: "craft", Description: "Writes working code.", Examples: []string{"Fixed a bug with a test"}},
				}},
				{Id: "l2", Title: "Senior engineer", Summary: "Owns features.", Expectations: []*ladderv1.Expectation{
					{Competency: "craft", Description: "Designs components."},
					{Competency: "impact", Description: "Leads projects."},
				}},
			}},
			{Id: "mgr", Title: "Manager", Levels: []*ladderv1.Level{
				// The same level ID as on the ic track: level IDs are per track.
				{Id: "l1", Title: "Engineering manager", Expectations: []*ladderv1.Expectation{
					{Competency: "impact", Description: "Grows a team."},
				}},
			}},
		},
	}
}

func TestValidateContentValid(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *ladderv1.Framework)
	}{
		{"as built", func(f *ladderv1.Framework) {}},
		{
			// Limits count characters, not bytes: 200 two-byte runes fit.
			"title of 200 non-ASCII characters",
			func(f *ladderv1.Framework) { f.Title = strings.Repeat("é", maxTitleLen) },
		},
		{"one-letter ID", func(f *ladderv1.Framework) { f.Tracks[0].Id = "t" }},
		{"63-character ID", func(f *ladderv1.Framework) { f.Tracks[0].Id = "t" + strings.Repeat("-0", 31) }},
		{"level without expectations", func(f *ladderv1.Framework) { f.Tracks[1].Levels[0].Expectations = nil }},
		{"track without levels", func(f *ladderv1.Framework) { f.Tracks[1].Levels = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFramework()
			tt.mutate(f)
			if err := validateContent(f, "framework"); err != nil {
				t.Errorf("validateContent(%s) = %v, want nil", tt.name, err)
			}
		})
	}
}

// The seeded sample is the first thing a newcomer sees; it must be valid.
func TestValidateContentSample(t *testing.T) {
	f, err := importYAML(SampleFramework)
	if err != nil {
		t.Fatalf("importYAML(SampleFramework) = %v", err)
	}
	if err := validateContent(f, "framework"); err != nil {
		t.Errorf("validateContent(SampleFramework) = %v, want nil", err)
	}
}

func TestValidateContentInvalid(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *ladderv1.Framework)
		// want lists the exact field paths of the violations, in order: the
		// client uses them to point at the offending input.
		want []string
	}{
		{
			"empty title",
			func(f *ladderv1.Framework) { f.Title = "" },
			[]string{"framework.title"},
		},
		{
			"blank title",
			func(f *ladderv1.Framework) { f.Title = " \t\n" },
			[]string{"framework.title"},
		},
		{
			"title over 200 characters",
			func(f *ladderv1.Framework) { f.Title = strings.Repeat("a", maxTitleLen+1) },
			[]string{"framework.title"},
		},
		{
			"description over 4000 characters",
			func(f *ladderv1.Framework) { f.Description = strings.Repeat("a", maxDescriptionLen+1) },
			[]string{"framework.description"},
		},
		{
			"title not UTF-8",
			func(f *ladderv1.Framework) { f.Title = "Engineering \xff" },
			[]string{"framework.title"},
		},
		{
			"expectation description not UTF-8",
			func(f *ladderv1.Framework) { f.Tracks[0].Levels[1].Expectations[1].Description = "\xc3\x28" },
			[]string{"framework.tracks[0].levels[1].expectations[1].description"},
		},
		{
			"bad competency ID",
			func(f *ladderv1.Framework) {
				f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: "Bad_ID", Title: "Bad"})
			},
			[]string{"framework.competencies[2].id"},
		},
		{
			"competency ID ending with a hyphen",
			func(f *ladderv1.Framework) {
				f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: "bad-", Title: "Bad"})
			},
			[]string{"framework.competencies[2].id"},
		},
		{
			"competency ID of 64 characters",
			func(f *ladderv1.Framework) {
				f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: "c" + strings.Repeat("x", 63), Title: "Long"})
			},
			[]string{"framework.competencies[2].id"},
		},
		{
			"missing competency ID and title",
			func(f *ladderv1.Framework) { f.Competencies = append(f.Competencies, &ladderv1.Competency{}) },
			[]string{"framework.competencies[2].id", "framework.competencies[2].title"},
		},
		{
			// The first occurrence is fine; the second one is the mistake.
			"duplicate competency ID",
			func(f *ladderv1.Framework) {
				f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: "craft", Title: "Craft again"})
			},
			[]string{"framework.competencies[2].id"},
		},
		{
			"duplicate track ID",
			func(f *ladderv1.Framework) { f.Tracks[1].Id = "ic" },
			[]string{"framework.tracks[1].id"},
		},
		{
			"duplicate level ID within a track",
			func(f *ladderv1.Framework) { f.Tracks[0].Levels[1].Id = "l1" },
			[]string{"framework.tracks[0].levels[1].id"},
		},
		{
			"missing level title",
			func(f *ladderv1.Framework) { f.Tracks[1].Levels[0].Title = "" },
			[]string{"framework.tracks[1].levels[0].title"},
		},
		{
			"expectation names unknown competency",
			func(f *ladderv1.Framework) { f.Tracks[0].Levels[0].Expectations[0].Competency = "typing" },
			[]string{"framework.tracks[0].levels[0].expectations[0].competency"},
		},
		{
			"expectation without competency",
			func(f *ladderv1.Framework) { f.Tracks[0].Levels[0].Expectations[0].Competency = "" },
			[]string{"framework.tracks[0].levels[0].expectations[0].competency"},
		},
		{
			"two expectations for one competency in a level",
			func(f *ladderv1.Framework) { f.Tracks[0].Levels[1].Expectations[1].Competency = "craft" },
			[]string{"framework.tracks[0].levels[1].expectations[1].competency"},
		},
		{
			"empty expectation description",
			func(f *ladderv1.Framework) { f.Tracks[1].Levels[0].Expectations[0].Description = "" },
			[]string{"framework.tracks[1].levels[0].expectations[0].description"},
		},
		{
			"empty example",
			func(f *ladderv1.Framework) {
				f.Tracks[0].Levels[0].Expectations[0].Examples = append(f.Tracks[0].Levels[0].Expectations[0].Examples, "")
			},
			[]string{"framework.tracks[0].levels[0].expectations[0].examples[1]"},
		},
		{
			// The limits on counts keep a framework inside one MongoDB
			// document and one gRPC message.
			"too many examples",
			func(f *ladderv1.Framework) {
				e := f.Tracks[0].Levels[0].Expectations[0]
				for len(e.Examples) <= maxExamples {
					e.Examples = append(e.Examples, "An example")
				}
			},
			[]string{"framework.tracks[0].levels[0].expectations[0].examples"},
		},
		{
			"too many levels",
			func(f *ladderv1.Framework) {
				for i := len(f.Tracks[1].Levels); i <= maxLevels; i++ {
					f.Tracks[1].Levels = append(f.Tracks[1].Levels, &ladderv1.Level{Id: fmt.Sprintf("m%d", i), Title: "Manager"})
				}
			},
			[]string{"framework.tracks[1].levels"},
		},
		{
			// All violations are reported at once, so a client can fix them
			// in one go rather than one per round trip.
			"several at once",
			func(f *ladderv1.Framework) {
				f.Title = ""
				f.Tracks[0].Id = "IC"
				f.Tracks[1].Levels[0].Expectations[0].Competency = "typing"
			},
			[]string{
				"framework.title",
				"framework.tracks[0].id",
				"framework.tracks[1].levels[0].expectations[0].competency",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFramework()
			tt.mutate(f)
			err := validateContent(f, "framework")
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("validateContent(%s) = %v, want an *apierr.InvalidArgumentError", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, violationFields(invalid)); diff != "" {
				t.Errorf("validateContent(%s) = %v\nviolation fields mismatch (-want +got):\n%s", tt.name, err, diff)
			}
		})
	}
}

// violationFields returns the field paths of e's violations, in order.
func violationFields(e *apierr.InvalidArgumentError) []string {
	var fields []string
	for _, v := range e.Violations {
		fields = append(fields, v.Field)
	}
	return fields
}

func TestValidateContentCapsTheWholeSize(t *testing.T) {
	// Every field within its own limit, the whole over a megabyte.
	f := &ladderv1.Framework{Title: "Huge", Tracks: []*ladderv1.Track{{Id: "ic", Title: "IC"}}}
	for i := range 100 {
		f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: fmt.Sprintf("c%d", i), Title: "C"})
	}
	for l := range 3 {
		level := &ladderv1.Level{Id: fmt.Sprintf("l%d", l), Title: "L"}
		for i := range 100 {
			level.Expectations = append(level.Expectations, &ladderv1.Expectation{Competency: fmt.Sprintf("c%d", i), Description: strings.Repeat("x", 3600)})
		}
		f.Tracks[0].Levels = append(f.Tracks[0].Levels, level)
	}
	var invalid *apierr.InvalidArgumentError
	if err := validateContent(f, "framework"); !errors.As(err, &invalid) || invalid.Violations[0].Field != "framework" {
		t.Errorf("validateContent(%d bytes) = %v, want a violation on framework", proto.Size(f), err)
	}
}
