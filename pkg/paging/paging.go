// Package paging implements AIP-158 pagination: page sizes with a default and
// a cap, and keyset page tokens that are opaque to clients and bound to the
// request they continue.
package paging

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

const (
	// DefaultSize is the page size when the request gives none.
	DefaultSize = 50
	// MaxSize caps every page; larger requests are served this many.
	MaxSize = 1000
)

// Size returns the page size to serve for a requested one (validated >= 0).
func Size(requested int32) int {
	switch {
	case requested <= 0:
		return DefaultSize
	case requested > MaxSize:
		return MaxSize
	default:
		return int(requested)
	}
}

type token struct {
	Key   string `json:"k"`
	Query string `json:"q,omitempty"`
}

// Token returns the page token that continues after key. query identifies
// the request (its parent and filter), so a token cannot continue another one.
func Token(key, query string) string {
	b, _ := json.Marshal(token{Key: key, Query: query})
	return base64.RawURLEncoding.EncodeToString(b)
}

// Key reads a page token made by Token for the same query; an empty token
// gives an empty key (the first page).
func Key(pageToken, query string) (string, error) {
	if pageToken == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(pageToken)
	var t token
	if err != nil || json.Unmarshal(b, &t) != nil || t.Key == "" {
		return "", apierr.Invalid("page_token", "malformed page token")
	}
	if t.Query != query {
		return "", apierr.Invalid("page_token", "page token belongs to another request")
	}
	return t.Key, nil
}

// Number reads a page token whose key is a positive number (a version or a
// revision, for lists that count down); an empty token gives 0.
func Number(pageToken, query string) (int64, error) {
	key, err := Key(pageToken, query)
	if err != nil || key == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil || n <= 0 {
		return 0, apierr.Invalid("page_token", "malformed page token")
	}
	return n, nil
}
