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
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
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
	// The same derive again, the ID left empty: the ID it would take is
	// taken, so it is refused at the field with a free one, never suffixed
	// in silence.
	if code, again := adam.post("/admin/rubrics/derive", url.Values{"framework": {"frameworks/engineering"}, "track": {"ic"},
		"level": {"l4"}, "interview_type": {"coding"}}); code != http.StatusConflict ||
		!regexp.MustCompile(`id="rubric_id-error">[^<]*for example l4-coding-2`).MatchString(again) {
		t.Errorf("deriving a taken ID = %d, want 409 with a suggestion at the ID field\n%.2000s", code, again)
	}

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
	// The other anchors are still the ladder's words: publishing them
	// takes an explicit choice.
	etag := submatch(t, etagField, body)
	code, body = adam.post("/admin/rubrics/l4-coding/publish", url.Values{"etag": {etag}})
	if code != http.StatusBadRequest || !regexp.MustCompile(`id="derived-error">\d+ anchors are still the ladder(&#39;|')s words`).MatchString(body) {
		t.Fatalf("publish with derived anchors, not chosen = %d, want 400 asking\n%.3000s", code, body)
	}
	code, body = adam.post("/admin/rubrics/l4-coding/publish", url.Values{"etag": {etag}, "derived": {"keep"}})
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
	etag = submatch(t, etagField, body)
	// Not without a look at the changes: the box says so.
	code, body = adam.post("/admin/frameworks/engineering/publish", url.Values{"etag": {etag}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="confirm-error"`) {
		t.Fatalf("publish without the tick = %d, want 400 asking for it\n%.2500s", code, body)
	}
	code, body = adam.post("/admin/frameworks/engineering/publish", url.Values{"etag": {etag}, "confirm": {"yes"}})
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
	if code != http.StatusConflict || !strings.Contains(body, "exists already: choose another ID, for example design-2") || !strings.Contains(body, `value="design"`) {
		t.Errorf("import under a taken ID = %d, want 409 with the form and the reason\n%.2500s", code, body)
	}
	// Another format: Snowflake's tracks, chosen in the form; a document
	// that is not one keeps the choice and says why.
	snowflake := `{"tracks": {"CRAFT": {"displayName": "Craft", "description": "Quality of work",
		"milestones": [{"summary": "Writes clear code"}, {"summary": "Raises the team's bar"}]}}}`
	code, body = adam.post("/admin/frameworks", url.Values{"framework_id": {"growth"}, "format": {"FORMAT_SNOWFLAKE"}, "content": {"not json"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "not Snowflake") || !strings.Contains(body, `value="FORMAT_SNOWFLAKE" selected`) {
		t.Errorf("a Snowflake import of something else = %d, want 400 with the format kept\n%.2500s", code, body)
	}
	code, body = adam.post("/admin/frameworks", url.Values{"framework_id": {"growth"}, "format": {"FORMAT_SNOWFLAKE"}, "content": {snowflake}})
	if code != http.StatusOK || !strings.Contains(body, "Imported as a draft") || !strings.Contains(body, "Milestone 2") {
		t.Errorf("a Snowflake import = %d, want the new draft with its milestones\n%.2500s", code, body)
	}
}

// A rubric whose ladder has a newer revision says so, with a way to derive
// from it.
func TestAdminRubricShowsTheLadderMovedOn(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	mustGet(t, adam, "/admin/rubrics/l3-coding", http.StatusOK)
	ladder := s.env.LadderAs("users/adam", principal.Admin)
	ctx := context.Background()
	fw, err := ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: "frameworks/engineering"})
	if err != nil {
		t.Fatal(err)
	}
	fw, err = ladder.UpdateFramework(ctx, &ladderv1.UpdateFrameworkRequest{Framework: &ladderv1.Framework{Name: fw.GetName(), Etag: fw.GetEtag(), Title: "Engineering (2027)"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: fw.GetName(), Etag: fw.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	body := mustGet(t, adam, "/admin/rubrics/l3-coding", http.StatusOK, "The ladder moved on", "or derive a new rubric from it")
	code, body := adam.post("/admin/rubrics/l3-coding/rederive", url.Values{"etag": {submatch(t, etagField, body)}})
	if code != http.StatusOK || !strings.Contains(body, "Derived again from frameworks/engineering/revisions/2") || strings.Contains(body, "The ladder moved on") {
		t.Errorf("derive again = %d, want the draft on revision 2\n%.2000s", code, body)
	}
}

// The form editor: a cell changed and one emptied reach the draft, the
// rest as it was; an empty framework etag is refused with the input kept.
func TestAdminExpectationsGrid(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	body := mustGet(t, adam, "/admin/frameworks/engineering/grid?track=ic", http.StatusOK,
		"Expectations: Engineering", `<th scope="col">Senior Engineer</th>`, `<th scope="row">Technical skill</th>`)
	form := url.Values{"etag": {submatch(t, etagField, body)}, "track": {"ic"}}
	cells := regexp.MustCompile(`(?s)<textarea id="cell-\d+-\d+" name="(exp-[a-z0-9-]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1)
	if len(cells) < 10 {
		t.Fatalf("%d cells in the grid, want levels × competencies", len(cells))
	}
	for _, c := range cells {
		form.Set(c[1], html.UnescapeString(c[2]))
	}
	const text = "Builds small features with a reviewer's help, and asks early when stuck."
	form.Set("exp-l1-technical-skill", text)
	form.Set("exp-l1-communication", "")
	code, body := adam.post("/admin/frameworks/engineering/grid", form)
	if code != http.StatusOK || !strings.Contains(body, "Expectations saved to the draft") || !strings.Contains(body, html.EscapeString(text)) {
		t.Fatalf("save the grid = %d\n%.6000s", code, body)
	}
	fw, err := s.env.LadderAs("users/adam", principal.Admin).GetFramework(context.Background(), &ladderv1.GetFrameworkRequest{Name: "frameworks/engineering"})
	if err != nil {
		t.Fatal(err)
	}
	l1 := fw.GetTracks()[0].GetLevels()[0]
	got := map[string]string{}
	for _, e := range l1.GetExpectations() {
		got[e.GetCompetency()] = e.GetDescription()
	}
	if got["technical-skill"] != text || got["communication"] != "" || got["quality"] == "" {
		t.Errorf("the draft's l1 expectations = %v, want the edit, communication gone, the rest kept", got)
	}
	// The same form again carries a stale etag: refused, the input kept.
	form.Set("exp-l1-technical-skill", "A second edit 4242.")
	code, body = adam.post("/admin/frameworks/engineering/grid", form)
	if code != http.StatusConflict || !strings.Contains(body, "A second edit 4242.") {
		t.Errorf("a stale grid = %d, want 409 keeping the input\n%.1500s", code, body)
	}
}

// Admins keep the directory: a person's title, manager and level; the
// ladder then opens at that level.
func TestAdminPeople(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	mustGet(t, adam, "/admin/people", http.StatusOK, `<a href="/admin/people/erin">Erin Walsh</a>`, "Engineer II", "Adam Novak")
	body := mustGet(t, adam, "/admin/people/erin", http.StatusOK, `value="Erin Walsh"`, `<option value="users/adam" selected>Adam Novak</option>`)
	form := url.Values{"etag": {submatch(t, etagField, body)}, "display_name": {"Erin Walsh"}, "email": {"erin@example.com"},
		"title": {"Senior Engineer"}, "manager": {"users/ivan"}, "level": {"frameworks/engineering|ic|l3"}}
	code, body := adam.post("/admin/people/erin", form)
	if code != http.StatusOK || !strings.Contains(body, "Saved.") || !strings.Contains(body, `<option value="users/ivan" selected>Ivan Petrov</option>`) {
		t.Fatalf("save = %d\n%.2000s", code, body)
	}
	// Erin's ladder opens at her new level.
	mustGet(t, s.as(t, "users/erin"), "/ladder", http.StatusOK, "<h1>From Senior Engineer to Staff Engineer</h1>")
	// A bad email is refused at its field, what was typed kept.
	form.Set("etag", submatch(t, etagField, body))
	form.Set("email", "not an address")
	if code, body := adam.post("/admin/people/erin", form); code != http.StatusBadRequest || !strings.Contains(body, `id="email-error"`) || !strings.Contains(body, `value="not an address"`) {
		t.Errorf("a bad email = %d, want 400 at the field\n%.2000s", code, body)
	}
	// Not for anyone else.
	if code, _ := s.as(t, "users/rita").post("/admin/people/erin", form); code != http.StatusForbidden {
		t.Errorf("rita saving erin = %d, want 403", code)
	}
}

// An admin deactivates someone who left: they are shown so, their next
// page is refused, and the form keeps them deactivated on the next save.
func TestAdminDeactivatesSomeone(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	erin := s.as(t, "users/erin")
	body := mustGet(t, adam, "/admin/people/erin", http.StatusOK, `id="deactivated"`)
	form := url.Values{"etag": {submatch(t, etagField, body)}, "display_name": {"Erin Walsh"}, "email": {"erin@example.com"},
		"title": {"Engineer II"}, "manager": {"users/adam"}, "deactivated": {"on"}}
	if code, body := adam.post("/admin/people/erin", form); code != http.StatusOK || !strings.Contains(body, `id="deactivated" name="deactivated" checked`) {
		t.Fatalf("deactivate = %d\n%.2000s", code, body)
	}
	mustGet(t, adam, "/admin/people", http.StatusOK, "<td>Deactivated</td>")
	if code, _ := erin.get("/ladder"); code == http.StatusOK {
		t.Errorf("Erin's next page after her deactivation = %d", code)
	}
}

// An admin adds a webhook on the web: its secret is shown once, and its
// page lists its deliveries.
func TestAdminWebhooks(t *testing.T) {
	s := startSite(t)
	adam := s.as(t, "users/adam")
	mustGet(t, adam, "/admin/webhooks", http.StatusOK, "No webhooks yet", `value="loop.completed"`)
	code, body := adam.post("/admin/webhooks", url.Values{"url": {"ftp://example.com"}, "event_types": {"loop.completed"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="url-error"`) {
		t.Fatalf("a bad address = %d\n%.2000s", code, body)
	}
	code, body = adam.post("/admin/webhooks", url.Values{"url": {"https://hooks.example.com/y"}, "event_types": {"loop.completed", "candidate.erased"}, "description": {"ATS sync"}})
	if code != http.StatusOK || !strings.Contains(body, "whsec_") || !strings.Contains(body, "Nothing sent yet") {
		t.Fatalf("add = %d\n%.2000s", code, body)
	}
	list := mustGet(t, adam, "/admin/webhooks", http.StatusOK, "https://hooks.example.com/y", "ATS sync")
	if strings.Contains(list, "whsec_") {
		t.Error("the list shows a secret")
	}
	if code, _ := s.as(t, "users/rita").get("/admin/webhooks"); code != http.StatusForbidden {
		t.Errorf("rita on webhooks = %d, want 403", code)
	}
}

// The closed loop's page: for admins, with its caveats; nothing shown
// before there is anything to compare.
func TestAdminClosedLoopPage(t *testing.T) {
	s := startSite(t)
	body := mustGet(t, s.as(t, "users/adam"), "/admin/closed-loop", http.StatusOK, "The closed loop", "Only hires are seen", "0 hires linked")
	if strings.Contains(body, "<table") {
		t.Error("the page shows a table with nothing to compare")
	}
	if code, _ := s.as(t, "users/rita").get("/admin/closed-loop"); code != http.StatusForbidden {
		t.Errorf("the closed loop as a recruiter = %d, want 403", code)
	}
}

// A recruiter marks a candidate hired and links them to a person, on the
// page the debrief links to.
func TestHirePage(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	body := mustGet(t, rita, "/candidates/demo-ada/hired", http.StatusOK, "Ada L. joined", "Erin Walsh")
	etag := submatch(t, etagField, body)
	code, body := rita.post("/candidates/demo-ada/hired", url.Values{"etag": {etag}, "hired_user": {"users/erin"}})
	if code != http.StatusOK || !strings.Contains(body, "Marked as hired") {
		t.Errorf("marking hired = %d\n%.1500s", code, body)
	}
	if c, err := s.env.FeedbackAs("users/rita", principal.Recruiter).GetCandidate(context.Background(),
		&feedbackv1.GetCandidateRequest{Name: "candidates/demo-ada"}); err != nil || c.GetHiredUser() != "users/erin" || c.GetState() != feedbackv1.Candidate_STATE_HIRED {
		t.Errorf("the candidate after = %v, %v", c, err)
	}
}
