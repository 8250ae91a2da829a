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
// at most once per minRefresh, failed fetches included, so that tokens with
// made-up key IDs cannot make it hammer the issuer. Calls with a known key
// never wait for a fetch. Signatures are checked by go-jose.
type keySet struct {
	fetch      func(ctx context.Context) ([]jose.JSONWebKey, error)
	algs       []jose.SignatureAlgorithm
	minRefresh time.Duration // at least this long between fetches
	maxAge     time.Duration // keys older than this are fetched again, in the background

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetchedAt time.Time     // when the last fetch started, successful or not
	lastErr   error         // how the last fetch ended
	inflight  chan struct{} // closed when the running fetch ends; nil when none runs
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

// current returns the keys to check a token naming kid against.
func (s *keySet) current(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	s.mu.Lock()
	age := time.Since(s.fetchedAt)
	switch {
	case hasKey(s.keys, kid):
		if age >= s.maxAge {
			s.startFetch() // refresh in the background; these keys serve meanwhile
		}
		keys := s.keys
		s.mu.Unlock()
		return keys, nil
	case age < s.minRefresh && s.inflight == nil:
		err := s.unknownKey()
		s.mu.Unlock()
		return nil, err
	}
	// An unknown key, and a fetch is running or allowed: wait for it.
	done := s.startFetch()
	s.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !hasKey(s.keys, kid) {
		return nil, s.unknownKey()
	}
	return s.keys, nil
}

// unknownKey explains why no key matched; mu is held.
func (s *keySet) unknownKey() error {
	if s.keys == nil && s.lastErr != nil {
		return fmt.Errorf("fetch signing keys: %w", s.lastErr)
	}
	return errUnknownKey
}

// startFetch starts fetching the keys unless a fetch is running, and returns
// a channel closed when it ends; mu is held. The fetch outlives the caller
// that started it: its result serves everyone (getJSON bounds its time).
func (s *keySet) startFetch() <-chan struct{} {
	if s.inflight != nil {
		return s.inflight
	}
	done := make(chan struct{})
	s.inflight, s.fetchedAt = done, time.Now()
	go func() {
		keys, err := s.fetch(context.Background())
		s.mu.Lock()
		if err == nil {
			s.keys = keys
		}
		s.lastErr, s.inflight = err, nil
		s.mu.Unlock()
		close(done)
	}()
	return done
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
