package auth

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// Who may call what is answered per RPC by each service's own table of
// rules (full method name → roles allowed); the wiring merges every
// service's table into the one the Guard checks. The services add
// object-level checks (for example, only admins see drafts). An RPC missing
// from the merged table is refused.

// Everyone is every role: for reads open to all who work here.
func Everyone() []principal.Role { return slices.Clone(principal.Roles) }

// Only is exactly the roles given.
func Only(roles ...principal.Role) []principal.Role { return slices.Clone(roles) }

// MergeRules merges the rule tables of several services into one. A method
// with rules in two tables, a rule without roles, an unknown role and a
// public method with a rule are errors: each is a wiring mistake.
func MergeRules(tables ...map[string][]principal.Role) (map[string][]principal.Role, error) {
	merged := map[string][]principal.Role{}
	for _, table := range tables {
		for _, method := range slices.Sorted(maps.Keys(table)) {
			roles := table[method]
			switch {
			case merged[method] != nil:
				return nil, fmt.Errorf("two rules for %s", method)
			case Public(method):
				return nil, fmt.Errorf("%s is public and has a rule: pick one", method)
			case len(roles) == 0:
				return nil, fmt.Errorf("the rule for %s allows no role", method)
			}
			for _, r := range roles {
				if !r.Known() && r != principal.Provisioner {
					return nil, fmt.Errorf("the rule for %s names an unknown role %q", method, r)
				}
			}
			merged[method] = slices.Clone(roles)
		}
	}
	return merged, nil
}

// Public reports whether a method needs no credentials: gRPC health checks
// (probes) and reflection (tooling; it describes the API, not the data).
func Public(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/grpc.health.v1.Health/") ||
		strings.HasPrefix(fullMethod, "/grpc.reflection.")
}
