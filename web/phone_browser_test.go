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
	scorecard := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	eachPage(t, ctx, s, scorecard, func(p sitePage) {
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
		if p.path == scorecard {
			shootScreen(t, ctx, "phone-scorecard")
		}
	})
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
