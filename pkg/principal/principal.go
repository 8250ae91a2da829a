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
	// Compliance reads candidates' voluntary self-identification and the
	// adverse-impact reports built on it, and nothing else of hiring.
	Compliance Role = "compliance"
)

// Provisioner is the identity provider's provisioning client (SCIM): it
// keeps the people directory. It is never taken from a token's roles claim
// (it is not in Roles); only the SCIM bearer token the ladder service is
// given carries it (auth.WithStaticToken).
const Provisioner Role = "provisioner"

// Roles lists every role, in a stable order.
var Roles = []Role{Admin, Recruiter, Interviewer, Employee, Compliance}

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

// User returns the principal as a resource name, "users/{subject}" (a
// subject that is one already is kept as it is; no subject is Anonymous).
func (p Principal) User() string {
	s := p.Subject
	if s == "" {
		s = Anonymous
	}
	if strings.HasPrefix(s, usersPrefix) {
		return s
	}
	return usersPrefix + s
}

// DefaultRolesClaim is the token claim that lists the roles, unless the
// deployment names another (--roles-claim).
const DefaultRolesClaim = "roles"

// FromClaims reads who a token's claims name: the subject ("sub") and the
// roles of the claim rolesClaim (DefaultRolesClaim when empty), a list of
// strings or one string of roles separated by spaces or commas. Roles
// Yardstick does not know are ignored, and each is listed once. It checks
// nothing: the services pass it the claims of a verified token, the web app
// those of its session, to choose what to show.
func FromClaims(claims map[string]any, rolesClaim string) Principal {
	if rolesClaim == "" {
		rolesClaim = DefaultRolesClaim
	}
	var names []string
	switch c := claims[rolesClaim].(type) {
	case string:
		names = strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == ',' })
	case []string:
		names = c
	case []any:
		for _, x := range c {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	}
	var p Principal
	p.Subject, _ = claims["sub"].(string)
	for _, n := range names {
		if r := Role(n); r.Known() && !slices.Contains(p.Roles, r) {
			p.Roles = append(p.Roles, r)
		}
	}
	return p
}

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
	p, _ := FromContext(ctx)
	return p.User()
}

const usersPrefix = "users/"

// Has reports whether the caller holds the role.
func Has(ctx context.Context, r Role) bool {
	p, _ := FromContext(ctx)
	return p.Has(r)
}
