package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// The interviewer's pages, through a real gateway over the seeded demo
// loop: ivan, ines, omar (and iris, igor, ida) interview eleven candidates;
// omar's scorecard for Linus T. is the one draft.

// ivPageLimit is the most a page may weigh: on a phone, on a train.
const ivPageLimit = 100 << 10

// ivGet fetches a page and checks its status and weight.
func ivGet(t *testing.T, b *browser, path string) string {
	t.Helper()
	code, body := b.get(path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%.1000s", path, code, body)
	}
	if len(body) > ivPageLimit {
		t.Errorf("GET %s is %d bytes, over %d", path, len(body), ivPageLimit)
	}
	return body
}

// ivSection is the part of a page from the element with id `from` to the
// one with id `to` (or the end).
func ivSection(t *testing.T, body, from, to string) string {
	t.Helper()
	i := strings.Index(body, `id="`+from+`"`)
	if i < 0 {
		t.Fatalf("no #%s in the page\n%.1000s", from, body)
	}
	rest := body[i:]
	if j := strings.Index(rest, `id="`+to+`"`); to != "" && j >= 0 {
		return rest[:j]
	}
	return rest
}

var ivLinusLink = regexp.MustCompile(`href="(/interviews/demo-linus/[a-z0-9-]+)"`)

// ivLinus is the page of the user's interview of Linus T.
func ivLinus(t *testing.T, b *browser) string {
	t.Helper()
	m := ivLinusLink.FindStringSubmatch(ivGet(t, b, "/interviews"))
	if m == nil {
		t.Fatal("no interview of demo-linus in the list")
	}
	return m[1]
}

// ivField is the value of a hidden field of the page's form.
func ivField(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no field %s in the page\n%.2000s", name, body)
	}
	return m[1]
}

// ivForm is a complete scorecard for omar's Linus interview, as the form
// posts it, with the etag and request ID of the page it came from.
func ivForm(t *testing.T, page, action string) url.Values {
	t.Helper()
	return url.Values{
		"etag": {ivField(t, page, "etag")}, "request_id": {ivField(t, page, "request_id")},
		"action":                   {action},
		"score-technical-skill":    {"3"},
		"evidence-technical-skill": {"Wrote a working trie, explained its trade-offs."},
		"score-quality":            {"2"},
		"evidence-quality":         {"Tested the happy path only."},
		"na-communication":         {"1"},
		"recommendation":           {"3"},
		"note_to_panel":            {"Omar's note: strong on data structures 7731."},
		"private_note":             {"Omar's private reminder 4242."},
	}
}

// ivPost posts a form as is, with extra headers.
func ivPost(t *testing.T, b *browser, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > ivPageLimit {
		t.Errorf("POST %s answered %d bytes, over %d", path, len(body), ivPageLimit)
	}
	return resp, string(body)
}

func TestInterviewListGroups(t *testing.T) {
	s := startSite(t)
	ivan := s.as(t, "users/ivan")
	body := ivGet(t, ivan, "/interviews")
	submitted := ivSection(t, body, "submitted", "")
	for _, name := range []string{"Ada L.", "Grace H.", "Linus T.", "Hedy L.", "Alan T.", "Barbara L.", "Ken T."} {
		if !strings.Contains(submitted, name) {
			t.Errorf("ivan's submitted interviews lack %s\n%s", name, submitted)
		}
	}
	if toFill := ivSection(t, body, "to-fill", "upcoming"); strings.Contains(toFill, "<li>") {
		t.Errorf("ivan has nothing to fill in, the page lists\n%s", toFill)
	}
	if !regexp.MustCompile(`href="/interviews/demo-ada/[a-z0-9-]+"`).MatchString(submitted) {
		t.Errorf("the submitted interviews do not link to their scorecards\n%s", submitted)
	}

	omar := ivGet(t, s.as(t, "users/omar"), "/interviews")
	if toFill := ivSection(t, omar, "to-fill", "upcoming"); !strings.Contains(toFill, "Linus T.") || strings.Contains(toFill, "Ada L.") {
		t.Errorf("omar's scorecards to fill in should be Linus T.'s alone\n%s", toFill)
	}
}

