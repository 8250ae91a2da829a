package paging_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
)

func TestSize(t *testing.T) {
	tests := []struct {
		in   int32
		want int
	}{
		{0, paging.DefaultSize}, // AIP-158: unset means the server's default
		{-5, paging.DefaultSize},
		{1, 1},
		{7, 7},
		{paging.MaxSize, paging.MaxSize},
		{paging.MaxSize + 1, paging.MaxSize}, // AIP-158: coerce, don't reject
		{5000, paging.MaxSize},
	}
	for _, tt := range tests {
		if got := paging.Size(tt.in); got != tt.want {
			t.Errorf("Size(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
	// The values are part of the API documentation, not just of this package.
	if paging.DefaultSize != 50 || paging.MaxSize != 1000 {
		t.Errorf("DefaultSize, MaxSize = %d, %d, want 50, 1000", paging.DefaultSize, paging.MaxSize)
	}
}

func TestKeyRoundTrip(t *testing.T) {
	tests := []struct{ key, query string }{
		{"frameworks/engineering", ""},
		{"frameworks/engineering", "parent=frameworks/x filter=state=DRAFT"},
		{"2", "frameworks/engineering"},
		{`key with "quotes", unicode é and a / slash`, "q"},
	}
	for _, tt := range tests {
		token := paging.Token(tt.key, tt.query)
		got, err := paging.Key(token, tt.query)
		if err != nil || got != tt.key {
			t.Errorf("Key(Token(%q, %q), %q) = %q, %v, want %q, nil", tt.key, tt.query, tt.query, got, err, tt.key)
		}
	}
}

// Tokens travel in URLs through the gateway, so they must need no escaping.
func TestTokenIsURLSafe(t *testing.T) {
	token := paging.Token("a/b?c=d&e+f", "filter=x y")
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			t.Fatalf("Token(...) = %q, contains %q, want only URL-safe characters", token, r)
		}
	}
}

func TestKeyEmptyTokenIsFirstPage(t *testing.T) {
	got, err := paging.Key("", "q")
	if err != nil || got != "" {
		t.Errorf(`Key("", "q") = %q, %v, want "", nil`, got, err)
	}
}

func TestKeyRefused(t *testing.T) {
	tests := []struct {
		name, token, query string
	}{
		{"not base64", "!!not a token!!", ""},
		{"base64 of not JSON", base64.RawURLEncoding.EncodeToString([]byte("frameworks/x")), ""},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"k":"xy"}`)), ""}, // has "=" padding
		{"JSON without key", base64.RawURLEncoding.EncodeToString([]byte(`{"q":"a"}`)), "a"},
		// A token is bound to its request: a client must not continue a
		// listing of one parent or filter with the page token of another.
		{"other query", paging.Token("frameworks/x", "a"), "b"},
		{"query dropped", paging.Token("frameworks/x", "a"), ""},
		{"query added", paging.Token("frameworks/x", ""), "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := paging.Key(tt.token, tt.query)
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("Key(%q, %q) = %q, %v, want an *apierr.InvalidArgumentError", tt.token, tt.query, got, err)
			}
			if got != "" {
				t.Errorf("Key(%q, %q) key = %q, want empty on error", tt.token, tt.query, got)
			}
			if diff := cmp.Diff([]string{"page_token"}, fields(invalid)); diff != "" {
				t.Errorf("Key(%q, %q) violation fields mismatch (-want +got):\n%s", tt.token, tt.query, diff)
			}
		})
	}
}

func fields(e *apierr.InvalidArgumentError) []string {
	var fs []string
	for _, v := range e.Violations {
		fs = append(fs, v.Field)
	}
	return fs
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		token string
		want  int64
		ok    bool
	}{
		{"", 0, true},
		{paging.Token("12", "q"), 12, true},
		{paging.Token("0", "q"), 0, false},
		{paging.Token("-3", "q"), 0, false},
		{paging.Token("x", "q"), 0, false},
		{paging.Token("12", "other"), 0, false},
	} {
		got, err := paging.Number(tt.token, "q")
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Number(%q) = %d, %v, want %d (ok %v)", tt.token, got, err, tt.want, tt.ok)
		}
	}
}
