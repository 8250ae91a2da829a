package ladder

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The exported YAML is a contract with the people who keep frameworks in
// version control: any change to it shows up in the golden file's diff.
func TestExportYAMLGolden(t *testing.T) {
	f, err := importYAML(SampleFramework)
	if err != nil {
		t.Fatalf("importYAML(SampleFramework) = %v", err)
	}
	got, err := exportYAML(contentFromProto(f))
	if err != nil {
		t.Fatalf("exportYAML(SampleFramework) = %v", err)
	}

	golden := filepath.Join("testdata", "engineering.golden.yaml")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestExportYAMLGolden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("exportYAML(SampleFramework) mismatch with %s (-want +got):\n%s\nIf the change is intended, rerun with -update.", golden, diff)
	}
}

// Exporting what was imported from an export gives the same document, so a
// framework can go back and forth between the server and a repository
// without churn.
func TestYAMLRoundTripStable(t *testing.T) {
	f1, err := importYAML(SampleFramework)
	if err != nil {
		t.Fatalf("importYAML(SampleFramework) = %v", err)
	}
	out1, err := exportYAML(contentFromProto(f1))
	if err != nil {
		t.Fatalf("exportYAML(SampleFramework) = %v", err)
	}
	f2, err := importYAML(out1)
	if err != nil {
		t.Fatalf("importYAML(exported) = %v", err)
	}
	if diff := cmp.Diff(f1, f2, protocmp.Transform()); diff != "" {
		t.Errorf("importYAML(exportYAML(importYAML(SampleFramework))) mismatch (-want +got):\n%s", diff)
	}
	out2, err := exportYAML(contentFromProto(f2))
	if err != nil {
		t.Fatalf("exportYAML(reimported) = %v", err)
	}
	if diff := cmp.Diff(out1, out2); diff != "" {
		t.Errorf("exportYAML of the reimported export mismatch (-first +second):\n%s", diff)
	}
}

// Text that YAML would read as something else unless quoted must come back
// as the same string.
func TestYAMLRoundTripAwkwardText(t *testing.T) {
	awkward := []string{
		"yes", "no", "null", "~", "1.0", "0x1F", "2024-01-02",
		"- looks like a list",
		"key: value",
		"# not a comment",
		"  leading and trailing spaces  ",
		"two\nlines",
		"ends with a newline\n",
		"tab\there",
		`"quoted" and 'single'`,
		"{flow}", "[flow]", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick`",
		"Ünïcödé — ✓ 日本語",
		"---",
		"...",
	}
	in := content{
		Title:        "Awkward",
		Competencies: []competency{{ID: "c", Title: "C"}},
		Tracks:       []track{{ID: "t", Title: "T", Levels: []level{{ID: "l", Title: "L"}}}},
	}
	for i, s := range awkward {
		in.Competencies = append(in.Competencies, competency{ID: "c" + string(rune('a'+i)), Title: s, Description: s})
		in.Tracks[0].Levels[0].Expectations = append(in.Tracks[0].Levels[0].Expectations,
			expectation{Competency: "c", Description: s, Examples: []string{s}})
	}

	doc, err := exportYAML(in)
	if err != nil {
		t.Fatalf("exportYAML(awkward) = %v", err)
	}
	f, err := importYAML(doc)
	if err != nil {
		t.Fatalf("importYAML(exportYAML(awkward)) = %v\n%s", err, doc)
	}
	// The store may hold nil or empty slices for the same content.
	if diff := cmp.Diff(in, contentFromProto(f), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("importYAML(exportYAML(awkward)) mismatch (-want +got):\n%s\ndocument:\n%s", diff, doc)
	}
}

func TestImportYAMLErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		// wantText must appear in the violation's description: the author
		// needs to know what and where, not just that it failed.
		wantText string
	}{
		{"broken YAML", "title: [unclosed\n", "line"},
		{"tab indentation", "title: x\ncompetencies:\n\t- id: a\n", "line 3"},
		{"unknown field", "titel: Engineering\n", "titel"},
		{"unknown nested field", "title: x\ntracks:\n  - id: ic\n    title: IC\n    levels:\n      - id: l1\n        title: L1\n        sumary: typo\n", "line 8"},
		{"wrong type", "title: [a, b]\n", "line 1"},
		{"not a mapping", "- just\n- a list\n", "line 1"},
		{"empty document", "", "empty"},
		{"only whitespace", "  \n\n", "empty"},
		{"only a comment", "# nothing here\n", "empty"},
		{"two documents", "title: a\n---\ntitle: b\n", "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importYAML(tt.doc)
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("importYAML(%q) = %v, %v, want an *apierr.InvalidArgumentError", tt.doc, got, err)
			}
			if diff := cmp.Diff([]string{"content"}, violationFields(invalid)); diff != "" {
				t.Errorf("importYAML(%q) = %v\nviolation fields mismatch (-want +got):\n%s", tt.doc, err, diff)
			}
			if strings.Contains(invalid.Violations[0].Description, "yamlFramework") {
				t.Errorf("importYAML(%q) description = %q names a Go type", tt.doc, invalid.Violations[0].Description)
			}
			if !strings.Contains(invalid.Violations[0].Description, tt.wantText) {
				t.Errorf("importYAML(%q) description = %q, want it to mention %q", tt.doc, invalid.Violations[0].Description, tt.wantText)
			}
		})
	}
}
