package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesFitAPhone opens every page state of the app in Chromium
// emulating a phone (390 × 844 CSS pixels, a common size) and checks that
// none makes the whole page scroll sideways: wide tables scroll inside their
// own box, and everything else wraps. It also checks what layoutProblems
// lists: every column of every table on screen or in a box the keyboard
// can scroll, and chart text at least 12 px. Interviewers fill scorecards
// on their phones between interviews, so the top of the scorecard form is
// also saved as a picture.
func TestPagesFitAPhone(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	scorecard := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	eachPageState(t, ctx, s, scorecard, func(p sitePage) {
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
		checkLayout(t, ctx, p)
	})
}

// checkLayout reports what layoutProblems finds on the page loaded, with
// every <details> opened first (the tables and charts they hold count too).
func checkLayout(t *testing.T, ctx context.Context, p sitePage) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](layoutProblems))
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range problems {
		t.Errorf("%s as %s: %s", p.path, p.who, problem)
	}
}

// layoutProblems lists the columns a reader cannot reach and the chart text
// too small to read, at the window's width. A table cell hidden by CSS is a
// hidden column; one beyond the window's edges must sit in a box that
// scrolls sideways, fits the window, is named and takes the keyboard's
// focus (role="region", a label, tabindex="0"), so that it can be reached
// without a mouse. A table's caption must wrap within the window. Chart
// text must render at 12 CSS px or more once the chart is scaled to its
// box, inside the chart, and clear of other text.
const layoutProblems = `(() => {
	const problems = [];
	document.querySelectorAll('details:not([open])').forEach((d) => { d.open = true; });
	const width = document.documentElement.clientWidth;
	const describe = (el) => {
		const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' "' + text + '"';
	};
	const scroller = (el) => {
		for (let a = el.parentElement; a; a = a.parentElement) {
			const o = getComputedStyle(a).overflowX;
			if (o !== 'visible') return a;
		}
		return null;
	};
	const named = (el) => (el.getAttribute('aria-label') || '').trim() !== '' ||
		(el.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => id && document.getElementById(id));
	for (const table of document.querySelectorAll('main table')) {
		if (table.closest('.visually-hidden')) continue;
		const box = scroller(table);
		let reported = false;
		for (const cell of table.querySelectorAll('th, td')) {
			if (reported) break;
			if (getComputedStyle(cell).display === 'none' && !table.closest('[hidden]')) {
				problems.push('a column is hidden: ' + describe(cell));
				reported = true;
				continue;
			}
			const r = cell.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.left >= -1 && r.right <= width + 1) continue;
			reported = true;
			const where = 'the cell ' + describe(cell) + ' (' + Math.round(r.left) + ' to ' + Math.round(r.right) + ' px) is off a ' + width + ' px window';
			if (!box || box === document.documentElement || box === document.body) { problems.push(where + ', outside any box that scrolls'); continue; }
			const o = getComputedStyle(box).overflowX;
			const b = box.getBoundingClientRect();
			if (o !== 'auto' && o !== 'scroll') problems.push(where + ', clipped by ' + describe(box) + ' (overflow-x: ' + o + ')');
			else if (b.left < -1 || b.right > width + 1) problems.push(where + ', in a scrolling box that is itself off the window');
			else if (box.tabIndex < 0 || !named(box)) problems.push(where + ', in a scrolling box the keyboard cannot reach (want tabindex="0", role="region" and a label)');
		}
	}
	for (const svg of document.querySelectorAll('main svg')) {
		const frame = svg.getBoundingClientRect();
		if (frame.width === 0) continue;
		const texts = [...svg.querySelectorAll('text')].filter((t) => t.getClientRects().length > 0);
		const boxes = [];
		let small = 0, smallest = null;
		for (const t of texts) {
			const m = t.getScreenCTM();
			const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
			if (size < 11.95) {
				small++;
				if (!smallest || size < smallest[1]) smallest = [t.textContent, size];
			}
			const r = t.getBoundingClientRect();
			if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1) problems.push('chart text "' + t.textContent + '" sticks out of its chart');
			for (const [other, o] of boxes) {
				if (r.left < o.right - 1 && o.left < r.right - 1 && r.top < o.bottom - 1 && o.top < r.bottom - 1) problems.push('chart texts "' + other + '" and "' + t.textContent + '" overlap');
			}
			boxes.push([t.textContent, r]);
		}
		if (small) problems.push('a chart (' + (svg.getAttribute('aria-label') || svg.getAttribute('class')) + ') has ' + small + ' of its ' + texts.length +
			' texts under 12 px, down to "' + smallest[0] + '" at ' + smallest[1].toFixed(1) + ' px');
	}
	for (const caption of document.querySelectorAll('main caption')) {
		if (caption.classList.contains('visually-hidden') || caption.getClientRects().length === 0) continue;
		const r = caption.getBoundingClientRect();
		if (r.left < -1 || r.right > width + 1) problems.push('the caption ' + describe(caption) + ' runs off a ' + width + ' px window (' + Math.round(r.left) + ' to ' + Math.round(r.right) + ' px)');
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
