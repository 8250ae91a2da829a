package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesNameEverythingForScreenReaders opens every page state and
// checks, in the browser's own DOM, what a screen reader needs and a
// sighted tester misses: a language, a title and a description of its own,
// one h1 and one main landmark, headings that do not skip a level, a name
// for every form control, button and link, radio buttons grouped under a
// legend (the score choices), charts with a text alternative, and unique
// ids (labels point at them). axe-core checks the rest
// (axe_browser_test.go).
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
	eachPageState(t, ctx, s, scorecard, audit)
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
	if (!document.title.trim() || /^(Yardstick|Error)?\s*·/.test(document.title)) problems.push('no <title> of its own: ' + document.title);
	const description = document.querySelector('meta[name="description"]');
	if (!description || !description.content.trim()) problems.push('no <meta name="description">');
	if (!document.querySelector('link[rel="icon"]')) problems.push('no <link rel="icon">');
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
