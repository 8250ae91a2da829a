package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDebriefPagesInBrowser walks the recruiter's pages in headless
// Chromium, as a person would: the list, a debrief, the heat map, and a
// calibration computed through the form (no script needed, nothing the
// Content-Security-Policy blocks).
func TestDebriefPagesInBrowser(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/rita")

	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/candidates"), chromedp.WaitVisible(chromedp.CSS(`table.candidates`))); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "candidates")
	// Tick two candidates and compare them.
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#pick-demo-ada`)),
		chromedp.Click(chromedp.CSS(`#pick-demo-ken`)),
		chromedp.Click(chromedp.CSS(`table.candidates ~ p button, .scroll + p button`)),
		chromedp.WaitVisible(chromedp.CSS(`table.heatmap`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := bodyText(t, ctx); !strings.Contains(text, "Ada L.") || !strings.Contains(text, "Ken T.") || strings.Contains(text, "Grace H.") {
		t.Errorf("comparing the two ticked shows %q", text)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/candidates/demo-ada"), chromedp.WaitVisible(chromedp.CSS(`table.debrief-means`))); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "debrief")
	if text := bodyText(t, ctx); !strings.Contains(text, "disagreement") || !strings.Contains(text, "low coverage") {
		t.Errorf("ada's debrief shows no flags: %.500q", text)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/compare?role=ic"), chromedp.WaitVisible(chromedp.CSS(`table.heatmap`))); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "compare")

	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/calibration?role=ic"),
		chromedp.Click(chromedp.CSS(`form.scope button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "calibration")
	if text := bodyText(t, ctx); !strings.Contains(text, "Ines Duarte") || !strings.Contains(text, "Agreement per competency") {
		t.Errorf("the calibration report says %.500q", text)
	}
}
