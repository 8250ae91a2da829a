package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/mailer"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// reminderFlags are the flags of the feedback service's emails about
// overdue scorecards (services/feedback/reminders.go), on `dev` and on
// `serve feedback`. Without --smtp-addr there are none.
type reminderFlags struct {
	smtpAddr, smtpFrom, smtpUser, smtpPasswordFile, smtpTLS string
	after                                                   time.Duration
	publicURL                                               string
	tokenFile                                               string
	// notJobRelatedFile replaces the evidence checks' list of words that
	// are not job-related (not a reminder's, but the same service's);
	// selfIDFile the categories of self-identification.
	notJobRelatedFile, selfIDFile string
}

func (f *reminderFlags) register(fs *flag.FlagSet, dev bool) {
	tlsDefault, fromDefault := string(mailer.StartTLS), ""
	if dev { // a mail catcher on this machine (mailpit, MailHog) speaks plain SMTP
		tlsDefault, fromDefault = string(mailer.NoTLS), "Yardstick <yardstick@localhost>"
	}
	fs.StringVar(&f.smtpAddr, "smtp-addr", "", "SMTP server (host:port) for the reminders about overdue scorecards; none are sent when empty")
	fs.StringVar(&f.smtpFrom, "smtp-from", fromDefault, "sender of the reminders, for example \"Yardstick <yardstick@example.com>\"")
	fs.StringVar(&f.smtpUser, "smtp-username", "", "SMTP user name; no authentication when empty")
	fs.StringVar(&f.smtpPasswordFile, "smtp-password-file", "", "file holding the SMTP password")
	fs.StringVar(&f.smtpTLS, "smtp-tls", tlsDefault, "SMTP transport security: starttls, tls (implicit, port 465) or none")
	fs.DurationVar(&f.after, "reminder-after", feedback.DefaultReminderAfter, "how long after an interview its scorecard is overdue")
	publicUsage := "base URL of the web app, for the links in the reminders (required with --smtp-addr)"
	if dev {
		publicUsage = "base URL of the web app, for the links in the reminders; the gateway's address when empty"
	}
	fs.StringVar(&f.publicURL, "public-url", "", publicUsage)
	fs.StringVar(&f.notJobRelatedFile, "not-job-related-words", "",
		"file of the words and phrases (one a line; # comments) the evidence checks flag as not job-related, instead of the built-in list")
	fs.StringVar(&f.selfIDFile, "self-id-categories", "",
		"YAML file of the categories of voluntary self-identification ([{id, title, answers: [{id, title}]}]), instead of the built-in gender and ethnicity")
	fs.StringVar(&f.tokenFile, "service-token-file", "",
		"file holding the feedback service's own JWT, for its background jobs (reminders, announcing publications); re-read when it changes; without it, a token minted with the dev key when the services trust it")
}

