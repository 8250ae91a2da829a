package testenv

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// MatrixCase is one request to one RPC of a role matrix, and the code each
// role the RPC's rule allows gets. F is the service's fixture: what a call
// works on.
type MatrixCase[F any] struct {
	RPC  string // the method's name in the service descriptor
	What string
	Req  func(f F) proto.Message
	Want map[principal.Role]codes.Code
}

// Everyone expects code for every role.
func Everyone(code codes.Code) map[principal.Role]codes.Code {
	want := map[principal.Role]codes.Code{}
	for _, r := range principal.Roles {
		want[r] = code
	}
	return want
}

// AdminOnly expects code for admins; the rule must refuse everyone else.
func AdminOnly(code codes.Code) map[principal.Role]codes.Code {
	return map[principal.Role]codes.Code{principal.Admin: code}
}

// AdminElse expects one code for admins and another for every other role
// (drafts are the admins' view).
func AdminElse(adminCode, others codes.Code) map[principal.Role]codes.Code {
	want := Everyone(others)
	want[principal.Admin] = adminCode
	return want
}

// RoleMatrix calls every case as every role, and without a valid token, and
// checks the exact code: UNAUTHENTICATED without a token, PERMISSION_DENIED
// for the roles rules does not allow, and the case's code for those it
// does. Every RPC of service needs a rule and a case, and every rule and
// case an RPC. newFixture makes a fresh fixture for every call that gets
// past authorization, so a Delete or a Publish changes nothing another call
// reads.
func RoleMatrix[F any](t *testing.T, e *Env, service protoreflect.ServiceDescriptor, rules map[string][]principal.Role, cases []MatrixCase[F], newFixture func() F) {
	t.Helper()
	ctx := context.Background()
	callers := map[string]*grpc.ClientConn{"no token": e.Conn, "garbage token": e.ConnWithToken("garbage")}
	for _, r := range principal.Roles {
		callers[string(r)] = e.ConnAs("users/"+string(r), r)
	}
	shared := newFixture() // for the calls refused before they run
	covered := map[string]bool{}
	for _, c := range cases {
		m := service.Methods().ByName(protoreflect.Name(c.RPC))
		if m == nil {
			t.Errorf("matrix case %s (%s): the service has no such RPC", c.RPC, c.What)
			continue
		}
		covered[c.RPC] = true
		full := "/" + string(service.FullName()) + "/" + c.RPC
		allowed, ok := rules[full]
		if !ok {
			t.Errorf("%s has no rule", full)
			continue
		}
		for _, who := range slices.Sorted(maps.Keys(callers)) {
			role := principal.Role(who)
			want, ok := c.Want[role]
			switch {
			case who == "no token" || who == "garbage token":
				want = codes.Unauthenticated
			case !slices.Contains(allowed, role):
				if ok {
					t.Errorf("%s (%s) expects %v for %s, but the rule refuses %s: update the case", c.RPC, c.What, want, who, who)
				}
				want = codes.PermissionDenied
			case !ok:
				t.Errorf("%s (%s): the rule allows %s, the case has no code for it", c.RPC, c.What, who)
				continue
			}
			f := shared
			if want != codes.Unauthenticated && want != codes.PermissionDenied {
				f = newFixture()
			}
			err := callers[who].Invoke(ctx, full, c.Req(f), dynamicpb.NewMessage(m.Output()))
			if got := status.Code(err); got != want {
				t.Errorf("%s (%s) as %s = %v, want %v", c.RPC, c.What, who, err, want)
			}
		}
	}
	for i := range service.Methods().Len() {
		if name := string(service.Methods().Get(i).Name()); !covered[name] {
			t.Errorf("%s has no case in the matrix", name)
		}
	}
	for full := range rules {
		if service.Methods().ByName(protoreflect.Name(full[strings.LastIndex(full, "/")+1:])) == nil {
			t.Errorf("rule for %s: the service has no such RPC", full)
		}
	}
}
