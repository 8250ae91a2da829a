package fieldcheck

import (
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

func TestText(t *testing.T) {
	for _, tt := range []struct {
		in       string
		required bool
		want     string // the violation, empty for none
	}{
		{"", true, "required"},
		{"  ", true, "required"},
		{"", false, ""},
		{"Ünïcödé", true, ""},
		{strings.Repeat("é", 10), true, ""},
		{strings.Repeat("é", 11), true, "at most 10 characters, got 11"},
		{"\xff", false, "must be valid UTF-8"},
	} {
		var v apierr.Violations
		Text(&v, "f", tt.in, 10, tt.required)
		got := ""
		if len(v) > 0 {
			got = v[0].Description
		}
		if got != tt.want {
			t.Errorf("Text(%q, required %v) = %q, want %q", tt.in, tt.required, got, tt.want)
		}
	}
}

func TestID(t *testing.T) {
	seen := map[string]bool{}
	for _, tt := range []struct{ in, want string }{
		{"craft", ""},
		{"craft", `duplicate competency ID "craft"`},
		{"", "required"},
		{"Craft", IDRule},
		{"1st", IDRule},
		{"ends-", IDRule},
		{strings.Repeat("a", 63), ""},
		{strings.Repeat("b", 64), IDRule},
	} {
		var v apierr.Violations
		ID(&v, "f", tt.in, seen, "competency")
		got := ""
		if len(v) > 0 {
			got = v[0].Description
		}
		if got != tt.want {
			t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
