// Package principal carries the verified identity of the caller through a
// request's context: who they are (for change records) and which roles they
// hold (for authorization).
package principal

import (
	"context"
	"slices"
	"strings"
)

// Role is what a person may do. A person may hold several.
type Role string

// The roles Yardstick knows.
const (
	// Admin maintains frameworks and rubrics.
	Admin Role = "admin"
	// Recruiter manages candidates and interviews, reads submitted scorecards
	// and calibration reports.
	Recruiter Role = "recruiter"
	// Interviewer writes the scorecards of their own interviews.
	Interviewer Role = "interviewer"
	// Employee reads published ladders.
	Employee Role = "employee"
)

// Roles lists every role, in a stable order.
var Roles = []Role{Admin, Recruiter, Interviewer, Employee}

// RoleNames returns the roles as strings, for tokens and messages.
func RoleNames(roles []Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return names
}

// Known reports whether r is one of Roles.
func (r Role) Known() bool { return slices.Contains(Roles, r) }

// Anonymous is the subject of a caller without an identity.
const Anonymous = "anonymous"

// Principal is a verified caller.
type Principal struct {
	Subject string // the token's subject, for example "users/alice"
	Roles   []Role
}

// Has reports whether the principal holds the role.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

type key struct{}

// NewContext returns a context that carries the caller.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// FromContext returns the caller, and false when there is none.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok
}

// Subject returns the caller's subject, or Anonymous.
func Subject(ctx context.Context) string {
	if p, ok := FromContext(ctx); ok && p.Subject != "" {
		return p.Subject
	}
	return Anonymous
}

// User returns the caller as a resource name, "users/{subject}" (a subject
// that is one already is kept as it is): who every service records as the
// actor of a change, and compares with an interview's interviewer, so that
// histories agree whoever wrote them.
func User(ctx context.Context) string {
	s := Subject(ctx)
	if strings.HasPrefix(s, usersPrefix) {
		return s
	}
	return usersPrefix + s
}

const usersPrefix = "users/"

// Has reports whether the caller holds the role.
func Has(ctx context.Context, r Role) bool {
	p, _ := FromContext(ctx)
	return p.Has(r)
}
