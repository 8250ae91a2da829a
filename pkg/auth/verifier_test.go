package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

const audience = "yardstick-api"

// issuer is a fake OpenID Connect provider: discovery and a JWKS that the
// test can rotate, counting how often the keys are fetched.
type issuer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	public  []jose.JSONWebKey
	fetches atomic.Int32
}

func newIssuer(t *testing.T, keys ...*jose.JSONWebKey) *issuer {
	t.Helper()
	is := &issuer{}
	is.publish(keys...)
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.public})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// publish replaces the JWKS with the public halves of keys.
func (is *issuer) publish(keys ...*jose.JSONWebKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.public = nil
	for _, k := range keys {
		is.public = append(is.public, k.Public())
	}
}

func rsaKey(t *testing.T, kid string) *jose.JSONWebKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}
}

// sign makes a compact JWT of claims with key and alg.
func sign(t *testing.T, key any, kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// claims returns valid claims for is, changed by the given edits.
func claims(is *issuer, edits ...func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": is.srv.URL, "aud": audience, "sub": "users/alice",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"roles": []string{"interviewer", "recruiter"},
	}
	for _, e := range edits {
		e(c)
	}
	return c
}

func newOIDC(t *testing.T, is *issuer, cfg auth.OIDCConfig) *auth.Verifier {
	t.Helper()
	cfg.Issuer, cfg.Audience = is.srv.URL, audience
	v, err := auth.NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOIDCAcceptsAValidToken(t *testing.T) {
	k1 := rsaKey(t, "k1")
	is := newIssuer(t, k1)
	v := newOIDC(t, is, auth.OIDCConfig{})
	p, err := v.Verify(context.Background(), sign(t, k1, "k1", jose.RS256, claims(is)))
	if err != nil {
		t.Fatal(err)
	}
	want := principal.Principal{Subject: "users/alice", Roles: []principal.Role{principal.Interviewer, principal.Recruiter}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("Verify() (-want +got):\n%s", diff)
	}
}

func TestOIDCRefusesBadTokens(t *testing.T) {
	k1 := rsaKey(t, "k1")
	is := newIssuer(t, k1)
	v := newOIDC(t, is, auth.OIDCConfig{})
	good := func(edits ...func(map[string]any)) string { return sign(t, k1, "k1", jose.RS256, claims(is, edits...)) }

	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(k1.Public().Key))})
	payload, _ := json.Marshal(claims(is))
	b64 := base64.RawURLEncoding.EncodeToString

	tests := map[string]string{
		"empty":           "",
		"garbage":         "not.a.token",
		"wrong signature": sign(t, rsaKey(t, "k1"), "k1", jose.RS256, claims(is)),
		"alg none":        b64([]byte(`{"alg":"none","typ":"JWT","kid":"k1"}`)) + "." + b64(payload) + ".",
		// HMAC keyed with the public key: the classic algorithm confusion.
		"HMAC with the public key": sign(t, publicPEM, "k1", jose.HS256, claims(is)),
		"expired":                  good(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }),
		"not yet valid":            good(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }),
		"no exp":                   good(func(c map[string]any) { delete(c, "exp") }),
		"wrong issuer":             good(func(c map[string]any) { c["iss"] = "https://evil.example" }),
		"wrong audience":           good(func(c map[string]any) { c["aud"] = "someone-else" }),
		"no subject":               good(func(c map[string]any) { delete(c, "sub") }),
		"unknown key":              sign(t, rsaKey(t, "k9"), "k9", jose.RS256, claims(is)),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if p, err := v.Verify(context.Background(), tok); err == nil {
				t.Errorf("Verify(%s) = %+v, nil; want an error", name, p)
			}
		})
	}
}

func TestOIDCKeyRotation(t *testing.T) {
	k1, k2 := rsaKey(t, "k1"), rsaKey(t, "k2")
	is := newIssuer(t, k1)
	const refresh = 300 * time.Millisecond
	v := newOIDC(t, is, auth.OIDCConfig{MinKeyRefresh: refresh})
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, k1, "k1", jose.RS256, claims(is))); err != nil {
		t.Fatal(err)
	}

	// Tokens naming keys nobody published do not make the verifier hammer
	// the issuer: one fetch at most per refresh interval.
	stranger := rsaKey(t, "x")
	var unknown []string
	for i := range 50 {
		kid := fmt.Sprintf("made-up-%d", i)
		unknown = append(unknown, sign(t, stranger, kid, jose.RS256, claims(is)))
	}
	before := is.fetches.Load()
	for _, tok := range unknown {
		_, _ = v.Verify(ctx, tok)
	}
	if n := is.fetches.Load() - before; n > 1 {
		t.Errorf("50 tokens with unknown key IDs caused %d key fetches, want at most 1", n)
	}

	// The issuer rotates to k2; a token signed with it is accepted once the
	// refresh interval has passed, after one fetch.
	is.publish(k1, k2)
	time.Sleep(refresh + 10*time.Millisecond)
	before = is.fetches.Load()
	if _, err := v.Verify(ctx, sign(t, k2, "k2", jose.RS256, claims(is))); err != nil {
		t.Fatalf("Verify(token signed with the new key) = %v", err)
	}
	if n := is.fetches.Load() - before; n != 1 {
		t.Errorf("rotation caused %d key fetches, want 1", n)
	}
	// A known key needs no fetch.
	before = is.fetches.Load()
	if _, err := v.Verify(ctx, sign(t, k1, "k1", jose.RS256, claims(is))); err != nil || is.fetches.Load() != before {
		t.Errorf("Verify(known key) = %v with %d fetches, want nil with none", err, is.fetches.Load()-before)
	}
}

