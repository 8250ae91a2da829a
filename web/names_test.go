package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// Pages name people, competencies, interviews and roles: no page a person
// reads shows users/…, a competency's or an interview's ID where a name
// exists. Admin pages edit the frameworks and rubrics themselves (their
// YAML and diffs hold IDs on purpose); they are checked for people and
// interviews only.
func TestPagesShowNamesNotIDs(t *testing.T) {
	s := startSite(t)
	scorecard := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	ivanOnLinus := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/ivan")
	inesOnAda := "/interviews/demo-ada/" + s.interviewOf(t, "demo-ada", "users/ines")
	pages := []struct {
		who, path string
		admin     bool
	}{
		{"users/erin", "/", false},
		{"users/erin", "/ladder", false},
		{"users/erin", "/ladder?all=1", false},
		{"users/erin", "/ladder/engineering?track=ic", false},
		{"users/omar", "/interviews", false},
		{"users/omar", scorecard, false},
		{"users/ivan", ivanOnLinus, false},
		{"users/ivan", inesOnAda, false}, // a colleague's submitted scorecard
		{"users/ivan", "/me/calibration", false},
		{"users/rita", "/candidates", false},
		{"users/rita", "/candidates/demo-ada", false},
		{"users/rita", "/candidates/demo-linus", false},
		{"users/rita", "/compare?role=ic", false},
		{"users/rita", "/calibration", false},
		{"users/rita", "/roles", false},
		{"users/rita", "/roles/ic", false},
		{"users/adam", "/admin", true},
		{"users/adam", "/admin/frameworks/engineering", true},
		{"users/adam", "/admin/rubrics/l3-coding", true},
	}
	// The hyphenated ID anywhere, and the one-word IDs where a title
	// belongs: alone in a cell, heading, term or option.
	hyphenatedID := regexp.MustCompile(`technical-skill`)
	wordID := regexp.MustCompile(`>\s*(collaboration|communication|delivery|leadership|quality)\s*<`)
	interviewID := regexp.MustCompile(`\bi[0-9a-f]{10}\b`)
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	for _, p := range pages {
		code, body := s.as(t, p.who).get(p.path)
		if code != 200 {
			t.Errorf("%s as %s = %d", p.path, p.who, code)
			continue
		}
		main := body[strings.Index(body, "<main"):]
		text := html.UnescapeString(tags.ReplaceAllString(main, " "))
		if strings.Contains(text, "users/") {
			t.Errorf("%s as %s shows a users/ reference: %q", p.path, p.who, around(text, "users/"))
		}
		if m := interviewID.FindString(text); m != "" {
			t.Errorf("%s as %s shows an interview ID: %q", p.path, p.who, around(text, m))
		}
		if p.admin {
			continue
		}
		// Evidence the demo wrote names the IDs: only what is not
		// evidence counts.
		evidence := regexp.MustCompile(`Demo evidence: [^.<]*\.`)
		text, main = evidence.ReplaceAllString(text, ""), evidence.ReplaceAllString(main, "")
		if m := hyphenatedID.FindString(text); m != "" {
			t.Errorf("%s as %s shows the competency ID %q: %q", p.path, p.who, m, around(text, m))
		}
		if m := wordID.FindString(main); m != "" {
			t.Errorf("%s as %s shows a competency ID where its title belongs: %q", p.path, p.who, around(main, m))
		}
	}
}

// around is a little of text around the first s, for a failure message.
func around(text, s string) string {
	i := strings.Index(text, s)
	return strings.Join(strings.Fields(text[max(0, i-60):min(len(text), i+60)]), " ")
}
