package web_test

import (
	"context"
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

// TestPagesNameEverythingForScreenReaders opens every page and checks, in
// the browser's own DOM, what a screen reader needs and a sighted tester
// misses: a language, a title, one h1 and one main landmark, headings that
// do not skip a level, a name for every form control, button and link,
// radio buttons grouped under a legend (the score choices), charts with a
// text alternative, and unique ids (labels point at them).
func TestPagesNameEverythingForScreenReaders(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	audit := func(p sitePage) {
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](accessibilityAudit))
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range problems {
			t.Errorf("%s as %s: %s", p.path, p.who, problem)
		}
	}
	// Signed out: the sign-in page, and a page that is not there.
	for _, path := range []string{"/signin", "/no/such/page"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		audit(sitePage{"nobody", path})
	}
	scorecard := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	eachPage(t, ctx, s, scorecard, audit)
}

// sitePage is a page of the app and the person it is for.
type sitePage struct{ who, path string }

// eachPage signs in as each person in turn, opens each of their pages, and
// calls check with the page loaded.
func eachPage(t *testing.T, ctx context.Context, s *site, scorecard string, check func(sitePage)) {
	t.Helper()
	pages := []sitePage{
		{"users/erin", "/"},
		{"users/erin", "/ladder"},
		{"users/erin", "/ladder/engineering?track=ic"},
		{"users/erin", "/ladder/engineering/compare?track=ic&from=l3&to=l4"},
		{"users/omar", "/interviews"},
		{"users/omar", scorecard},
		{"users/ivan", "/me/calibration"},
		{"users/rita", "/candidates"},
		{"users/rita", "/candidates/demo-ada"},
		{"users/rita", "/compare?role=ic"},
		{"users/rita", "/calibration"},
		{"users/adam", "/admin"},
		{"users/adam", "/admin/frameworks/engineering"},
		{"users/adam", "/admin/rubrics/l3-coding"},
		{"users/adam", "/admin/rubrics/derive"},
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
		check(p)
	}
}

// accessibilityAudit lists what a page lacks for a screen reader.
const accessibilityAudit = `(() => {
	const problems = [];
	const describe = (el) => {
		const id = el.id ? '#' + el.id : '';
		const name = el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '';
		return el.tagName.toLowerCase() + id + name;
	};
	const hidden = (el) => el.closest('[hidden], [aria-hidden="true"]') !== null;
	const named = (el) => (el.getAttribute('aria-label') || '').trim() !== '' ||
		(el.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => id && document.getElementById(id)) ||
		(el.getAttribute('title') || '').trim() !== '';
	if (!document.documentElement.lang) problems.push('no lang on <html>');
	if (!document.title.trim()) problems.push('no <title>');
	const h1 = document.querySelectorAll('h1').length;
	if (h1 !== 1) problems.push(h1 + ' <h1> elements, want 1');
	const mains = document.querySelectorAll('main').length;
	if (mains !== 1) problems.push(mains + ' <main> landmarks, want 1');
	let last = 0;
	for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
		const level = Number(h.tagName[1]);
		if (last && level > last + 1) problems.push('heading "' + h.textContent.trim().slice(0, 40) + '" is h' + level + ' after h' + last);
		last = level;
	}
	for (const el of document.querySelectorAll('input, select, textarea')) {
		const type = (el.getAttribute('type') || '').toLowerCase();
		if (type === 'hidden' || type === 'submit' || type === 'button' || hidden(el)) continue;
		if (el.labels.length === 0 && !named(el)) problems.push(describe(el) + ' has no label');
		if (type === 'radio') {
			const set = el.closest('fieldset');
			if (!set || !set.querySelector('legend') || !set.querySelector('legend').textContent.trim()) problems.push(describe(el) + ' is a radio button outside a fieldset with a legend');
		}
	}
	for (const el of document.querySelectorAll('button, a[href], input[type=submit], input[type=button]')) {
		if (hidden(el)) continue;
		const text = (el.textContent || el.value || '').trim();
		if (!text && !named(el)) problems.push(describe(el) + ' has no text or label');
	}
	for (const svg of document.querySelectorAll('svg')) {
		if (hidden(svg) || svg.parentElement.closest('svg')) continue;
		const title = svg.querySelector(':scope > title');
		if (svg.getAttribute('role') !== 'img' || !(named(svg) || (title && title.textContent.trim()))) problems.push('a chart (svg) without role="img" and a text alternative');
	}
	for (const img of document.querySelectorAll('img')) {
		if (!img.hasAttribute('alt')) problems.push('an <img> without alt');
	}
	const seen = new Set();
	for (const el of document.querySelectorAll('[id]')) {
		if (seen.has(el.id)) problems.push('id "' + el.id + '" is used twice');
		seen.add(el.id);
	}
	return problems;
})()`

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
