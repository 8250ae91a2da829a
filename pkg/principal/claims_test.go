package principal

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FromClaims is where the services and the web app alike read a token's
// identity, so that both see the same roles under any --roles-claim.
func TestFromTokenClaims(t *testing.T) {
	for _, tt := range []struct {
		name       string
		claims     string // as the token's payload holds them
		rolesClaim string
		want       Principal
	}{
		{"list", `{"sub":"users/rita","roles":["recruiter","interviewer"]}`, "", Principal{Subject: "users/rita", Roles: []Role{Recruiter, Interviewer}}},
		{"string", `{"sub":"ivan","roles":"interviewer, employee  admin"}`, "roles", Principal{Subject: "ivan", Roles: []Role{Interviewer, Employee, Admin}}},
		{"configured claim", `{"sub":"rita","groups":["recruiter"],"roles":["admin"]}`, "groups", Principal{Subject: "rita", Roles: []Role{Recruiter}}},
		{"unknown and repeated roles", `{"sub":"x","roles":["wizard","admin",3,"admin"]}`, "", Principal{Subject: "x", Roles: []Role{Admin}}},
		{"no roles claim", `{"sub":"x","roles":["admin"]}`, "groups", Principal{Subject: "x"}},
		{"roles of another type", `{"sub":"x","roles":{"admin":true}}`, "", Principal{Subject: "x"}},
		{"no subject", `{"roles":"admin"}`, "", Principal{Roles: []Role{Admin}}},
	} {
		var claims map[string]any
		if err := json.Unmarshal([]byte(tt.claims), &claims); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, FromClaims(claims, tt.rolesClaim)); diff != "" {
			t.Errorf("%s: FromClaims(%s, %q) (-want +got):\n%s", tt.name, tt.claims, tt.rolesClaim, diff)
		}
	}
	// Claims built in Go rather than decoded.
	if got := FromClaims(map[string]any{"sub": "a", "roles": []string{"employee"}}, ""); !got.Has(Employee) {
		t.Errorf("FromClaims(roles []string{employee}) = %v, want employee", got)
	}
}
