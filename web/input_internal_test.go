package web

import (
	"net/url"
	"strings"
	"testing"
)

// The place named in a refusal is bounded, whatever the client sent.
func TestNotUTF8NamesAtMost64BytesOfAName(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	for _, tt := range []struct {
		values url.Values
		want   string
	}{
		{url.Values{"role": {"ok"}}, ""},
		{url.Values{"role": {"\xff"}}, "role"},
		{url.Values{"\xff": {"ok"}}, "whose name is not UTF-8"},
		{url.Values{long: {"\xff"}}, strings.Repeat("é", 32) + "…"},
	} {
		if got := notUTF8(tt.values); got != tt.want {
			t.Errorf("notUTF8(%.20q) = %q, want %q", tt.values, got, tt.want)
		}
	}
}
