package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An interviewer fills the rest of a draft and submits it, and only then
// sees the panel's scorecards.
func TestJourneyInterviewerSubmitsThenSeesThePanel(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/omar")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/interviews"),
		chromedp.Click(chromedp.CSS(`a[href*="demo-linus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.scorecard-form`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := bodyText(t, ctx); strings.Contains(text, "The panel's submitted scorecards") || strings.Contains(text, "Ivan Petrov") {
		t.Fatalf("the draft's page shows the panel before submitting:\n%s", text)
	}
	shoot(t, ctx, "scorecard")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#score-quality-3`)),
		chromedp.SendKeys(chromedp.CSS(`#evidence-quality`), "Tested the edge cases first, unprompted."),
		chromedp.Click(chromedp.CSS(`#score-communication-2`)),
		chromedp.SendKeys(chromedp.CSS(`#evidence-communication`), "Explained the trade-offs when asked."),
		chromedp.Click(chromedp.CSS(`#recommendation-3`)),
		chromedp.Click(chromedp.CSS(`button[value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel-cards`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := bodyText(t, ctx); !strings.Contains(text, "Ivan Petrov") || !strings.Contains(text, "Your scorecard") {
		t.Errorf("after submitting, the page does not show the panel:\n%s", text)
	}
	shoot(t, ctx, "scorecard-submitted")
}

// An engineer compares their level with the next.
func TestJourneyEngineerComparesLevels(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/erin")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/ladder/engineering?track=ic"),
		chromedp.WaitVisible(chromedp.CSS(`form.compare-form`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "ladder")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#cmp-from`), "l3"),
		chromedp.SetValue(chromedp.CSS(`#cmp-to`), "ic/l4"),
		chromedp.Submit(chromedp.CSS(`form.compare-form`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.changed`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "from=l3") || !strings.Contains(loc, "to=l4") {
		t.Errorf("compare page at %q, %v: want a deep link naming both levels", loc, err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`tr.changed`)))
	if err != nil || len(rows) == 0 {
		t.Errorf("changed rows = %d, %v, want the competencies that change", len(rows), err)
	}
	shoot(t, ctx, "ladder-compare")
}

// An admin derives a rubric from a ladder level, rewrites an anchor and
// publishes it.
func TestJourneyAdminDerivesAndPublishes(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/adam")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/rubrics/derive"),
		chromedp.WaitVisible(chromedp.CSS(`form.derive`)),
		chromedp.SetValue(chromedp.CSS(`#track`), "ic"),
		chromedp.SetValue(chromedp.CSS(`#level`), "l4"),
		chromedp.SendKeys(chromedp.CSS(`#interview_type`), "system-design"),
		chromedp.SendKeys(chromedp.CSS(`#rubric_id`), "l4-system-design"),
		chromedp.Submit(chromedp.CSS(`form.derive`)),
		chromedp.WaitVisible(chromedp.CSS(`form.anchors`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "admin-rubric")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#anchor-0-3`), "Designs a system others build on, and says what it trades away."),
		chromedp.Submit(chromedp.CSS(`form.anchors`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)), // "Anchors saved."
		// The other anchors are still the ladder's words: publishing
		// them as they are is a choice the form asks for.
		chromedp.Click(chromedp.CSS(`#derived`)),
		chromedp.Submit(chromedp.CSS(`form[action$="/publish"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The page navigates: ask again until the new one says so.
	const published = `(document.querySelector("p.flash")?.textContent || "").startsWith("Published")`
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, perr := chromedp.Run(ctx, chromedp.Evaluate[bool](published))
		if perr == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("the page never said the rubric was published (%v)", perr)
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	rev, err := s.rubricRevision("rubrics/l4-system-design/revisions/1")
	if err != nil {
		t.Fatalf("the published revision: %v", err)
	}
	if got := rev.GetSnapshot().GetCompetencies()[0].GetAnchors()[2].GetDescription(); got != "Designs a system others build on, and says what it trades away." {
		t.Errorf("published anchor = %q, want the rewritten one", got)
	}
}

// An interviewer types evidence and stops: the draft saves itself, says
// when, and the text is there after a reload. (Autosave once posted to
// "[object RadioNodeList]": the submit buttons are named "action", which
// shadows form.action, and no journey reloaded to notice.)
func TestJourneyAutosaveKeepsWhatWasTyped(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/omar")
	const typed = "Asked about retries before writing any code."
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/interviews"),
		chromedp.Click(chromedp.CSS(`a[href*="demo-linus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.scorecard-form`)),
		// Notes first, no score yet: how interviews are written up.
		chromedp.SendKeys(chromedp.CSS(`#evidence-quality`), typed),
	)
	if err != nil {
		t.Fatal(err)
	}
	const saved = `(document.querySelector("[data-save-status]")?.textContent || "").startsWith("Saved at")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](saved, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-save-status]`)))
		t.Fatalf("the draft did not say it was saved: %v (it says %q)", err, status)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`form.scorecard-form`))); err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#evidence-quality`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kept, typed) {
		t.Errorf("after a reload the evidence reads %q, want what was typed (%q)", kept, typed)
	}
	scored, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="score-quality"]:checked') !== null`))
	if err != nil || scored {
		t.Errorf("after a reload quality has a score (%v): none was chosen", err)
	}
}

// An interviewer submits too early, with the keyboard: the page opens on
// the list of what is missing, in plain words; the first link takes them
// to its field.
func TestJourneySubmitErrorsLeadToTheirFields(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/omar")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/interviews"),
		chromedp.Click(chromedp.CSS(`a[href*="demo-linus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.scorecard-form`)),
		chromedp.SendKeys(chromedp.CSS(`#evidence-quality`), "Wrote the tests first."),
		chromedp.Click(chromedp.CSS(`button[value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-summary]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	focused := func() string {
		t.Helper()
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id || document.activeElement.tagName`))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// The summary has the focus: a screen reader reads it first.
	if got := focused(); got != "form-errors" {
		t.Errorf("after a refused submit the focus is on %q, want the error summary", got)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-error-summary]`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Quality and operations has no score yet", "Communication has no score yet", "Choose a recommendation"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the error summary lacks %q:\n%s", want, summary)
		}
	}
	for _, internal := range []string{"not_assessed", "STRONG_NO", "scorecard.ratings", `"quality"`} {
		if strings.Contains(summary, internal) {
			t.Errorf("the error summary speaks the API's words (%q):\n%s", internal, summary)
		}
	}
	// Tab to the first link, Enter: the focus lands on the first score of
	// that competency.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("href") || document.activeElement.tagName`))
	if err != nil || link != "#score-quality-1" {
		t.Fatalf("Tab from the summary reaches %q (%v), want the first error's link", link, err)
	}
	// Activate it as Enter would (a synthetic Enter's key-up would land on
	// the radio button and submit the form).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.click()`)); err != nil {
		t.Fatal(err)
	}
	// Following a link to a fragment moves the focus when the browser
	// gets to it: ask until it has.
	const onField = `document.activeElement.id === "score-quality-1"`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](onField, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("after following the first error the focus is on %q, want quality's first score", focused())
	}
	// The text typed is still there.
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#evidence-quality`)))
	if err != nil || kept != "Wrote the tests first." {
		t.Errorf("the evidence after the refused submit = %q, %v", kept, err)
	}
}
