// Package principal carries the identity of the caller through a request's
// context, so that change records can say who made a change.
package principal

import "context"

// Anonymous is the subject of a caller without an identity.
const Anonymous = "anonymous"

type key struct{}

// NewContext returns a context that carries the caller's subject.
func NewContext(ctx context.Context, subject string) context.Context {
	return context.WithValue(ctx, key{}, subject)
}

// Subject returns the caller's subject, or Anonymous.
func Subject(ctx context.Context) string {
	if s, ok := ctx.Value(key{}).(string); ok && s != "" {
		return s
	}
	return Anonymous
}