// settings turns the flags into the services' settings. publicURL is the
// default of --public-url ("" for none); devKeyDir, when not empty, is the
// data directory whose dev key the services trust, to mint the job's token
// with when no --service-token-file is given.
func (f *reminderFlags) settings(publicURL, devKeyDir string) (services.Settings, error) {
	var settings services.Settings
	if f.notJobRelatedFile != "" {
		words, err := readWordList(f.notJobRelatedFile)
		if err != nil {
			return services.Settings{}, err
		}
		settings.NotJobRelated = words
	}
	if f.selfIDFile != "" {
		cats, err := readSelfIDCategories(f.selfIDFile)
		if err != nil {
			return services.Settings{}, err
		}
		settings.SelfIDCategories = cats
	}
	switch {
	case f.tokenFile != "":
		settings.Token = tokenFromFile(f.tokenFile)
		if _, err := settings.Token(context.Background()); err != nil { // a typo fails the start, not every round
			return services.Settings{}, err
		}
	case devKeyDir != "":
		key, err := auth.LoadOrCreateDevKey(devKeyDir)
		if err != nil {
			return services.Settings{}, err
		}
		settings.Token = services.DevServiceToken(key)
	}
	if f.smtpAddr == "" {
		return settings, nil
	}
	if f.publicURL != "" {
		publicURL = f.publicURL
	}
	if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return services.Settings{}, errors.New("--smtp-addr needs --public-url, the web app's base URL (https://yardstick.example.com)")
	}
	if f.after <= 0 {
		return services.Settings{}, errors.New("--reminder-after must be positive")
	}
	tlsMode, err := mailer.ParseTLS(f.smtpTLS)
	if err != nil {
		return services.Settings{}, err
	}
	password := ""
	if f.smtpPasswordFile != "" {
		b, err := os.ReadFile(f.smtpPasswordFile)
		if err != nil {
			return services.Settings{}, fmt.Errorf("--smtp-password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	sender, err := mailer.New(mailer.Config{Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser, Password: password, TLS: tlsMode})
	if err != nil {
		return services.Settings{}, err
	}
	if settings.Token == nil {
		return services.Settings{}, errors.New("--smtp-addr needs --service-token-file: a token the services accept, for the reminders to read the people directory with")
	}
	settings.Reminders = feedback.Reminders{Mail: sender, PublicURL: publicURL, After: f.after, Token: settings.Token}
	return settings, nil
}

// tokenFromFile reads a token from a file, again whenever the file changes
// (its size or modification time): the identity provider's tooling renews
// it in place, and the job picks the new one up at its next round.
func tokenFromFile(path string) func(context.Context) (string, error) {
	var (
		mu    sync.Mutex
		token string
		seen  os.FileInfo
	)
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		fi, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("--service-token-file: %w", err)
		}
		if seen != nil && fi.ModTime().Equal(seen.ModTime()) && fi.Size() == seen.Size() {
			return token, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("--service-token-file: %w", err)
		}
		t := string(bytes.TrimSpace(b))
		if t == "" {
			return "", fmt.Errorf("--service-token-file %s is empty", path)
		}
		token, seen = t, fi
		return token, nil
	}
}

// readWordList reads --not-job-related-words: a word or phrase a line,
// blank lines and # comments left out, lower-cased.
func readWordList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--not-job-related-words: %w", err)
	}
	var words []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line != "" && !strings.HasPrefix(line, "#") {
			words = append(words, line)
		}
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("--not-job-related-words %s holds no words: one word or phrase a line", path)
	}
	return words, nil
}

// readSelfIDCategories reads --self-id-categories.
func readSelfIDCategories(path string) ([]*feedbackv1.SelfIdentificationCategory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--self-id-categories: %w", err)
	}
	var cats []struct {
		ID      string `yaml:"id"`
		Title   string `yaml:"title"`
		Answers []struct {
			ID    string `yaml:"id"`
			Title string `yaml:"title"`
		} `yaml:"answers"`
	}
	if err := yaml.Unmarshal(b, &cats); err != nil {
		return nil, fmt.Errorf("--self-id-categories %s: not a list of categories: %w", path, err)
	}
	if len(cats) == 0 {
		return nil, fmt.Errorf("--self-id-categories %s lists no category", path)
	}
	var out []*feedbackv1.SelfIdentificationCategory
	for i, c := range cats {
		if !fieldcheck.IDPattern.MatchString(c.ID) || c.Title == "" || len(c.Answers) == 0 {
			return nil, fmt.Errorf("--self-id-categories %s: category %d needs an id (lower-case letters, digits, hyphens), a title and answers", path, i+1)
		}
		cat := &feedbackv1.SelfIdentificationCategory{Id: c.ID, Title: c.Title}
		for j, a := range c.Answers {
			if !fieldcheck.IDPattern.MatchString(a.ID) || a.Title == "" {
				return nil, fmt.Errorf("--self-id-categories %s: answer %d of %s needs an id and a title", path, j+1, c.ID)
			}
			cat.Answers = append(cat.Answers, &feedbackv1.SelfIdentificationAnswer{Id: a.ID, Title: a.Title})
		}
		out = append(out, cat)
	}
	return out, nil
}
