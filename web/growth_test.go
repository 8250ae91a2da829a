package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A cycle through the pages: Erin starts an assessment and rates herself,
// Adam (her manager) reviews it, and the gaps to the next level show;
// someone else's assessment is not for Ines.
func TestGrowthPages(t *testing.T) {
	s := startSite(t)
	erin := s.as(t, "users/erin")
	code, body := erin.get("/growth")
	wantPage(t, "/growth", code, body)
	code, body = erin.post("/growth", url.Values{"cycle": {"Bad Cycle"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `value="Bad Cycle"`) {
		t.Errorf("a bad cycle ID = %d, want 400 with it kept\n%.1500s", code, body)
	}
	code, body = erin.post("/growth", url.Values{"cycle": {"2026-h2"}})
	wantPage(t, "POST /growth", code, body)
	for _, want := range []string{"Erin Walsh: 2026-h2", "What stands between", "Save", "Submit for review", "(not rated yet)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the new assessment lacks %q", want)
		}
	}
	keys := regexp.MustCompile(`name="key" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	etag := regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(body)
	if len(keys) < 2 || etag == nil {
		t.Fatalf("the form has %d entries and etag %v", len(keys), etag)
	}
	form := url.Values{"etag": {etag[1]}, "action": {"submit"}}
	for i, k := range keys {
		form.Add("key", k[1])
		rating := "RATING_MEETING"
		if i == len(keys)-1 {
			rating = "RATING_NOT_YET"
		}
		form.Set("rating-"+k[1], rating)
	}
	form.Set("evidence-"+keys[0][1], "https://git.example.com/pr/7")
	code, body = erin.post("/growth/erin/2026-h2", form)
	wantPage(t, "POST /growth/erin/2026-h2", code, body)
	if !strings.Contains(body, "Submitted: your manager reviews it next") || !strings.Contains(body, "https://git.example.com/pr/7") {
		t.Errorf("after submitting, the page lacks the notice or the evidence\n%.2000s", body)
	}

	if code, _ := s.as(t, "users/ines").get("/growth/erin/2026-h2"); code != http.StatusNotFound {
		t.Errorf("Erin's assessment as Ines = %d, want 404", code)
	}

	adam := s.as(t, "users/adam")
	code, body = adam.get("/growth")
	if code != http.StatusOK || !strings.Contains(body, "Erin Walsh") || !strings.Contains(body, "/growth/erin/2026-h2") {
		t.Errorf("Adam's growth page does not list his report's assessment")
	}
	code, body = adam.get("/growth/erin/2026-h2")
	wantPage(t, "/growth/erin/2026-h2 as adam", code, body)
	if !strings.Contains(body, "Record the review") {
		t.Fatal("the manager has no review form")
	}
	etag = regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(body)
	review := url.Values{"etag": {etag[1]}, "action": {"review"}}
	for _, k := range keys {
		review.Add("key", k[1])
		review.Set("review-"+k[1], "REVIEW_AGREE")
	}
	review.Set("review-"+keys[0][1], "REVIEW_DIFFER")
	review.Set("mrating-"+keys[0][1], "RATING_NOT_YET")
	review.Set("note-"+keys[0][1], "Show it on a second project.")
	code, body = adam.post("/growth/erin/2026-h2", review)
	wantPage(t, "POST the review", code, body)
	for _, want := range []string{"Review recorded.", "As reviewed", "not yet, says the manager", "Show it on a second project.", "reviewed, by Adam Novak"} {
		if !strings.Contains(body, want) {
			t.Errorf("the reviewed assessment lacks %q", want)
		}
	}
}
