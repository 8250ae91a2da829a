package scim

import (
	"testing"

	scimlib "github.com/elimity-com/scim"
)

func TestAttributesOntoTheDirectory(t *testing.T) {
	u, err := fromAttributes(scimlib.ResourceAttributes{
		"userName": "ada@example.com", "name": map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails":     []any{map[string]any{"value": "old@example.com"}, map[string]any{"value": "ada@example.com", "primary": true}},
		"externalId": "00u7",
	})
	if err != nil {
		t.Fatal(err)
	}
	d := u.toDirectory("3")
	if d.GetName() != "users/ada@example.com" || d.GetDisplayName() != "Ada Lovelace" || d.GetEmail() != "ada@example.com" ||
		d.GetDeactivated() || d.GetExternalId() != "00u7" || d.GetEtag() != "3" {
		t.Fatalf("directory entry %v", d)
	}
	for _, bad := range []scimlib.ResourceAttributes{{}, {"userName": "has space"}, {"userName": "a/b"}} {
		if _, err := fromAttributes(bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
	if err := u.set("userName", "", "someone@example.com"); err == nil {
		t.Error("a new userName was taken")
	}
	_ = u.set("active", "", false)
	_ = u.set("name", "familyName", "Byron")
	_ = u.set(`emails[type eq "work"].value`, "", "ada@byron.example")
	if d := u.toDirectory(""); !d.GetDeactivated() || d.GetDisplayName() != "Ada Byron" || d.GetEmail() != "ada@byron.example" {
		t.Fatalf("after the patches: %v", d)
	}
}
