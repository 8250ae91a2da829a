package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesPassAxe runs axe-core (Deque's accessibility engine, the
// checker most audits use) on every page state: signed out, each page of
// each person, the states a form leads to, and each page again with its
// <details> open. Any violation fails the test, named by rule, impact,
// element and page. It complements the hand-written audit of
// a11y_browser_test.go, which checks what axe does not (one h1, headings
// in order, radio buttons under a legend). The window is 1280 px wide, so
// it also checks there what TestPagesFitAPhone checks at 390 px: columns
// within reach, chart text legible (layoutProblems).
func TestPagesPassAxe(t *testing.T) {
	ctx := newTab(t)
	script := axeScript(t)
	s := startSite(t)
	check := func(p sitePage) {
		t.Helper()
		for _, v := range axeViolations(t, ctx, script) {
			t.Errorf("%s as %s: axe %s", p.path, p.who, v)
		}
		checkLayout(t, ctx, p)
	}
	for _, path := range []string{"/signin", "/no/such/page"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		check(sitePage{"nobody", path})
	}
	scorecard := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	eachPageState(t, ctx, s, scorecard, check)
}

// axeDir holds the pinned axe-core (tools/axe/package.json and its lock
// file); npm installs it under node_modules there, which git ignores.
var axeDir = filepath.Join("..", "tools", "axe")

// axeScript is axe-core's axe.min.js, installed with `npm ci` on first use
// (and again when the lock file pins another version). Without npm the
// test fails, and says how to install it: a page nobody checked must not
// pass for an accessible one.
func axeScript(t *testing.T) string {
	t.Helper()
	min := filepath.Join(axeDir, "node_modules", "axe-core", "axe.min.js")
	if want, got := axeVersion(t, "package-lock.json"), axeVersion(t, filepath.Join("node_modules", "axe-core", "package.json")); got != want {
		have := "is not installed"
		if got != "" {
			have = "is pinned, but tools/axe has " + got
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatalf("axe-core %s %s, and there is no npm on PATH to install it: install Node.js and npm, then run `npm ci --ignore-scripts` in tools/axe (.ci/run does)", want, have)
		}
		t.Logf("axe-core %s %s: installing it with npm ci in tools/axe", want, have)
		cmd := exec.Command(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = axeDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in tools/axe: %v\n%s\nInstall axe-core by hand with `npm ci --ignore-scripts` in tools/axe.", err, out)
		}
	}
	b, err := os.ReadFile(min)
	if err != nil {
		t.Fatalf("axe-core: %v (run `npm ci --ignore-scripts` in tools/axe)", err)
	}
	return string(b)
}

// axeVersion is the version of axe-core a package file of tools/axe names:
// the lock file's pin, or the installed package's own package.json ("" if
// it is not installed).
func axeVersion(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(axeDir, file))
	if os.IsNotExist(err) && strings.HasPrefix(file, "node_modules") {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Version  string
		Packages map[string]struct{ Version string }
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if pkg.Packages != nil {
		return pkg.Packages["node_modules/axe-core"].Version
	}
	return pkg.Version
}

// axeViolations runs axe on the page loaded, with every rule axe enables by
// default (WCAG 2.x A and AA, and best practices such as unique landmarks),
// and then, if the page has closed <details>, again with them open.
func axeViolations(t *testing.T, ctx context.Context, script string) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	var out []string
	for _, state := range []string{"", "with every <details> open"} {
		if state != "" {
			opened, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
				const closed = [...document.querySelectorAll('details:not([open])')];
				closed.forEach((d) => { d.open = true; });
				return closed.length;
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if opened == 0 {
				break
			}
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("run axe-core: %v", err)
		}
		for _, v := range found {
			s := fmt.Sprintf("%s (%s): %s, on %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
			if state != "" {
				s += " (" + state + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// axeViolation is a rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

const axeRun = `axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.map((n) => n.target.join(' ') + ' ' + n.html.replace(/\s+/g, ' ').slice(0, 120)),
})))`
