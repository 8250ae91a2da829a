package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesFitAPhone opens every page of the app in Chromium emulating a
// phone (390 × 844 CSS pixels, a common size) and checks that none makes the
// whole page scroll sideways: wide tables scroll inside their own box, and
// everything else wraps. Interviewers fill scorecards on their phones
// between interviews, so the top of the scorecard form is also saved as a
// picture.
func TestPagesFitAPhone(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ who, path string }{
		{"users/erin", "/"},
		{"users/erin", "/ladder"},
		{"users/erin", "/ladder/engineering?track=ic"},
		{"users/erin", "/ladder/engineering/compare?track=ic&from=l3&to=l4"},
		{"users/omar", "/interviews"},
		{"users/omar", "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")},
		{"users/ivan", "/me/calibration"},
		{"users/rita", "/candidates"},
		{"users/rita", "/candidates/demo-ada"},
		{"users/rita", "/compare?role=ic"},
		{"users/rita", "/calibration"},
		{"users/adam", "/admin"},
		{"users/adam", "/admin/frameworks/engineering"},
		{"users/adam", "/admin/rubrics/l3-coding"},
	}
	signedIn := ""
	for _, p := range pages {
		if p.who != signedIn {
			if signedIn != "" {
				// Sign out first: on the sign-in page of a signed-in person
				// the sign-out form is already there, and signInAs would
				// not wait for the new session.
				err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS(`form.people`)))
				if err != nil {
					t.Fatalf("sign out %s: %v", signedIn, err)
				}
			}
			signInAs(t, ctx, s.URL, p.who)
			signedIn = p.who
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s as %s: %v", p.path, p.who, err)
		}
		// Mobile Chromium widens the layout to fit content that overflows
		// (and a page without the viewport meta tag is laid out 980 px
		// wide): either way the page no longer fits the phone.
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Math.max(window.innerWidth, document.documentElement.scrollWidth)`))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			culprit, _ := chromedp.Run(ctx, chromedp.Evaluate[string](widestElement))
			t.Errorf("%s as %s: the page is %d px wide on a 390 px phone (%s)", p.path, p.who, width, culprit)
		}
		if p.path == pages[5].path {
			shootScreen(t, ctx, "phone-scorecard")
		}
	}
}

// widestElement names the element that reaches furthest right, the one to
// blame when a page is wider than the screen. Elements inside a box that
// scrolls sideways on its own (or clips) are skipped: that box is the one
// to look at.
const widestElement = `(() => {
	const clipped = (el) => {
		for (let a = el.parentElement; a; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== 'visible') return true;
		}
		return false;
	};
	let worst = null, right = 0;
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.nodeType === Node.TEXT_NODE ? n.parentElement : n;
		if (!el || clipped(n.nodeType === Node.TEXT_NODE ? n : el)) continue;
		let r;
		if (n.nodeType === Node.TEXT_NODE) {
			const range = document.createRange();
			range.selectNodeContents(n);
			r = range.getBoundingClientRect().right;
		} else {
			r = el.getBoundingClientRect().right;
		}
		if (r > right) { right = r; worst = n; }
	}
	if (!worst) return '';
	const el = worst.nodeType === Node.TEXT_NODE ? worst.parentElement : worst;
	const id = el.id ? '#' + el.id : '';
	const cls = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '';
	const text = worst.nodeType === Node.TEXT_NODE ? ' (text "' + worst.textContent.trim().slice(0, 40) + '")' : '';
	return el.tagName.toLowerCase() + id + cls + text + ' ends at ' + Math.round(right) + ' px';
})()`
