package web

import (
	"html/template"
	"strings"
	"testing"
)

// Every page says what it is in its own sentence: the meta description
// that search results, link previews and some screen readers show. A view
// defines it as {{define "description"}}…{{end}}; without one, the
// layout's generic sentence would stand in, which this test refuses.
func TestEveryPageHasItsOwnDescription(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/common/*.html")
	if err != nil {
		t.Fatal(err)
	}
	generic := describe(t, layout)
	seen := map[string]string{}
	for name, page := range pages {
		text := describe(t, page)
		switch {
		case text == "" || text == generic:
			t.Errorf("page %s has no description of its own: add {{define \"description\"}}One sentence.{{end}} to templates/views/%s.html", name, name)
		case seen[text] != "":
			t.Errorf("pages %s and %s have the same description %q", seen[text], name, text)
		}
		seen[text] = name
	}
}

// describe is a page's meta description.
func describe(t *testing.T, page *template.Template) string {
	t.Helper()
	d := page.Lookup("description")
	if d == nil {
		return ""
	}
	var b strings.Builder
	if err := d.Execute(&b, view{}); err != nil {
		t.Fatalf("%s: description: %v", page.Name(), err)
	}
	return strings.TrimSpace(b.String())
}
