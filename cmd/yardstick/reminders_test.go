package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReminderFlags(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		args          []string
		dev           bool
		publicDefault string
		devKeyDir     string
		wantErr       string // "" for none
	}{
		{name: "off without --smtp-addr", args: nil},
		{name: "serve needs --public-url", args: []string{"--smtp-addr", "mail:587", "--smtp-from", "y@example.com", "--service-token-file", tokenFile}, wantErr: "--public-url"},
		{name: "serve needs a token", args: []string{"--smtp-addr", "mail:587", "--smtp-from", "y@example.com", "--public-url", "https://ys.example.com"}, wantErr: "--service-token-file"},
		{name: "serve with a token file", args: []string{"--smtp-addr", "mail:587", "--smtp-from", "y@example.com", "--public-url", "https://ys.example.com", "--service-token-file", tokenFile}},
		{name: "a token file that is not there", args: []string{"--smtp-addr", "mail:587", "--smtp-from", "y@example.com", "--public-url", "https://ys.example.com", "--service-token-file", tokenFile + "-nope"}, wantErr: "--service-token-file"},
		{name: "serve needs a sender", args: []string{"--smtp-addr", "mail:587", "--public-url", "https://ys.example.com", "--service-token-file", tokenFile}, wantErr: "sender"},
		{name: "a TLS mode nobody knows", args: []string{"--smtp-addr", "mail:587", "--smtp-from", "y@example.com", "--smtp-tls", "ssl", "--public-url", "https://ys.example.com", "--service-token-file", tokenFile}, wantErr: "starttls, tls, none"},
		{name: "dev mints its token, links to its own app", args: []string{"--smtp-addr", "127.0.0.1:1025"}, dev: true, publicDefault: "http://127.0.0.1:8080", devKeyDir: dir},
	} {
		t.Run(c.name, func(t *testing.T) {
			var f reminderFlags
			fs := newFlagSet("test", os.Stderr)
			f.register(fs, c.dev)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			s, err := f.settings(c.publicDefault, c.devKeyDir)
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("settings(%v) = %v, want an error naming %s", c.args, err, c.wantErr)
				}
			case err != nil:
				t.Errorf("settings(%v) = %v", c.args, err)
			case len(c.args) > 0 && (s.Reminders.Mail == nil || s.Reminders.Token == nil || s.Reminders.PublicURL == ""):
				t.Errorf("settings(%v) = %+v, want mail, a token and the links' base", c.args, s.Reminders)
			}
		})
	}
}

// The token file is read again once it changes: the identity provider's
// tooling renews it in place.
func TestReminderTokenFileIsReadAgainWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token := tokenFromFile(path)
	if got, err := token(context.Background()); got != "first" || err != nil {
		t.Fatalf("token = %q, %v; want first", got, err)
	}
	if err := os.WriteFile(path, []byte("second-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute) // a later modification time, whatever the clock's resolution
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if got, err := token(context.Background()); got != "second-token" || err != nil {
		t.Errorf("token after a renewal = %q, %v; want second-token", got, err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := token(context.Background()); err == nil {
		t.Error("token of an empty file: no error")
	}
}

func TestNotJobRelatedWordsFile(t *testing.T) {
	dir := t.TempDir()
	good, empty := filepath.Join(dir, "words"), filepath.Join(dir, "empty")
	if err := os.WriteFile(good, []byte("# ours\nGolf\n\n  his club  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, []byte("# nothing\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := reminderFlags{notJobRelatedFile: good}
	settings, err := f.settings("", "")
	if err != nil || strings.Join(settings.NotJobRelated, "|") != "golf|his club" {
		t.Errorf("settings from %s = %q, %v; want golf and his club", good, settings.NotJobRelated, err)
	}
	for _, path := range []string{empty, filepath.Join(dir, "missing")} {
		f := reminderFlags{notJobRelatedFile: path}
		if _, err := f.settings("", ""); err == nil || !strings.Contains(err.Error(), "--not-job-related-words") {
			t.Errorf("settings with %s: %v, want an error naming the flag", path, err)
		}
	}
}

func TestSelfIDCategoriesFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("- id: veteran\n  title: Veteran status\n  answers:\n    - {id: veteran, title: Protected veteran}\n    - {id: not-veteran, title: Not a veteran}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("- id: Bad ID\n  title: X\n  answers: [{id: a, title: A}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := reminderFlags{selfIDFile: good}
	settings, err := f.settings("", "")
	if err != nil || len(settings.SelfIDCategories) != 1 || settings.SelfIDCategories[0].GetId() != "veteran" || len(settings.SelfIDCategories[0].GetAnswers()) != 2 {
		t.Errorf("settings from %s = %v, %v; want the veteran category with two answers", good, settings.SelfIDCategories, err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing")} {
		f := reminderFlags{selfIDFile: path}
		if _, err := f.settings("", ""); err == nil || !strings.Contains(err.Error(), "--self-id-categories") {
			t.Errorf("settings with %s: %v, want an error naming the flag", path, err)
		}
	}
}
