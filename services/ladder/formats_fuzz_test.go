package ladder

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// FuzzImportFormats feeds arbitrary documents to the readers of published
// formats: no panic, and either a framework (which validation then checks
// without panicking) or invalid-argument errors only.
func FuzzImportFormats(f *testing.F) {
	for _, name := range []string{"progression.md", "ft-job-family.yml", "snowflake.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "formats", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, doc := range []string{"", "---\n---\n", "---\ntopics: [{content: [{level: -3, criteria: [x]}]}]\n---\n",
		"---\nlevels: 99999\ntopics: [{name: a}]\n---\n", `{"A": {"milestones": [{}, {}]}}`, `{"tracks": {}}`, "levels: [{}]\nthemes: [{}]\n",
		aliasBomb(4)} {
		f.Add(doc)
	}
	formats := []ladderv1.ImportFrameworkRequest_Format{ladderv1.ImportFrameworkRequest_FORMAT_PROGRESSION_MARKDOWN,
		ladderv1.ImportFrameworkRequest_FORMAT_FT_JOB_FAMILY, ladderv1.ImportFrameworkRequest_FORMAT_SNOWFLAKE}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, format := range formats {
			fw, err := importFormat(format, doc, "fuzzed")
			if err == nil {
				err = validateContent(fw, "content")
			}
			var invalid *apierr.InvalidArgumentError
			if err != nil && !errors.As(err, &invalid) {
				t.Fatalf("%v: %.200q = %v, want an invalid argument", format, doc, err)
			}
		}
	})
}
