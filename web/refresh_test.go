package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// renewing is a signed-in browser whose sessions need renewing on every
// page (ID tokens of a minute, within refreshAhead).
type renewing struct {
	t      *testing.T
	p      *provider
	site   string
	client *http.Client
}

func signInRenewing(t *testing.T) *renewing {
	t.Helper()
	p := newProvider(t)
	p.ttl = time.Minute
	site, client := signInWithOIDC(t, p)
	return &renewing{t: t, p: p, site: site, client: client}
}

// home opens "/" and returns the status and where the browser ended up.
func (b *renewing) home() (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.site + "/")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, resp.Request.URL.Path
}

// traded is the refresh tokens the app traded so far, in order.
func (b *renewing) traded() []string {
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	return slices.Clone(b.p.refreshes)
}

func (b *renewing) cookie(name string) *http.Cookie {
	u, err := url.Parse(b.site)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// dropSession makes the session cookie lapse, as its token's expiry would.
func (b *renewing) dropSession() {
	u, err := url.Parse(b.site)
	if err != nil {
		b.t.Fatal(err)
	}
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "ys_session", Value: "", Path: "/", MaxAge: -1}})
}

func (b *renewing) set(change func(p *provider)) {
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	change(b.p)
}

// A session whose ID token is about to expire is renewed with the kept
// refresh token (rotated at each renewal), without the person noticing;
// once the provider refuses the refresh token, the next page asks them to
// sign in again. An autosave without a session is told so, never
// redirected (fetch would take the sign-in page for a saved draft).
func TestOIDCSessionIsRenewed(t *testing.T) {
	b := signInRenewing(t)
	for range 2 {
		if code, path := b.home(); code != http.StatusOK || path != "/" {
			t.Fatalf("home with a session about to expire = %d at %s, want 200 at /", code, path)
		}
	}
	// The page the sign-in lands on renews too: three renewals.
	if got, want := b.traded(), []string{"rt-1", "rt-2", "rt-3"}; !slices.Equal(got, want) {
		t.Fatalf("refresh tokens traded = %v, want %v: each renewal with the token the last one gave", got, want)
	}

	// The provider ends the session; the session cookie lapses.
	b.set(func(p *provider) { p.revoked = true })
	b.dropSession()
	if code, path := b.home(); code != http.StatusOK || path != "/signin" {
		t.Errorf("home after the provider refused the renewal = %d at %s, want the sign-in page", code, path)
	}
	if b.cookie("ys_refresh") != nil {
		t.Errorf("the refused refresh token is still kept")
	}

	req, err := http.NewRequest(http.MethodPost, b.site+"/interviews/c1/i1", strings.NewReader("action=save"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Autosave", "1")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Not saved") {
		t.Errorf("autosave without a session = %d %q, want 401 saying nothing was saved", resp.StatusCode, body)
	}
}

// Providers rotate refresh tokens and may revoke every token of a session
// when one is used twice. Requests of one browser arriving together share
// one renewal, and a request that still carries the token a renewal just
// traded (sent before the answer with the new cookies arrived) gets that
// renewal's result: the provider sees each token once.
func TestOIDCRenewalsNeverReuseARotatedToken(t *testing.T) {
	b := signInRenewing(t)
	u, err := url.Parse(b.site)
	if err != nil {
		t.Fatal(err)
	}
	before := b.client.Jar.Cookies(u) // carry rt-2, from the landing page's renewal
	b.set(func(p *provider) { p.refreshTakes = 200 * time.Millisecond })
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = b.home()
		}()
	}
	wg.Wait()
	late, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	late.SetCookies(u, before)
	stale := &renewing{t: t, p: b.p, site: b.site, client: &http.Client{Jar: late}}
	if code, path := stale.home(); code != http.StatusOK || path != "/" {
		t.Errorf("a request with the token just traded = %d at %s, want 200 at /", code, path)
	}
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("request %d of 5 at once = %d, want 200", i, code)
		}
	}
	if got, want := b.traded(), []string{"rt-1", "rt-2"}; !slices.Equal(got, want) {
		t.Errorf("refresh tokens traded = %v, want %v: one renewal for the five requests and the late one", got, want)
	}
}

