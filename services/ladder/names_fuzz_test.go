package ladder

import (
	"strings"
	"testing"

	"buf.build/go/protovalidate"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// FuzzNames feeds names to the request rules declared once in
// proto/yardstick/type/v1/names.proto, as the server's validation
// interceptor does, and to the parser behind them: no panic, and a name the
// rules accept takes apart into a framework name and a revision ID that
// build it again.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{
		"frameworks/eng", "frameworks/eng/revisions/1", "frameworks/eng/revisions/latest",
		"frameworks/eng@1", "frameworks/eng/revisions/0", "frameworks/eng/revisions/", "frameworks/",
		"frameworks/Eng", "frameworks/eng-", "frameworks/eng/revisions/1/revisions/2", "frameworks/\xff",
		"frameworks/" + strings.Repeat("a", 64), "frameworks/eng/revisions/99999999999999999999",
	} {
		f.Add(seed)
	}
	v, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		frameworkOK := v.Validate(&ladderv1.GetFrameworkRequest{Name: name}) == nil
		revisionOK := v.Validate(&ladderv1.GetFrameworkRevisionRequest{Name: name}) == nil
		eitherOK := v.Validate(&ladderv1.ExportFrameworkRequest{Name: name}) == nil
		if eitherOK != (frameworkOK || revisionOK) {
			t.Errorf("%q: framework %v, revision %v, but framework-or-revision %v", name, frameworkOK, revisionOK, eitherOK)
		}
		if frameworkOK && revisionOK {
			t.Errorf("%q is both a framework and a revision name", name)
		}
		framework, revision := splitName(name)
		switch {
		case frameworkOK && (framework != name || revision != ""):
			t.Errorf("splitName(%q) = %q, %q, want the framework alone", name, framework, revision)
		case revisionOK && (revision == "" || framework+"/revisions/"+revision != name):
			t.Errorf("splitName(%q) = %q, %q, want them to build the name again", name, framework, revision)
		}
	})
}
