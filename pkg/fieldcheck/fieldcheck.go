// Package fieldcheck holds the checks every service applies to the fields of
// its resources — free text, IDs — so that the same input gets the same
// answer, worded the same way, whichever service it was sent to. Pure
// logic: no I/O.
package fieldcheck

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// IDPattern is the format of client-chosen IDs (AIP-122: lower-case letters,
// digits and hyphens, starting with a letter), the same rule as
// yardstick.type.v1.resource_id in the protos.
var IDPattern = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// UserNamePattern is the format of a person's resource name, users/{user}
// with the token's subject, the same rule as yardstick.type.v1.user_name.
var UserNamePattern = regexp.MustCompile(`^users/[A-Za-z0-9._@+|:-]{1,128}$`)

// IDRule says in words what IDPattern accepts.
const IDRule = "must be 1-63 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen"

// Text checks a free-text field's presence and length (in characters).
func Text(v *apierr.Violations, field, s string, maxLen int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required")
	case !utf8.ValidString(s): // gRPC refuses such requests earlier; kept for in-process callers
		v.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, "at most %d characters, got %d", maxLen, utf8.RuneCountInString(s))
	}
}

// ID checks an ID's format and that it is not already in seen, then adds
// it. what names the ID's kind in the message ("competency").
func ID(v *apierr.Violations, field, s string, seen map[string]bool, what string) {
	switch {
	case s == "":
		v.Add(field, "required")
	case !IDPattern.MatchString(s):
		v.Add(field, "%s", IDRule)
	case seen[s]:
		v.Add(field, "duplicate %s ID %q", what, s)
	default:
		seen[s] = true
	}
}
