package main

import (
	"io"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/auth"
)

// The web app needs a secret that every gateway replica shares, from the
// flag or the environment, and reads roles from the services' claim.
func TestGatewayWebFlags(t *testing.T) {
	t.Setenv(webSecretEnv, "")
	backends := []string{"gateway", "--ladder-addr", "l:1", "--rubric-addr", "r:1", "--feedback-addr", "f:1"}
	withApp := append(backends[:len(backends):len(backends)], "--web-oidc-issuer", "https://login.example.com/",
		"--web-oidc-client-id", "yardstick-web", "--web-oidc-redirect-url", "https://yardstick.example.com/signin/callback")
	secret := strings.Repeat("s", minWebSecret)

	if _, err := parse(backends, io.Discard); err != nil {
		t.Errorf("parse(gateway without the web app) = %v, want no secret needed", err)
	}
	for _, args := range [][]string{withApp, append(withApp[:len(withApp):len(withApp)], "--web-secret", "too short")} {
		if _, err := parse(args, io.Discard); err == nil || !strings.Contains(err.Error(), "--web-secret") {
			t.Errorf("parse(%q) = %v, want an error naming --web-secret", args, err)
		}
	}
	cmd, err := parse(append(withApp[:len(withApp):len(withApp)], "--web-secret", secret, "--roles-claim", "groups"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if gw := cmd.(*gatewayCommand); gw.webSecret != secret || gw.rolesClaim != "groups" {
		t.Errorf("gateway --web-secret --roles-claim groups = secret %q, roles claim %q", gw.webSecret, gw.rolesClaim)
	}
	t.Setenv(webSecretEnv, secret)
	cmd, err = parse(withApp, io.Discard)
	if err != nil {
		t.Fatalf("parse(gateway with $%s) = %v", webSecretEnv, err)
	}
	if gw := cmd.(*gatewayCommand); gw.webSecret != secret || gw.rolesClaim != auth.DefaultRolesClaim {
		t.Errorf("gateway with $%s = secret %q, roles claim %q; want the variable's and the default", webSecretEnv, gw.webSecret, gw.rolesClaim)
	}
}

// Dev mode's web app reads roles where its verifier does: --roles-claim
// for an OIDC issuer's tokens, the default for the ones it mints itself.
func TestDevWebAppTokenRolesClaim(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"dev", "--roles-claim", "groups"}, auth.DefaultRolesClaim},
		{[]string{"dev", "--roles-claim", "groups", "--oidc-issuer", "https://login.example.com/", "--oidc-audience", "yardstick"}, "groups"},
	} {
		cmd, err := parse(tt.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := cmd.(*devCommand).security.tokenRolesClaim(); got != tt.want {
			t.Errorf("parse(%q).tokenRolesClaim() = %q, want %q", tt.args, got, tt.want)
		}
	}
}
