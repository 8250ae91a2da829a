package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

var (
	etagField   = regexp.MustCompile(`name="etag" value="([^"]*)"`)
	contentArea = regexp.MustCompile(`(?s)<textarea id="content" name="content"[^>]*>\n?(.*?)</textarea>`)
	anchorArea  = regexp.MustCompile(`(?s)<textarea id="(anchor-\d+-\d+)" name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// mustGet fetches a page, wanting a status and some text.
func mustGet(t *testing.T, b *browser, path string, wantCode int, wants ...string) string {
	t.Helper()
	code, body := b.get(path)
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

func submatch(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page\n%.2000s", re, body)
	}
	return html.UnescapeString(m[1])
}

func TestAdminIsForAdmins(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	mustGet(t, adam, "/admin", http.StatusOK, "Career frameworks", `href="/admin/frameworks/engineering"`,
		"frameworks/engineering/revisions/1", `href="/admin/rubrics/l2-coding"`, "rubrics/l3-system-design/revisions/1",
		`<th scope="col">Latest revision</th>`, `<label for="import-id">`)
	mustGet(t, adam, "/admin/frameworks/engineering", http.StatusOK, "Framework draft: Engineering",
		"title: Engineering", "The draft is the same as the latest revision", "import")
	mustGet(t, adam, "/admin/rubrics/l3-coding", http.StatusOK, "Rubric draft:", `<label for="anchor-0-1">Score 1`,
		"rubrics/l3-coding/revisions/1", "derived")
	mustGet(t, adam, "/admin/rubrics/derive", http.StatusOK, "Derive a rubric", `<option value="frameworks/engineering" selected>`)

	for _, who := range []string{"users/erin", "users/rita", "users/ivan"} {
		b := s.as(t, who)
		for _, path := range []string{"/admin", "/admin/frameworks/engineering", "/admin/rubrics/l3-coding", "/admin/rubrics/derive"} {
			mustGet(t, b, path, http.StatusForbidden, "Your roles do not open this page")
		}
		if code, _ := b.post("/admin/rubrics/derive", url.Values{"framework": {"frameworks/engineering"}, "track": {"ic"},
			"level": {"l4"}, "interview_type": {"coding"}}); code != http.StatusForbidden {
			t.Errorf("derive as %s = %d, want 403", who, code)
		}
	}
	// Forms posted from another site are refused, even an admin's.
	if code, _ := adam.postWith("/admin/frameworks/engineering/publish", url.Values{}, http.Header{"Sec-Fetch-Site": {"cross-site"}}); code != http.StatusForbidden {
		t.Errorf("publish from another site = %d, want 403", code)
	}
	if code, _ := adam.postWith("/admin/rubrics/derive", url.Values{"framework": {"frameworks/engineering"}}, http.Header{"Origin": {"https://evil.example"}}); code != http.StatusForbidden {
		t.Errorf("derive from another site = %d, want 403", code)
	}
}

// The admin journey: derive a rubric from the ladder, edit an anchor,
// publish, and the revision holds the edit.
func TestAdminRubricJourney(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")

	// A bad interview type is shown at its field, the input kept.
	code, body := adam.post("/admin/rubrics/derive", url.Values{"framework": {"frameworks/engineering"}, "track": {"ic"},
		"level": {"l4"}, "interview_type": {"Not A Slug"}, "rubric_id": {"l4-coding"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="interview_type-error"`) || !strings.Contains(body, `value="Not A Slug"`) {
		t.Fatalf("derive with a bad interview type = %d, want 400 with the error at the field\n%.3000s", code, body)
	}

	code, body = adam.post("/admin/rubrics/derive", url.Values{"framework": {"frameworks/engineering"}, "track": {"ic"},
		"level": {"l4"}, "interview_type": {"coding"}, "rubric_id": {"l4-coding"}})
	if code != http.StatusOK || !strings.Contains(body, "Derived from the ladder") || !strings.Contains(body, "Rubric draft") {
		t.Fatalf("derive = %d, want the new draft\n%.1500s", code, body)
	}
	pageUnder100KB(t, "/admin/rubrics/l4-coding", body)

	// Edit one anchor, sending every textarea as a browser would.
	form := url.Values{"etag": {submatch(t, etagField, body)}}
	anchors := anchorArea.FindAllStringSubmatch(body, -1)
	if len(anchors) < 4 {
		t.Fatalf("%d anchor textareas, want one per score and competency", len(anchors))
	}
	for _, m := range anchors {
		form.Set(html.UnescapeString(m[2]), html.UnescapeString(m[3]))
	}
	edited := html.UnescapeString(anchors[1][2])
	const text = "Designs a clear module boundary and explains its trade-offs without prompting."
	form.Set(edited, text)

	// An empty anchor is refused at its textarea, the edit kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set(html.UnescapeString(anchors[2][2]), "  ")
	code, body = adam.post("/admin/rubrics/l4-coding", bad)
	if code != http.StatusBadRequest || !strings.Contains(body, text) {
		t.Fatalf("save with an empty anchor = %d, want 400 keeping the input\n%.3000s", code, body)
	}
	id := anchors[2][1]
	atField := regexp.MustCompile(`(?s)<textarea id="` + id + `"[^>]*aria-invalid="true"[^>]*>.*?</textarea>\s*<p class="field-error" id="` + id + `-error">([^<]+)</p>`)
	if msg := submatch(t, atField, body); !strings.Contains(msg, "required") {
		t.Errorf("the error at the empty anchor is %q", msg)
	}

	code, body = adam.post("/admin/rubrics/l4-coding", form)
	if code != http.StatusOK || !strings.Contains(body, "Anchors saved") || !strings.Contains(body, text) {
		t.Fatalf("save = %d, want the draft with the edit\n%.1500s", code, body)
	}
	code, body = adam.post("/admin/rubrics/l4-coding/publish", url.Values{"etag": {submatch(t, etagField, body)}})
	if code != http.StatusOK || !strings.Contains(body, "Published rubrics/l4-coding/revisions/1") {
		t.Fatalf("publish = %d\n%.1500s", code, body)
	}

	rev, err := s.env.RubricAs("users/ivan", principal.Interviewer).GetRubricRevision(context.Background(),
		&rubricv1.GetRubricRevisionRequest{Name: "rubrics/l4-coding/revisions/1"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rev.GetSnapshot().GetCompetencies() {
		for _, a := range c.GetAnchors() {
			found = found || a.GetDescription() == text
		}
	}
	if !found {
		t.Errorf("revision 1 lacks the edited anchor: %v", rev.GetSnapshot().GetCompetencies())
	}
	mustGet(t, adam, "/admin/rubrics/l4-coding", http.StatusOK, "The draft is the same as the latest revision",
		"rubrics/l4-coding/revisions/1")
}

func TestAdminFrameworkDraft(t *testing.T) {
	s := startSite(t)
	adam, erin := s.as(t, "users/adam"), s.as(t, "users/erin")
	body := mustGet(t, adam, "/admin/frameworks/engineering", http.StatusOK)
	etag, content := submatch(t, etagField, body), submatch(t, contentArea, body)
	if !strings.HasPrefix(content, "title: Engineering\n") {
		t.Fatalf("the textarea holds %.200q, want the YAML", content)
	}

	// Save a new title: the diff shows it, admins see the draft, others
	// still the published ladder.
	edited := strings.Replace(content, "title: Engineering\n", "title: Engineering (2026)\n", 1)
	code, body := adam.post("/admin/frameworks/engineering", url.Values{"etag": {etag}, "content": {edited}})
	if code != http.StatusOK || !strings.Contains(body, "Draft saved") {
		t.Fatalf("save = %d\n%.1500s", code, body)
	}
	for _, want := range []string{`<ins class="added"><span class="op">+</span>title: Engineering (2026)</ins>`,
		`<del class="removed"><span class="op">-</span>title: Engineering</del>`, "unpublished changes"} {
		if !strings.Contains(body, want) {
			t.Errorf("the draft page lacks %q", want)
		}
	}
	mustGet(t, adam, "/ladder/engineering", http.StatusOK, "Engineering (2026)")
	if page := mustGet(t, erin, "/ladder/engineering", http.StatusOK, "Engineering: Individual contributor"); strings.Contains(page, "(2026)") {
		t.Error("an employee sees the unpublished draft")
	}

	// A save with the etag the page was opened with is stale now: refused,
	// said so, and the text typed is kept.
	mine := strings.Replace(content, "title: Engineering\n", "title: Engineering (mine)\n", 1)
	code, body = adam.post("/admin/frameworks/engineering", url.Values{"etag": {etag}, "content": {mine}})
	if code != http.StatusConflict || !strings.Contains(body, "Someone changed this") || submatch(t, contentArea, body) != mine {
		t.Fatalf("stale save = %d, want 409 keeping the text\n%.1500s", code, body)
	}
	if !strings.Contains(body, "Their version against yours") {
		t.Error("the conflict does not show what differs")
	}

	// Invalid YAML is refused with the text kept.
	code, body = adam.post("/admin/frameworks/engineering", url.Values{"etag": {submatch(t, etagField, body)}, "content": {"title: [unclosed"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "title: [unclosed") || !strings.Contains(body, `id="content-errors"`) {
		t.Errorf("invalid YAML = %d, want 400 with the errors under the text\n%.2500s", code, body)
	}

	// Publish: everyone reads the new title.
	body = mustGet(t, adam, "/admin/frameworks/engineering", http.StatusOK)
	code, body = adam.post("/admin/frameworks/engineering/publish", url.Values{"etag": {submatch(t, etagField, body)}})
	if code != http.StatusOK || !strings.Contains(body, "Published frameworks/engineering/revisions/2") {
		t.Fatalf("publish = %d\n%.1500s", code, body)
	}
	mustGet(t, erin, "/ladder/engineering", http.StatusOK, "Engineering (2026)")
}

func TestAdminImportFramework(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	content := submatch(t, contentArea, mustGet(t, adam, "/admin/frameworks/engineering", http.StatusOK))

	code, body := adam.post("/admin/frameworks", url.Values{"framework_id": {"Bad ID"}, "content": {content}})
	if code != http.StatusBadRequest || !strings.Contains(body, `value="Bad ID"`) || !strings.Contains(body, `id="import-id-error"`) {
		t.Errorf("import with a bad ID = %d, want 400 with the error at the ID\n%.2500s", code, body)
	}
	code, body = adam.post("/admin/frameworks", url.Values{"framework_id": {"design"}, "content": {content}})
	if code != http.StatusOK || !strings.Contains(body, "Imported as a draft") || !strings.Contains(body, "Never published") {
		t.Errorf("import = %d, want the new draft\n%.1500s", code, body)
	}
	// An ID that is taken: the form again, saying so (it once was a 500).
	code, body = adam.post("/admin/frameworks", url.Values{"framework_id": {"design"}, "content": {content}})
	if code != http.StatusConflict || !strings.Contains(body, "already exists: choose another ID") || !strings.Contains(body, `value="design"`) {
		t.Errorf("import under a taken ID = %d, want 409 with the form and the reason\n%.2500s", code, body)
	}
}
