package auth_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

func TestMergeRules(t *testing.T) {
	a := map[string][]principal.Role{"/a.A/Get": auth.Everyone()}
	b := map[string][]principal.Role{"/b.B/Delete": auth.Only(principal.Admin)}
	got, err := auth.MergeRules(a, b)
	if err != nil {
		t.Fatalf("MergeRules(a, b) = %v", err)
	}
	want := map[string][]principal.Role{"/a.A/Get": principal.Roles, "/b.B/Delete": {principal.Admin}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MergeRules(a, b) mismatch (-want +got):\n%s", diff)
	}

	for name, tables := range map[string][]map[string][]principal.Role{
		"a method in two tables": {a, {"/a.A/Get": auth.Only(principal.Admin)}},
		"a rule without roles":   {{"/a.A/List": nil}},
		"an unknown role":        {{"/a.A/List": {"wizard"}}},
		"a public method":        {{"/grpc.health.v1.Health/Check": auth.Everyone()}},
	} {
		if _, err := auth.MergeRules(tables...); err == nil {
			t.Errorf("MergeRules(%s) = nil error, want one", name)
		}
	}
}

func TestRoleHelpersReturnCopies(t *testing.T) {
	everyone := auth.Everyone()
	everyone[0] = "wizard"
	if got := auth.Everyone(); got[0] == "wizard" || len(got) != len(principal.Roles) || principal.Roles[0] == "wizard" {
		t.Errorf("Everyone() shares its slice: %v, principal.Roles %v", got, principal.Roles)
	}
}
