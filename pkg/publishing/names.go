package publishing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// CreateNamed stores a new draft named prefix+id (Create), or, when id is
// empty, under a name the server chooses: prefix+base, with a random suffix
// after a collision. A request ID's replay returns the draft the first
// attempt made, whatever name it got.
func (s *Store[C]) CreateNamed(ctx context.Context, prefix, id, base, actor, kind string, want versioned.Expect, c C, fields []string) (*versioned.Doc[Draft[C]], error) {
	fixed := id != ""
	if !fixed {
		id = base
	}
	want.AnyName = !fixed
	for attempt := 0; ; attempt++ {
		doc, err := s.Create(ctx, prefix+id, actor, kind, want, c, fields)
		if fixed || !errors.Is(err, apierr.ErrAlreadyExists) || attempt == 3 {
			return doc, err
		}
		id = base + "-" + randomSuffix()
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug derives an ID from a title: "System design (L3)" becomes
// "system-design-l3". One that would not start with a letter gets the
// fallback in front ("framework-…").
func Slug(title, fallback string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = fallback + "-" + s
	}
	if len(s) > 50 {
		s = s[:50]
	}
	return strings.TrimRight(s, "-")
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
