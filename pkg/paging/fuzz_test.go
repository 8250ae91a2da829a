package paging_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/paging"
)

// Page tokens come back from clients, so Key sees arbitrary strings: it must
// never panic, and anything it refuses is a page_token field violation
// (INVALID_ARGUMENT), never another kind of error.
func FuzzKey(f *testing.F) {
	f.Add(paging.Token("frameworks/engineering", ""), "")
	f.Add(paging.Token("2", "frameworks/engineering"), "frameworks/engineering")
	f.Add(paging.Token("frameworks/x", "a"), "b")
	f.Add("", "q")
	f.Add("!!not a token!!", "")
	f.Add("eyJrIjoieHkifQ==", "")       // padded base64
	f.Add("eyJxIjoiYSJ9", "a")          // {"q":"a"}: no key
	f.Add("eyJrIjpbMSwyXX0", "")        // {"k":[1,2]}: key of the wrong type
	f.Add("eyJrIjoiXHVkODAwIn0", "")    // {"k":"\ud800"}: lone surrogate
	f.Add("bnVsbA", "")                 // null
	f.Add("eyJrIjoieCIsImsiOiIifQ", "") // {"k":"x","k":""}: duplicate key
	f.Fuzz(func(t *testing.T, pageToken, query string) {
		key, err := paging.Key(pageToken, query)
		if err != nil {
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("Key(%q, %q) = %v, want an *apierr.InvalidArgumentError", pageToken, query, err)
			}
			if len(invalid.Violations) != 1 || invalid.Violations[0].Field != "page_token" {
				t.Fatalf("Key(%q, %q) violations = %v, want one on page_token", pageToken, query, invalid.Violations)
			}
			if key != "" {
				t.Fatalf("Key(%q, %q) key = %q with error %v, want empty", pageToken, query, key, err)
			}
			return
		}
		if pageToken == "" && key != "" {
			t.Fatalf(`Key("", %q) = %q, want "" (the first page)`, query, key)
		}
		if pageToken != "" && key == "" {
			t.Fatalf("Key(%q, %q) = \"\", nil: an empty key would restart the listing", pageToken, query)
		}
	})
}

// A token made by Token continues the listing it was made for, with exactly
// the key it was given, and no other listing.
func FuzzTokenRoundTrip(f *testing.F) {
	f.Add("frameworks/engineering", "")
	f.Add("frameworks/engineering", "parent=frameworks/x filter=state=DRAFT")
	f.Add("2", "frameworks/engineering")
	f.Add(`key with "quotes", unicode é and a / slash`, "q")
	f.Add("a/b?c=d&e+f", "filter=x y")
	f.Add("<&>\u2028", "\x00")
	f.Fuzz(func(t *testing.T, key, query string) {
		// Keys and queries are resource names and request fields: valid
		// UTF-8 (protobuf strings must be), and a key is never empty.
		if key == "" || !utf8.ValidString(key) || !utf8.ValidString(query) {
			return
		}
		token := paging.Token(key, query)
		for _, r := range token {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				t.Fatalf("Token(%q, %q) = %q, contains %q, want only URL-safe characters", key, query, token, r)
			}
		}
		got, err := paging.Key(token, query)
		if err != nil || got != key {
			t.Fatalf("Key(Token(%q, %q), %q) = %q, %v, want %q, nil", key, query, query, got, err, key)
		}
		other := query + "x"
		if got, err := paging.Key(token, other); err == nil {
			t.Fatalf("Key(Token(%q, %q), %q) = %q, nil, want an error (another request)", key, query, other, got)
		}
	})
}
