package principal

import (
	"context"
	"testing"
)

// Every service records the actor of a change as a user's resource name,
// whatever form the token's subject takes.
func TestUserIsAResourceName(t *testing.T) {
	for subject, want := range map[string]string{
		"users/alice":  "users/alice",
		"alice":        "users/alice",
		"0oa1b2c3d4e5": "users/0oa1b2c3d4e5",
		"":             "users/" + Anonymous,
	} {
		ctx := NewContext(context.Background(), Principal{Subject: subject})
		if got := User(ctx); got != want {
			t.Errorf("User(subject %q) = %q, want %q", subject, got, want)
		}
	}
}