func TestOIDCRolesClaim(t *testing.T) {
	k1 := rsaKey(t, "k1")
	is := newIssuer(t, k1)
	v := newOIDC(t, is, auth.OIDCConfig{RolesClaim: "groups"})
	tok := sign(t, k1, "k1", jose.RS256, claims(is, func(c map[string]any) {
		c["groups"] = "admin, employee wizard" // a string of roles; unknown ones are dropped
		c["roles"] = []string{"recruiter"}     // not the configured claim: ignored
	}))
	p, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]principal.Role{principal.Admin, principal.Employee}, p.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

func TestOIDCDiscoveryMustMatchTheIssuer(t *testing.T) {
	is := newIssuer(t, rsaKey(t, "k1"))
	_, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: is.srv.URL + "/other", Audience: audience})
	if err == nil {
		t.Error("NewOIDC(issuer without discovery) = nil error, want one")
	}
}

func TestDevKey(t *testing.T) {
	dir := t.TempDir()
	key, err := auth.LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "dev-signing-key.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("dev key file: %v, %v; want mode 0600", info, err)
	}
	again, err := auth.ReadDevKey(dir)
	if err != nil || again.KeyID != key.KeyID {
		t.Fatalf("ReadDevKey() = %v, %v; want the same key %s", again, err, key.KeyID)
	}
	if _, err := auth.ReadDevKey(t.TempDir()); err == nil {
		t.Error("ReadDevKey(empty dir) = nil error, want one")
	}

	v := auth.NewDev(key)
	tok, err := auth.MintDev(key, "users/bob", []principal.Role{principal.Employee}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), tok)
	if err != nil || p.Subject != "users/bob" || !p.Has(principal.Employee) {
		t.Errorf("Verify(minted) = %+v, %v; want users/bob, employee", p, err)
	}

	other, _ := auth.LoadOrCreateDevKey(t.TempDir())
	forged, _ := auth.MintDev(other, "users/eve", []principal.Role{principal.Admin}, time.Minute)
	if _, err := v.Verify(context.Background(), forged); err == nil {
		t.Error("Verify(token of another dev key) = nil error, want one")
	}
	expired, _ := auth.MintDev(key, "users/bob", nil, -time.Minute)
	if _, err := v.Verify(context.Background(), expired); err == nil {
		t.Error("Verify(expired dev token) = nil error, want one")
	}

	// ES256 with the right curve, and nothing else, signs dev tokens.
	if _, ok := key.Key.(*ecdsa.PrivateKey); !ok || key.Key.(*ecdsa.PrivateKey).Curve != elliptic.P256() {
		t.Errorf("dev key is %T, want an ECDSA P-256 key", key.Key)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestOIDCRefusesUnsafeOrBrokenIssuers(t *testing.T) {
	ctx := context.Background()
	for _, issuer := range []string{"http://login.example.com", "ftp://login.example.com", "login.example.com", ""} {
		if _, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: issuer, Audience: audience}); err == nil {
			t.Errorf("NewOIDC(%q) = nil error, want one (https only, except loopback)", issuer)
		}
	}
	// Keys that cannot be fetched fail the start, not the first call.
	is := newIssuer(t) // publishes no key
	if _, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: is.srv.URL, Audience: audience}); err == nil {
		t.Error("NewOIDC(issuer without keys) = nil error, want one")
	}
}

// A static token (the SCIM client's) is accepted as its principal, beside
// the tokens the verifier already trusts, and nothing near it is.
func TestStaticToken(t *testing.T) {
	key, err := auth.LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	scim := principal.Principal{Subject: "system/scim", Roles: []principal.Role{principal.Provisioner}}
	v := auth.NewDev(key).WithStaticToken("0123456789abcdef0123456789abcdef", scim)
	ctx := context.Background()
	if p, err := v.Verify(ctx, "0123456789abcdef0123456789abcdef"); err != nil || p.Subject != scim.Subject || !p.Has(principal.Provisioner) {
		t.Fatalf("the static token: %v, %v", p, err)
	}
	for _, near := range []string{"0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg", ""} {
		if _, err := v.Verify(ctx, near); err == nil {
			t.Errorf("%q was accepted", near)
		}
	}
	jwt, err := auth.MintDev(key, "users/ada", []principal.Role{principal.Admin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(ctx, jwt); err != nil || p.Subject != "users/ada" {
		t.Fatalf("a dev token beside the static one: %v, %v", p, err)
	}
}