func TestScorecardFormShowsEveryAnchor(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	body := ivGet(t, omar, ivLinus(t, omar))

	rubrics := rubricv1.NewRubricServiceClient(s.env.ConnAs("users/omar", principal.Interviewer))
	rev, err := rubrics.GetRubricRevision(context.Background(), &rubricv1.GetRubricRevisionRequest{Name: "rubrics/l3-coding/revisions/1"})
	if err != nil {
		t.Fatal(err)
	}
	snap := rev.GetSnapshot()
	for _, c := range snap.GetCompetencies() {
		id := regexp.QuoteMeta(c.GetId())
		if !regexp.MustCompile(`<legend id="score-` + id + `-legend">Score for ` + regexp.QuoteMeta(html.EscapeString(c.GetTitle())) + `</legend>`).MatchString(body) {
			t.Errorf("no fieldset legend for the scores of %s", c.GetId())
		}
		for _, an := range c.GetAnchors() {
			// Each anchor sits in the label of its own radio button.
			score := strconv.Itoa(int(an.GetScore()))
			label := regexp.MustCompile(`<label class="sc-anchor" for="score-` + id + `-` + score + `"><input type="radio" id="score-` + id + `-` + score +
				`" name="score-` + id + `" value="` + score + `"[^>]*>\s*<span class="sc-point">` + score + `[^<]*</span> <span class="sc-anchor-text">` +
				regexp.QuoteMeta(html.EscapeString(an.GetDescription())) + `</span></label>`)
			if !label.MatchString(body) {
				t.Errorf("anchor %d of %s is not beside its score choice: %q", an.GetScore(), c.GetId(), an.GetDescription())
			}
		}
		if c.GetEvidenceRequired() && !strings.Contains(body, `id="evidence-`+c.GetId()+`"`) {
			t.Errorf("no evidence field for %s", c.GetId())
		}
		for _, q := range c.GetQuestions() {
			if !strings.Contains(body, html.EscapeString(q.GetText())) {
				t.Errorf("question %q of %s is missing", q.GetText(), c.GetId())
			}
		}
	}
	for _, want := range []string{
		`<label for="private_note">Private note <span class="muted">(only you see this)</span></label>`,
		`<legend id="recommendation-legend">Your recommendation</legend>`,
		`name="na-technical-skill"`, `data-autosave`, `(required to submit)`,
		"Demo private note: only its author sees this.", // omar's draft, prefilled
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scorecard form lacks %s", want)
		}
	}
	// Blind until submitted: omar's draft is open, so nothing of the
	// panel's scorecards shows.
	if strings.Contains(body, "Ivan Petrov") || strings.Contains(body, `id="panel-cards"`) {
		t.Errorf("omar sees the panel's scorecards before submitting his own")
	}
}

