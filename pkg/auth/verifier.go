// Package auth verifies who is calling (bearer JWTs from an OpenID Connect
// issuer, or from the key `yardstick dev` keeps in its data directory) and
// decides what they may do (a table from every RPC to the roles allowed).
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// SigningAlgorithms are the only algorithms a token may use: asymmetric
// ones. "none" and HMAC (which an attacker could key with a public key)
// never pass.
var SigningAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.ES256, jose.ES384, jose.EdDSA}

// DefaultRolesClaim is the claim that lists a token's roles.
const DefaultRolesClaim = principal.DefaultRolesClaim

// Verifier turns a bearer token into a principal.
type Verifier struct {
	verifier   *oidc.IDTokenVerifier
	rolesClaim string
	// static are long-lived tokens of machine clients (WithStaticToken),
	// by the SHA-256 of the token.
	static map[[32]byte]principal.Principal
}

// WithStaticToken returns a verifier that also accepts token as p: for a
// machine client that cannot hold a JWT, such as the identity provider's
// SCIM provisioning client, which is configured with one bearer token.
// Tokens are compared by their SHA-256, in constant time.
func (v *Verifier) WithStaticToken(token string, p principal.Principal) *Verifier {
	out := *v
	out.static = maps.Clone(v.static)
	if out.static == nil {
		out.static = map[[32]byte]principal.Principal{}
	}
	out.static[sha256.Sum256([]byte(token))] = p
	return &out
}

// OIDCConfig says which issuer to trust.
type OIDCConfig struct {
	Issuer     string // for example https://login.example.com/
	Audience   string // the aud a token must carry
	RolesClaim string // the claim holding the roles; DefaultRolesClaim when empty
	// HTTPClient fetches discovery and keys; http.DefaultClient when nil.
	HTTPClient *http.Client
	// MinKeyRefresh is the least time between two key fetches; one minute
	// when zero.
	MinKeyRefresh time.Duration
}

// NewOIDC reads the issuer's discovery document and returns a verifier that
// checks signatures against the issuer's JWKS (cached, and fetched again on
// rotation), and iss, aud, exp (required) and nbf.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("oidc needs an issuer and an audience")
	}
	if err := checkURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("oidc issuer: %w", err)
	}
	client := cfg.HTTPClient
	if client == nil {
		// No redirects: a redirect could lead key fetches to another host.
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	var discovery struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	discoveryURL := strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration"
	if err := getJSON(ctx, client, discoveryURL, &discovery); err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	if discovery.Issuer != cfg.Issuer {
		return nil, fmt.Errorf("oidc discovery: issuer %q does not match the configured %q", discovery.Issuer, cfg.Issuer)
	}
	if err := checkURL(discovery.JWKSURI); err != nil {
		return nil, fmt.Errorf("oidc discovery: jwks_uri: %w", err)
	}
	minRefresh := cfg.MinKeyRefresh
	if minRefresh == 0 {
		minRefresh = time.Minute
	}
	keys := &keySet{fetch: fetchJWKS(client, discovery.JWKSURI), algs: SigningAlgorithms, minRefresh: minRefresh, maxAge: time.Hour}
	if _, err := keys.current(ctx, ""); err != nil { // fail at start-up, not on the first call
		return nil, err
	}
	return newVerifier(cfg.Issuer, cfg.Audience, cfg.RolesClaim, keys), nil
}

// checkURL accepts https URLs, and http ones on loopback only (tests, and an
// issuer on the same host): keys fetched in the clear could be replaced.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("%q must use https", raw)
}

func newVerifier(issuer, audience, rolesClaim string, keys *keySet) *Verifier {
	if rolesClaim == "" {
		rolesClaim = DefaultRolesClaim
	}
	algs := make([]string, len(SigningAlgorithms))
	for i, a := range SigningAlgorithms {
		algs[i] = string(a)
	}
	return &Verifier{
		verifier:   oidc.NewVerifier(issuer, keys, &oidc.Config{ClientID: audience, SupportedSigningAlgs: algs}),
		rolesClaim: rolesClaim,
	}
}

// Verify checks a raw bearer token and returns who it names.
func (v *Verifier) Verify(ctx context.Context, raw string) (principal.Principal, error) {
	if len(v.static) > 0 {
		sum := sha256.Sum256([]byte(raw))
		for h, p := range v.static {
			if subtle.ConstantTimeCompare(h[:], sum[:]) == 1 {
				return p, nil
			}
		}
	}
	tok, err := v.verifier.Verify(ctx, raw)
	if err != nil {
		return principal.Principal{}, err
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return principal.Principal{}, err
	}
	p := principal.FromClaims(claims, v.rolesClaim)
	if p.Subject == "" {
		return principal.Principal{}, errors.New("token has no subject")
	}
	return p, nil
}
