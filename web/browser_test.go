package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser journeys run the app in headless Chromium (Debian's
// `chromium`, which .ci/run installs). Without it they skip, and say so;
// in CI (CI set) they fail instead, so a missing browser never passes for
// a green run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: .ci/run installs Debian's chromium for the browser journeys")
	}
	t.Skip("no chromium on PATH: install Debian's chromium to run the browser journeys (CI always runs them)")
	return ""
}

// newTab starts a headless browser for the test, with a phone-friendly
// but desktop-sized window.
func newTab(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		t.Fatal(err)
	}
	return ctx
}

// shoot saves a PNG screenshot of the whole page (quality 100 makes it a
// PNG), shootScreen one of what the screen shows: under docs/screenshots
// when YARDSTICK_SCREENSHOTS names that folder (how the README's pictures
// are made), else in the test's temporary folder.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	savePicture(t, ctx, name, chromedp.FullScreenshot(100))
}

func shootScreen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	savePicture(t, ctx, name, chromedp.CaptureScreenshot())
}

func savePicture(t *testing.T, ctx context.Context, name string, take chromedp.Action[[]byte]) {
	t.Helper()
	png, err := chromedp.Run(ctx, take)
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("YARDSTICK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // tests run in web/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signInAs signs in through the dev picker, as a person would.
func signInAs(t *testing.T, ctx context.Context, base, subject string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.Click(chromedp.CSS(`input[name=subject][value="`+subject+`"]`)),
		chromedp.Click(chromedp.CSS(`form.people button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", subject, err)
	}
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
		{"users/erin", "/growth"},
		{"users/omar", "/interviews"},
		{"users/omar", scorecard},
		{"users/ivan", "/me/calibration"},
		{"users/rita", "/candidates"},
		{"users/rita", "/candidates/demo-ada"},
		{"users/rita", "/compare?role=ic"},
		{"users/rita", "/calibration"},
		{"users/rita", "/candidates/demo-ada/self-identification"},
		{"users/rita", "/candidates/demo-ada/hired"},
		{"users/adam", "/admin"},
		{"users/adam", "/admin/frameworks/engineering"},
		{"users/adam", "/admin/rubrics/l3-coding"},
		{"users/adam", "/admin/rubrics/derive"},
		{"users/adam", "/admin/frameworks/engineering/grid"},
		{"users/adam", "/admin/people"},
		{"users/adam", "/admin/people/erin"},
		{"users/adam", "/admin/closed-loop"},
		{"users/adam", "/roles/new"},
		{"users/adam", "/roles/ic/edit"},
		{"users/cora", "/compliance?role=ic&category=gender"},
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

// bodyText is the visible text of the page.
func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestBrowserSignIn(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "signin")
	signInAs(t, ctx, s.URL, "users/rita")
	if text := bodyText(t, ctx); !strings.Contains(text, "Rita Okafor") || strings.Contains(text, "users/") {
		t.Errorf("home after sign-in says %q, want the user", text)
	}
}

// On a wide screen a competency of the scorecard, with all its anchors,
// fits one screen: scoring means reading every anchor at once, not
// scrolling a 3,800-pixel page for three competencies.
func TestScorecardFitsAWideScreen(t *testing.T) {
	ctx := newTab(t)
	s := startSite(t)
	signInAs(t, ctx, s.URL, "users/omar")
	path := "/interviews/demo-linus/" + s.interviewOf(t, "demo-linus", "users/omar")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`form.scorecard-form`))); err != nil {
		t.Fatal(err)
	}
	heights, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll(".sc-competency:has(> .sc-about)")].map((s) => s.getBoundingClientRect().height)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(heights) != 3 {
		t.Fatalf("%d competencies on the form, want 3", len(heights))
	}
	for i, h := range heights {
		if h > 900 {
			t.Errorf("competency %d is %.0f px tall at 1280 × 900: its anchors do not fit one screen", i+1, h)
		}
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the scorecard page is %.0f px tall at 1280 px, competencies %v", page, heights)
}
