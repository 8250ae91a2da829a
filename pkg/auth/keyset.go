package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet holds the public keys that tokens may be signed with, and fetches
// them again when a token names a key it does not know (key rotation) — but
// at most once per minRefresh, so that tokens with made-up key IDs cannot
// make it hammer the issuer. Signatures are checked by go-jose.
type keySet struct {
	fetch      func(ctx context.Context) ([]jose.JSONWebKey, error)
	algs       []jose.SignatureAlgorithm
	minRefresh time.Duration // at least this long between fetches
	maxAge     time.Duration // keys older than this are fetched again on use

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetchedAt time.Time
}

var errUnknownKey = errors.New("token signed with an unknown key")

// VerifySignature implements go-oidc's KeySet: it returns the payload of a
// compact JWS whose signature one of the keys verifies.
func (s *keySet) VerifySignature(ctx context.Context, token string) ([]byte, error) {
	jws, err := jose.ParseSigned(token, s.algs)
	if err != nil {
		return nil, fmt.Errorf("malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("token must carry exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID

	keys, err := s.current(ctx, kid)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if kid == "" || keys[i].KeyID == kid {
			if payload, err := jws.Verify(&keys[i]); err == nil {
				return payload, nil
			}
		}
	}
	return nil, errors.New("token signature does not verify")
}

// current returns the keys, fetching them first when there are none yet,
// when they are older than maxAge, or when kid is unknown and the last fetch
// is at least minRefresh old.
func (s *keySet) current(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	age := time.Since(s.fetchedAt)
	stale := s.keys == nil || age >= s.maxAge || (!hasKey(s.keys, kid) && age >= s.minRefresh)
	if stale {
		// The fetch outlives a caller that gives up: its result serves everyone.
		keys, err := s.fetch(context.WithoutCancel(ctx))
		if err != nil && s.keys == nil {
			return nil, fmt.Errorf("fetch signing keys: %w", err)
		}
		// On a failed refresh, the keys we had stay in use until the next try.
		s.fetchedAt = time.Now()
		if err == nil {
			s.keys = keys
		}
	}
	if !hasKey(s.keys, kid) {
		return nil, errUnknownKey
	}
	return s.keys, nil
}

func hasKey(keys []jose.JSONWebKey, kid string) bool {
	if kid == "" {
		return len(keys) > 0
	}
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

// fetchJWKS returns a fetch function that downloads a JWK Set document and
// keeps its public signing keys.
func fetchJWKS(client *http.Client, url string) func(ctx context.Context) ([]jose.JSONWebKey, error) {
	return func(ctx context.Context) ([]jose.JSONWebKey, error) {
		var set jose.JSONWebKeySet
		if err := getJSON(ctx, client, url, &set); err != nil {
			return nil, err
		}
		var keys []jose.JSONWebKey
		for _, k := range set.Keys {
			if k.Valid() && k.IsPublic() && (k.Use == "" || k.Use == "sig") {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s holds no public signing key", url)
		}
		return keys, nil
	}
}

// getJSON fetches a small JSON document.
func getJSON(ctx context.Context, client *http.Client, url string, into any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}
