package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// pageUnder100KB fails when a page grows past what a phone should load.
func pageUnder100KB(t *testing.T, path, body string) {
	t.Helper()
	if len(body) > 100<<10 {
		t.Errorf("%s is %d bytes, want under 100 KB", path, len(body))
	}
}

func TestLadderExplorer(t *testing.T) {
	s := startSite(t)
	erin := s.as(t, "users/erin")
	get := func(path string, wantCode int, wants ...string) string {
		t.Helper()
		code, body := erin.get(path)
		if code != wantCode {
			t.Fatalf("GET %s = %d, want %d\n%.1500s", path, code, wantCode, body)
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in the page", path, w)
			}
		}
		pageUnder100KB(t, path, body)
		return body
	}

	// Erin is an Engineer II in the directory: the ladder opens at her
	// level, beside the next one; ?all lists every framework.
	get("/ladder", http.StatusOK, "<h1>From Engineer II to Senior Engineer</h1>")
	get("/ladder?all=1", http.StatusOK, "<h1>Career ladder</h1>", "Engineering", `href="/ladder/engineering?track=ic"`,
		`<label for="show">`, `value="engineering/manager"`)

	// The picker's GET lands on the grid's own URL: the URL is the state.
	grid := get("/ladder?show=engineering/ic", http.StatusOK,
		"Engineering: Individual contributor", "Senior Engineer", "Staff Engineer",
		"Designs components that others build on, and anticipates their failure modes.",
		"Led the design of the billing retry queue", // an example
		`<th scope="col" id="level-l3">`, `<th scope="row">`, "<caption",
		`aria-current="page">Individual contributor`)
	if strings.Contains(grid, `id="level-m1"`) {
		t.Error("the ic grid shows a manager level")
	}
	get("/ladder/engineering?track=manager", http.StatusOK, "Director of Engineering")

	// l3 → l4: every competency changes in the sample, each highlighted.
	cmp := get("/ladder/engineering/compare?track=ic&from=l3&to=l4", http.StatusOK,
		"From Senior Engineer to Staff Engineer", "6 competencies expect something different",
		"Defines the architecture of a product area", "Designs components that others build on")
	if n := strings.Count(cmp, `<tr class="changed">`); n != 6 {
		t.Errorf("l3 → l4 highlights %d competencies, want 6", n)
	}
	// l1 → l2: leadership is new at l2.
	get("/ladder/engineering/compare?track=ic&from=l1&to=l2", http.StatusOK, "new at this level",
		"Shares what they learn in tech talks")
	// A level against itself changes nothing: no row is shown, only the
	// competencies expected the same.
	same := get("/ladder/engineering/compare?track=ic&from=l3&to=l3", http.StatusOK,
		"Nothing changes between these two levels", "Expected the same at both levels: Technical skill, Delivery")
	if strings.Contains(same, `class="changed"`) {
		t.Error("l3 → l3 highlights a change")
	}

	// "Compare my level with the next": the form sends only my level, and
	// lands on the explicit URL of the next one, selected in the form.
	get("/ladder/engineering/compare?track=ic&from=l2&to=", http.StatusOK,
		"From Engineer II to Senior Engineer", `<option value="ic/l3" selected>`, `<option value="l2" selected>`)
	get("/ladder/engineering/compare?track=ic&from=l5&to=", http.StatusOK, "l5 is the most senior level")
	get("/ladder/engineering/compare?track=ic&from=l3&to=manager/m1", http.StatusOK,
		"From Senior Engineer to Engineering Manager", `<option value="manager/m1" selected>`)
	get("/ladder/engineering/compare?track=ic&from=l3&to=m1&to_track=manager", http.StatusOK, "Engineering Manager")

	get("/ladder/nope", http.StatusNotFound, "There is nothing here")
	get("/ladder/engineering?track=nope", http.StatusNotFound, "no such track")
	get("/ladder/engineering/compare?track=ic&from=zz", http.StatusNotFound, "no such level")
}

func TestLadderNeedsSignIn(t *testing.T) {
	s := startSite(t)
	code, body := s.as(t, "").get("/ladder/engineering?track=ic")
	if code != http.StatusOK || !strings.Contains(body, "Sign in") || !strings.Contains(body, "/ladder/engineering") {
		t.Errorf("signed-out grid = %d, want the sign-in page coming back here\n%.500s", code, body)
	}
}
