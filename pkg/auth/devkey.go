package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// Dev mode trusts one key kept in its data directory: `yardstick token`
// signs with it, the services verify with its public half.
const (
	DevIssuer   = "yardstick-dev"
	DevAudience = "yardstick"
	devKeyFile  = "dev-signing-key.json"
)

// LoadOrCreateDevKey returns the dev signing key in dir, creating it (ES256,
// readable by the owner only) on first use.
func LoadOrCreateDevKey(dir string) (*jose.JSONWebKey, error) {
	path := filepath.Join(dir, devKeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createDevKey(dir, path)
	}
	if err != nil {
		return nil, err
	}
	var key jose.JSONWebKey
	if err := json.Unmarshal(data, &key); err != nil || key.IsPublic() || !key.Valid() {
		return nil, fmt.Errorf("%s is not a private signing key", path)
	}
	return &key, nil
}

// ReadDevKey returns the dev signing key in dir, which must exist.
func ReadDevKey(dir string) (*jose.JSONWebKey, error) {
	if _, err := os.Stat(filepath.Join(dir, devKeyFile)); err != nil {
		return nil, fmt.Errorf("no dev signing key in %s (start `yardstick dev --data-dir %s` once): %w", dir, dir, err)
	}
	return LoadOrCreateDevKey(dir)
}

func createDevKey(dir, path string) (*jose.JSONWebKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	key := &jose.JSONWebKey{Key: priv, Algorithm: string(jose.ES256), Use: "sig"}
	thumb, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	key.KeyID = fmt.Sprintf("dev-%x", thumb[:8])
	data, err := json.Marshal(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateDevKey(dir)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// NewDev returns a verifier that trusts tokens signed with the dev key.
func NewDev(key *jose.JSONWebKey) *Verifier {
	public := key.Public()
	static := func(context.Context) ([]jose.JSONWebKey, error) { return []jose.JSONWebKey{public}, nil }
	keys := &keySet{fetch: static, algs: SigningAlgorithms, minRefresh: time.Hour, maxAge: 24 * 365 * time.Hour}
	return newVerifier(DevIssuer, DevAudience, DefaultRolesClaim, keys)
}

// Token is what Mint puts in a token.
type Token struct {
	Issuer, Audience, Subject string
	Roles                     []principal.Role
	TTL                       time.Duration
}

// Mint signs a token with key.
func Mint(key *jose.JSONWebKey, t Token) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	now := time.Now()
	return jwt.Signed(signer).
		Claims(jwt.Claims{
			Issuer: t.Issuer, Audience: jwt.Audience{t.Audience}, Subject: t.Subject,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(t.TTL)),
		}).
		Claims(map[string]any{DefaultRolesClaim: principal.RoleNames(t.Roles)}).
		Serialize()
}

// MintDev signs a token that a dev-mode verifier (NewDev with the same key) accepts.
func MintDev(key *jose.JSONWebKey, subject string, roles []principal.Role, ttl time.Duration) (string, error) {
	return Mint(key, Token{Issuer: DevIssuer, Audience: DevAudience, Subject: subject, Roles: roles, TTL: ttl})
}