// A renewal never turns the browser into someone else: a renewed ID token
// of another subject ends the session, and a sign-in without a refresh
// token drops the one an earlier sign-in kept. A provider that fails
// (not refuses) leaves the refresh token for the next try; one that renews
// without an ID token still has its rotated refresh token kept.
func TestOIDCRenewalKeepsThePerson(t *testing.T) {
	t.Run("another subject", func(t *testing.T) {
		b := signInRenewing(t)
		b.set(func(p *provider) { p.refreshAs = "users/mallory" })
		b.dropSession()
		if code, path := b.home(); code != http.StatusOK || path != "/signin" {
			t.Errorf("home after a renewal naming another subject = %d at %s, want the sign-in page", code, path)
		}
		if b.cookie("ys_refresh") != nil || b.cookie("ys_session") != nil {
			t.Errorf("a renewal naming another subject left a session or refresh token")
		}
	})
	t.Run("sign-in without a refresh token", func(t *testing.T) {
		b := signInRenewing(t)
		if b.cookie("ys_refresh") == nil {
			t.Fatal("no refresh token kept after the first sign-in")
		}
		b.set(func(p *provider) { p.noRefresh = true })
		resp, err := b.client.Get(b.site + "/signin/oidc?next=/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if b.cookie("ys_refresh") != nil {
			t.Errorf("the first sign-in's refresh token outlived the second sign-in")
		}
	})
	t.Run("provider failing", func(t *testing.T) {
		b := signInRenewing(t)
		b.set(func(p *provider) { p.failing = true })
		if code, path := b.home(); code != http.StatusOK || path != "/" {
			t.Errorf("home while the provider fails = %d at %s, want the page (the session has a minute left)", code, path)
		}
		if b.cookie("ys_refresh") == nil {
			t.Errorf("a failing provider made the app drop its refresh token")
		}
		b.set(func(p *provider) { p.failing = false })
		if code, _ := b.home(); code != http.StatusOK || !slices.Contains(b.traded()[2:], "rt-2") {
			t.Errorf("after the provider recovered: %d, traded %v, want rt-2 traded again", code, b.traded())
		}
	})
	t.Run("no ID token", func(t *testing.T) {
		b := signInRenewing(t)
		b.set(func(p *provider) { p.noIDToken = true })
		b.home() // trades rt-2 for rt-3, without an ID token
		b.set(func(p *provider) { p.noIDToken = false })
		b.dropSession()
		if code, path := b.home(); code != http.StatusOK || path != "/" {
			t.Errorf("home after a renewal without an ID token = %d at %s, want 200 at /", code, path)
		}
		if got, want := b.traded(), []string{"rt-1", "rt-2", "rt-3"}; !slices.Equal(got, want) {
			t.Errorf("refresh tokens traded = %v, want %v: the token rotated without an ID token is kept", got, want)
		}
	})
}

// Sign-out revokes the kept refresh token at the provider and clears every
// cookie; a sign-out form from before a renewal still posts.
func TestOIDCSignOutRevokesTheRefreshToken(t *testing.T) {
	b := signInRenewing(t)
	b.home() // renews: rt-2 for rt-3
	resp, err := b.client.PostForm(b.site+"/signout", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/signin" {
		t.Errorf("sign-out after a renewal ended at %s (%d), want /signin", resp.Request.URL.Path, resp.StatusCode)
	}
	b.p.mu.Lock()
	revoked := slices.Clone(b.p.revokedBy)
	b.p.mu.Unlock()
	if !slices.Equal(revoked, []string{"rt-3"}) {
		t.Errorf("tokens revoked at sign-out = %v, want [rt-3]", revoked)
	}
	for _, name := range []string{"ys_session", "ys_refresh"} {
		if b.cookie(name) != nil {
			t.Errorf("cookie %s survived sign-out", name)
		}
	}
}
