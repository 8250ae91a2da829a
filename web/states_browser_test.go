package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// eachPageState is eachPage, then the pages and states it does not open:
// the roles, errors beside their fields, a draft with its diff, an edit
// conflict, a calibration report just computed, a submitted scorecard.
// check is called with each state loaded; the path it gets says which.
func eachPageState(t *testing.T, ctx context.Context, s *site, scorecard string, check func(sitePage)) {
	t.Helper()
	eachPage(t, ctx, s, scorecard, check)
	// setText replaces a text field's value without typing it key by key.
	setText := func(sel, js string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(` + jsString(sel) + `); el.value = ` + js + `; })()`)
	}
	const fw = "/admin/frameworks/engineering"
	var staleEtag string
	states := []struct {
		who, path string
		do        func(ctx context.Context) error
	}{
		{"users/adam", fw + " (saved, with a diff)", func(ctx context.Context) error {
			err := chromedp.Do(ctx, chromedp.Navigate(s.URL+fw), chromedp.WaitVisible(chromedp.CSS(`#content`)))
			if err != nil {
				return err
			}
			// The version the form carries now, stale after this save.
			if staleEtag, err = chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name=etag]`))); err != nil {
				return err
			}
			return chromedp.Do(ctx,
				setText(`#content`, `document.querySelector('#content').value.replace(/^title: .*$/m, 'title: Engineering, edited')`),
				chromedp.Submit(chromedp.CSS(`#content`)),
				chromedp.WaitVisible(chromedp.CSS(`pre.diff`)))
		}},
		{"users/adam", fw + " (an edit conflict)", func(ctx context.Context) error {
			// The page after the save, sent again with the version before it.
			return chromedp.Do(ctx,
				setText(`input[name=etag]`, jsString(staleEtag)),
				setText(`#content`, `document.querySelector('#content').value.replace(/^title: .*$/m, 'title: Engineering, edited twice')`),
				chromedp.Submit(chromedp.CSS(`#content`)),
				chromedp.WaitVisible(chromedp.CSS(`#theirs-heading`)))
		}},
		{"users/adam", fw + " (YAML that does not parse)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+fw),
				setText(`#content`, `'title: [unclosed'`),
				chromedp.Submit(chromedp.CSS(`#content`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		}},
		{"users/adam", "/admin (an import with errors)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/admin"),
				setText(`#import-id`, `'Not An ID'`),
				setText(`#import-content`, `'title: [unclosed'`),
				chromedp.Submit(chromedp.CSS(`#import-id`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		}},
		{"users/adam", "/admin/rubrics/l3-coding (an anchor left empty)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/admin/rubrics/l3-coding"),
				setText(`form.anchors textarea`, `''`),
				chromedp.Submit(chromedp.CSS(`form.anchors`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		}},
		{"users/adam", "/admin/rubrics/derive (errors)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/admin/rubrics/derive"),
				setText(`#interview_type`, `'coding'`),
				setText(`#rubric_id`, `'Not An ID!'`),
				chromedp.Submit(chromedp.CSS(`form.derive`)),
				chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		}},
		{"users/adam", "/no/such/page (signed in)", func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.Navigate(s.URL+"/no/such/page"), chromedp.WaitVisible(chromedp.CSS(`main`)))
		}},
		{"users/erin", "/growth/erin/2026-h2 (a new assessment)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/growth"),
				setText(`#growth-cycle`, `'2026-h2'`),
				chromedp.Submit(chromedp.CSS(`#growth-cycle`)),
				chromedp.WaitVisible(chromedp.CSS(`fieldset.growth-entry`)))
		}},
		{"users/rita", "/roles", func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.Navigate(s.URL+"/roles"), chromedp.WaitVisible(chromedp.CSS(`main`)))
		}},
		{"users/rita", "/roles/ic", func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.Navigate(s.URL+"/roles/ic"), chromedp.WaitVisible(chromedp.CSS(`main`)))
		}},
		{"users/rita", "/calibration (a report computed)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/calibration?role=ic"),
				chromedp.Click(chromedp.CSS(`form.scope button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
		}},
		{"users/rita", "/compare (two candidates ticked)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/compare?names=candidates/demo-ada&names=candidates/demo-ken"),
				chromedp.WaitVisible(chromedp.CSS(`table.heatmap`)))
		}},
		{"users/rita", "/candidates/demo-ada (a decision refused)", func(ctx context.Context) error {
			// The decision form, sent without a rationale: the errors at
			// their fields, the form open.
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/candidates/demo-ada"),
				chromedp.Click(chromedp.CSS(`#decision summary`)),
				chromedp.Click(chromedp.CSS(`#outcome-hold`)),
				chromedp.Submit(chromedp.CSS(`form.decision-form`)),
				chromedp.WaitVisible(chromedp.CSS(`#decision .error-summary`)))
		}},
		{"users/omar", scorecard + " (submitted with gaps)", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+scorecard),
				chromedp.Click(chromedp.CSS(`button[value=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#form-errors`)))
		}},
		{"users/omar", "a submitted scorecard", func(ctx context.Context) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/interviews"),
				chromedp.Click(chromedp.CSS(`section[aria-labelledby=submitted] a`)),
				chromedp.WaitVisible(chromedp.CSS(`#panel-cards`)))
		}},
	}
	signedIn := ""
	for _, st := range states {
		if st.who != signedIn {
			switchTo(t, ctx, s, st.who)
			signedIn = st.who
		}
		// A state that does not come is a failure, not a wait until the
		// test's deadline.
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := st.do(sctx)
		cancel()
		if err != nil {
			t.Fatalf("%s as %s: %v", st.path, st.who, err)
		}
		check(sitePage{st.who, st.path})
	}
}

// switchTo signs out whoever is signed in, and signs in as who.
func switchTo(t *testing.T, ctx context.Context, s *site, who string) {
	t.Helper()
	// Home, not the sign-in page: that one shows the people to sign in as
	// to a signed-in person too, so their form would not say that the
	// sign-out is done.
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	in, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form.signout') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if in {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS(`form.people`))); err != nil {
			t.Fatalf("sign out: %v", err)
		}
	}
	signInAs(t, ctx, s.URL, who)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\u2028", `\u2028`, "\u2029", `\u2029`)
	return "'" + r.Replace(s) + "'"
}
