package ladder_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Frameworks in the formats people publish them in import through the
// API, map onto competencies, tracks, levels and expectations, and export
// to the interchange format.
func TestImportPublishedFormats(t *testing.T) {
	ctx := context.Background()
	c := testenv.StartLadder(t).Client
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "formats", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	type expect struct{ track, level, competency, contains string }
	for _, tt := range []struct {
		id, file     string
		format       ladderv1.ImportFrameworkRequest_Format
		title        string
		competencies []string
		levels       []string
		expect       []expect
	}{
		{"monzo-backend", "progression.md", ladderv1.ImportFrameworkRequest_FORMAT_PROGRESSION_MARKDOWN, "Backend Engineering Framework",
			[]string{"impact", "technical-skills"}, []string{"l1", "l2", "l3"},
			[]expect{{"backend", "l1", "impact", "Delivers well-tested changes to one service with guidance\nBreaks small tasks down"},
				{"backend", "l3", "technical-skills", "Sets the technical direction"}}},
		{"ft-engineering", "ft-job-family.yml", ladderv1.ImportFrameworkRequest_FORMAT_FT_JOB_FAMILY, "Engineering",
			[]string{"technical", "communication"}, []string{"engineer-1", "engineer-2", "senior-engineer"},
			[]expect{{"engineering", "engineer-1", "technical", "Writes code that others can read and change.\nTests their own changes."},
				{"engineering", "senior-engineer", "communication", "decision records"}}},
		{"growth", "snowflake.json", ladderv1.ImportFrameworkRequest_FORMAT_SNOWFLAKE, "Growth",
			[]string{"web-client", "mentorship"}, []string{"milestone-1", "milestone-2", "milestone-3"},
			[]expect{{"milestones", "milestone-1", "web-client", "Works effectively within established web client architectures"},
				{"milestones", "milestone-3", "mentorship", "Mentors across teams"}}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: tt.id, Format: tt.format, Content: read(tt.file)})
			if err != nil {
				t.Fatal(err)
			}
			if f.GetTitle() != tt.title || len(f.GetTracks()) != 1 {
				t.Fatalf("imported %q with %d tracks, want %q with one", f.GetTitle(), len(f.GetTracks()), tt.title)
			}
			var comps, levels []string
			for _, comp := range f.GetCompetencies() {
				comps = append(comps, comp.GetId())
			}
			for _, l := range f.GetTracks()[0].GetLevels() {
				levels = append(levels, l.GetId())
			}
			if strings.Join(comps, " ") != strings.Join(tt.competencies, " ") || strings.Join(levels, " ") != strings.Join(tt.levels, " ") {
				t.Errorf("competencies %v and levels %v, want %v and %v", comps, levels, tt.competencies, tt.levels)
			}
			for _, e := range tt.expect {
				if f.GetTracks()[0].GetId() != e.track {
					t.Errorf("track %q, want %q", f.GetTracks()[0].GetId(), e.track)
				}
				found := false
				for _, l := range f.GetTracks()[0].GetLevels() {
					for _, x := range l.GetExpectations() {
						if l.GetId() == e.level && x.GetCompetency() == e.competency && strings.Contains(x.GetDescription(), e.contains) {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("no expectation of %s at %s holds %q", e.competency, e.level, e.contains)
				}
			}
			out, err := c.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: f.GetName()})
			if err != nil || !strings.Contains(out.GetContent(), "competencies:") {
				t.Errorf("ExportFramework = %.200q, %v; want the interchange YAML", out.GetContent(), err)
			}
		})
	}
	// Examples and signals carry over.
	sf, err := c.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/growth"})
	if err != nil {
		t.Fatal(err)
	}
	if ex := sf.GetTracks()[0].GetLevels()[0].GetExpectations()[0].GetExamples(); len(ex) != 2 {
		t.Errorf("milestone 1 of the web client has examples %q, want its signal and its example", ex)
	}

	// What cannot be read is a 400 on the content, naming what is wrong.
	for name, bad := range map[string]struct {
		format  ladderv1.ImportFrameworkRequest_Format
		content string
		says    string
	}{
		"markdown without front matter": {ladderv1.ImportFrameworkRequest_FORMAT_PROGRESSION_MARKDOWN, "# Engineering\n\nProse.", "front matter"},
		"front matter without topics":   {ladderv1.ImportFrameworkRequest_FORMAT_PROGRESSION_MARKDOWN, "---\ntitle: X\n---\n", "no topics"},
		"a level the levels lack": {ladderv1.ImportFrameworkRequest_FORMAT_FT_JOB_FAMILY,
			"name: E\nlevels: [{id: a, name: A}]\nthemes: [{id: t, name: T}]\ncompetencies: [{level: b, theme: t, summary: S}]\n", `"b"`},
		"not JSON": {ladderv1.ImportFrameworkRequest_FORMAT_SNOWFLAKE, "tracks: yaml", "not Snowflake's tracks"},
	} {
		_, err := c.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: "bad", Format: bad.format, Content: bad.content})
		t.Run(name, func(t *testing.T) {
			wantCode(t, err, codes.InvalidArgument, "content")
			if !strings.Contains(err.Error(), bad.says) {
				t.Errorf("error %v does not say %q", err, bad.says)
			}
		})
	}
}