func TestScorecardSaveSubmitAndPanel(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	path := ivLinus(t, omar)
	page := ivGet(t, omar, path)

	// Save a draft: back to the page, which shows it saved.
	resp, body := ivPost(t, omar, path, ivForm(t, page, "save"), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Draft saved.") || !strings.Contains(body, "strong on data structures 7731") {
		t.Fatalf("save = %d, want the page with the saved draft\n%.2000s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Ivan Petrov") {
		t.Errorf("after a save, omar's scorecard is still a draft: ivan's must not show")
	}
	// The evidence checks' advice is beside the fields it is about.
	if !strings.Contains(body, `<ul class="evidence-warnings"`) || !strings.Contains(body, "Too short for") {
		t.Errorf("the saved draft shows no advice on its short evidence")
	}

	// Submit without the evidence the rubric requires: the error is at the
	// field, and everything typed is still there.
	form := ivForm(t, body, "submit")
	form.Set("evidence-quality", "  ")
	form.Set("private_note", "Typed since the save 9090.")
	resp, body = ivPost(t, omar, path, form, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("submit without evidence = %d, want 400\n%.2000s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "Not submitted yet (your draft is saved)") {
		t.Errorf("the refused submit does not say the draft was saved on the way")
	}
	if !regexp.MustCompile(`<textarea id="evidence-quality" name="evidence-quality" aria-describedby="evidence-quality-hint evidence-quality-error" aria-required="true" aria-invalid="true">`).MatchString(body) ||
		!regexp.MustCompile(`<p class="field-error" id="evidence-quality-error">Quality and operations needs evidence[^<]*</p>`).MatchString(body) {
		t.Errorf("the missing evidence is not reported at its field\n%.6000s", body)
	}
	for _, kept := range []string{"Typed since the save 9090.", "strong on data structures 7731", "Wrote a working trie", `id="score-technical-skill-3" name="score-technical-skill" value="3" checked`} {
		if !strings.Contains(body, html.EscapeString(kept)) && !strings.Contains(body, kept) {
			t.Errorf("the input %q is lost after the refused submit", kept)
		}
	}
	if strings.Contains(body, "Ivan Petrov") {
		t.Errorf("the refused submit left omar's a draft: ivan's must not show")
	}

	// Submit complete: the page turns read-only, with the panel below.
	form = ivForm(t, body, "submit")
	resp, body = ivPost(t, omar, path, form, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Scorecard submitted") {
		t.Fatalf("submit = %d, want the submitted scorecard\n%.2000s", resp.StatusCode, body)
	}
	if strings.Contains(body, "data-autosave") {
		t.Errorf("a submitted scorecard is shown as a form")
	}
	panel := ivSection(t, body, "panel-cards", "")
	if !strings.Contains(panel, "Ivan Petrov") || strings.Contains(panel, "users/ivan") || !strings.Contains(panel, "Hire") {
		t.Errorf("after submitting, ivan's scorecard for Linus should show\n%.3000s", panel)
	}
	if strings.Contains(panel, "Demo private note") {
		t.Errorf("a colleague's private note shows")
	}
	// A second click of the same form (same request ID, old etag)
	// submits nothing new and lands on the same page.
	resp, body = ivPost(t, omar, path, form, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Scorecard submitted") {
		t.Errorf("the double click = %d, want the submitted page again\n%.2000s", resp.StatusCode, body)
	}
}

func TestScorecardStaleEtagConflict(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	path := ivLinus(t, omar)
	page := ivGet(t, omar, path)
	current := ivField(t, page, "etag")

	form := ivForm(t, page, "save")
	form.Set("etag", "an-etag-from-another-tab")
	form.Set("note_to_panel", "Typed in the stale tab 5150.")
	resp, body := ivPost(t, omar, path, form, nil)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("save with a stale etag = %d, want 409\n%.2000s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "probably you in another tab") || !strings.Contains(body, "Typed in the stale tab 5150.") {
		t.Errorf("the conflict is not explained, or the input is lost\n%.3000s", body)
	}
	if got := ivField(t, body, "etag"); got != current {
		t.Errorf("after the conflict the form carries etag %q, want the current %q", got, current)
	}
	// Saving again from there keeps the input.
	resp, body = ivPost(t, omar, path, ivFormWith(ivForm(t, body, "save"), "note_to_panel", "Typed in the stale tab 5150."), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Typed in the stale tab 5150.") {
		t.Errorf("saving after the conflict = %d\n%.2000s", resp.StatusCode, body)
	}
}

// Two tabs on one draft: the first submits; the second's submit cannot be
// saved any more. It shows the submitted scorecard, read-only, says why,
// and gives back what was typed in the second tab — never an editable form
// whose save would fail again.
func TestScorecardSubmittedFromAnotherTab(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	path := ivLinus(t, omar)
	tabA, tabB := ivGet(t, omar, path), ivGet(t, omar, path)
	if resp, body := ivPost(t, omar, path, ivForm(t, tabA, "submit"), nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Scorecard submitted") {
		t.Fatalf("submit from tab A = %d\n%.1000s", resp.StatusCode, body)
	}
	resp, body := ivPost(t, omar, path, ivFormWith(ivForm(t, tabB, "submit"), "note_to_panel", "Typed in tab B 6161."), nil)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("submit from tab B = %d, want 409\n%.2000s", resp.StatusCode, body)
	}
	for _, want := range []string{"submitted meanwhile", "Typed in tab B 6161.", "Your scorecard", "Omar&#39;s note: strong on data structures 7731."} {
		if !strings.Contains(body, want) {
			t.Errorf("tab B's answer lacks %q\n%.3000s", want, body)
		}
	}
	if strings.Contains(body, "data-autosave") {
		t.Errorf("tab B's answer is a form again, whose save would fail")
	}
}

func ivFormWith(form url.Values, key, value string) url.Values {
	form.Set(key, value)
	return form
}

func TestScorecardAutosave(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	path := ivLinus(t, omar)
	page := ivGet(t, omar, path)
	autosave := http.Header{"X-Autosave": {"1"}}

	form := ivForm(t, page, "save")
	resp, body := ivPost(t, omar, path, form, autosave)
	etag := resp.Header.Get("X-Etag")
	if resp.StatusCode != http.StatusNoContent || etag == "" || etag == form.Get("etag") {
		t.Fatalf("autosave = %d, X-Etag %q; want 204 with a new etag\n%.500s", resp.StatusCode, etag, body)
	}
	// The same etag again is stale now: a conflict, not a page.
	resp, _ = ivPost(t, omar, path, form, autosave)
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("Location") != "" {
		t.Errorf("autosave with a stale etag = %d, want 409", resp.StatusCode)
	}
	// Evidence with no score yet is saved too: notes first, scores later.
	form.Set("etag", etag)
	form.Del("score-quality")
	form.Set("evidence-quality", "Named every test after a behaviour 5150.")
	resp, body = ivPost(t, omar, path, form, autosave)
	if etag = resp.Header.Get("X-Etag"); resp.StatusCode != http.StatusNoContent || etag == "" {
		t.Fatalf("autosave of evidence without a score = %d %q, want 204", resp.StatusCode, body)
	}
	// A saved draft shows on the page, the unscored competency unscored.
	page = ivGet(t, omar, path)
	if !strings.Contains(page, "strong on data structures 7731") || !strings.Contains(page, "Named every test after a behaviour 5150.") || ivField(t, page, "etag") != etag {
		t.Errorf("the autosaved draft is not the page's")
	}
	if regexp.MustCompile(`name="score-quality" value="\d+" checked`).MatchString(page) {
		t.Errorf("quality has a score on the page, want none chosen")
	}
}

func TestScorecardPostFromAnotherSite(t *testing.T) {
	s := startSite(t)
	omar := s.as(t, "users/omar")
	path := ivLinus(t, omar)
	form := ivForm(t, ivGet(t, omar, path), "save")
	if resp, _ := ivPost(t, omar, path, form, http.Header{"Sec-Fetch-Site": {"cross-site"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("save from another site = %d, want 403", resp.StatusCode)
	}
	if resp, text := ivPost(t, omar, path, form, http.Header{"Origin": {"https://evil.example"}, "X-Autosave": {"1"}}); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(text, "another site") {
		t.Errorf("autosave from another site = %d %q, want 403 saying why", resp.StatusCode, text)
	}
	// The page's own autosave: a same-origin fetch.
	if resp, text := ivPost(t, omar, path, form, http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {s.URL}, "X-Autosave": {"1"}}); resp.StatusCode/100 != 2 {
		t.Errorf("autosave from the page = %d %q, want it saved", resp.StatusCode, text)
	}
	// Nobody else writes omar's scorecard.
	ivan := s.as(t, "users/ivan")
	form = ivForm(t, ivGet(t, omar, path), "save")
	if resp, body := ivPost(t, ivan, path, form, nil); resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusSeeOther {
		t.Errorf("ivan saving omar's scorecard = %d\n%.500s", resp.StatusCode, body)
	}
}

func TestStandingChart(t *testing.T) {
	s := startSite(t)
	body := ivGet(t, s.as(t, "users/ivan"), "/me/calibration")
	svg := regexp.MustCompile(`(?s)<svg[^>]*>.*?</svg>`).FindString(body)
	if svg == "" {
		t.Fatalf("no chart on ivan's standing page\n%.2000s", body)
	}
	for _, want := range []string{`role="img"`, `aria-label="Your leniency`, "<title>", "<desc>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s", want)
		}
	}
	for _, peer := range []string{"users/ines", "users/omar", "Ines", "Omar", "ines", "omar"} {
		if strings.Contains(svg, peer) || strings.Contains(body, "users/"+strings.ToLower(peer)) {
			t.Errorf("ivan's standing names %s", peer)
		}
	}
	if !strings.Contains(body, "<table") || !strings.Contains(body, "more generous") {
		t.Errorf("no table or words beside the chart\n%.3000s", body)
	}
}
