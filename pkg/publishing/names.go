package publishing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
)

// CreateNamed stores a new draft named prefix+id (Create), or, when id is
// empty, under a name the server chooses: prefix+base, else the first of
// base-2, base-3… that is free. A chosen id that is taken is refused
// (ALREADY_EXISTS) with a free one suggested, never renamed silently. A
// request ID's replay returns the draft the first attempt made, whatever
// name it got.
func (s *Store[C]) CreateNamed(ctx context.Context, prefix, id, base, actor, kind string, want versioned.Expect, c C, fields []string) (*versioned.Doc[Draft[C]], error) {
	fixed := id != ""
	if !fixed {
		id = base
	}
	want.AnyName = !fixed
	for attempt := 0; ; attempt++ {
		doc, err := s.Create(ctx, prefix+id, actor, kind, want, c, fields)
		if !errors.Is(err, apierr.ErrAlreadyExists) {
			return doc, err
		}
		free, ferr := s.FreeID(ctx, prefix, strings.TrimRight(id[:min(len(id), 58)], "-"))
		if ferr != nil {
			return nil, ferr
		}
		if fixed || attempt == 3 {
			return nil, apierr.New(apierr.ErrAlreadyExists, prefix+id+" exists already: choose another ID, for example "+free)
		}
		id = free
	}
}

// FreeID returns the first of base-2, base-3… that names no live draft,
// or base with a random suffix after a hundred.
func (s *Store[C]) FreeID(ctx context.Context, prefix, base string) (string, error) {
	for n := 2; n < 100; n++ {
		id := base + "-" + strconv.Itoa(n)
		doc, err := s.Drafts.Find(ctx, prefix+id)
		if err != nil {
			return "", err
		}
		if !doc.Live() {
			return id, nil
		}
	}
	return base + "-" + randomSuffix(), nil
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
