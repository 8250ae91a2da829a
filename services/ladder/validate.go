package ladder

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Limits keep one framework well inside a MongoDB document and a gRPC message.
const (
	maxContentBytes   = 1 << 20 // encoded size of the whole content
	maxTitleLen       = 200
	maxDescriptionLen = 4000
	maxCompetencies   = 100
	maxTracks         = 20
	maxLevels         = 30
	maxExamples       = 20
)

// validateContent checks the editable content of a framework: required
// fields, ID formats, uniqueness of IDs, and that every expectation names a
// competency of the framework. prefix is the path of the framework in the
// request ("framework"), used to name the offending fields.
func validateContent(f *ladderv1.Framework, prefix string) error {
	var v apierr.Violations
	field := func(format string, args ...any) string { return prefix + "." + fmt.Sprintf(format, args...) }

	if n := proto.Size(f); n > maxContentBytes {
		v.Add(prefix, "framework is %d bytes, at most %d", n, maxContentBytes)
	}
	fieldcheck.Text(&v, field("title"), f.GetTitle(), maxTitleLen, true)
	fieldcheck.Text(&v, field("description"), f.GetDescription(), maxDescriptionLen, false)

	if n := len(f.GetCompetencies()); n > maxCompetencies {
		v.Add(field("competencies"), "at most %d competencies, got %d", maxCompetencies, n)
	}
	competencies := map[string]bool{}
	for i, c := range f.GetCompetencies() {
		fieldcheck.ID(&v, field("competencies[%d].id", i), c.GetId(), competencies, "competency")
		fieldcheck.Text(&v, field("competencies[%d].title", i), c.GetTitle(), maxTitleLen, true)
		fieldcheck.Text(&v, field("competencies[%d].description", i), c.GetDescription(), maxDescriptionLen, false)
	}

	if n := len(f.GetTracks()); n > maxTracks {
		v.Add(field("tracks"), "at most %d tracks, got %d", maxTracks, n)
	}
	tracks := map[string]bool{}
	for ti, t := range f.GetTracks() {
		fieldcheck.ID(&v, field("tracks[%d].id", ti), t.GetId(), tracks, "track")
		fieldcheck.Text(&v, field("tracks[%d].title", ti), t.GetTitle(), maxTitleLen, true)
		if n := len(t.GetLevels()); n > maxLevels {
			v.Add(field("tracks[%d].levels", ti), "at most %d levels, got %d", maxLevels, n)
		}
		levels := map[string]bool{}
		for li, l := range t.GetLevels() {
			lf := fmt.Sprintf("tracks[%d].levels[%d]", ti, li)
			fieldcheck.ID(&v, field("%s.id", lf), l.GetId(), levels, "level in this track")
			fieldcheck.Text(&v, field("%s.title", lf), l.GetTitle(), maxTitleLen, true)
			fieldcheck.Text(&v, field("%s.summary", lf), l.GetSummary(), maxDescriptionLen, false)
			expected := map[string]bool{}
			for ei, e := range l.GetExpectations() {
				ef := fmt.Sprintf("%s.expectations[%d]", lf, ei)
				switch c := e.GetCompetency(); {
				case c == "":
					v.Add(field("%s.competency", ef), "required")
				case !competencies[c]:
					v.Add(field("%s.competency", ef), "names unknown competency %q", c)
				case expected[c]:
					v.Add(field("%s.competency", ef), "competency %q already has an expectation at this level", c)
				default:
					expected[c] = true
				}
				fieldcheck.Text(&v, field("%s.description", ef), e.GetDescription(), maxDescriptionLen, true)
				if n := len(e.GetExamples()); n > maxExamples {
					v.Add(field("%s.examples", ef), "at most %d examples, got %d", maxExamples, n)
				}
				for xi, x := range e.GetExamples() {
					fieldcheck.Text(&v, field("%s.examples[%d]", ef, xi), x, maxDescriptionLen, true)
				}
			}
		}
	}
	return v.Err()
}
