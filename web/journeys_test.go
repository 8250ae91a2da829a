package web_test

import (
	"strings"
	"testing"

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
	if text := bodyText(t, ctx); strings.Contains(text, "The panel's submitted scorecards") || strings.Contains(text, "users/ivan") {
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
	if text := bodyText(t, ctx); !strings.Contains(text, "users/ivan") || !strings.Contains(text, "Your scorecard") {
		t.Errorf("after submitting, the page does not show the panel:\n%s", text)
	}
	shoot(t, ctx, "scorecard-submitted")
}
