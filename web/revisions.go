package web

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/lru"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// rubricRevisions keeps the published rubric revisions that pages show (a
// scorecard, a panel, a debrief, a role) in memory. A revision never
// changes, so it is kept once by its numbered name for every reader:
// reading it again would cost a call, and the reader's rate limit, for
// bytes already here.
//
// The app does not verify tokens, the services do. So a kept revision is
// served only to a token the rubric service accepted for a revision read
// within the last grantTTL; any other token, and every `latest`, is sent
// to the service. Revisions are for everyone signed in (the service's
// rule), so a token accepted for one revision may read them all; a
// token's roles do not change while it lives, and the session turns an
// expired token away before any page runs. The TTL bounds how long a
// change of the services' rules or keys takes to show here.
type rubricRevisions struct {
	client rubricv1.RubricServiceClient
	cache  *lru.Cache[string, *rubricv1.RubricRevision]

	mu      sync.Mutex
	granted map[[sha256.Size]byte]time.Time // a token's hash → when the service accepted it
}

const (
	rubricRevisionBytes = 16 << 20
	grantTTL            = 5 * time.Minute
	maxGrants           = 10_000 // past it, grants start again empty
)

func newRubricRevisions(client rubricv1.RubricServiceClient) *rubricRevisions {
	return &rubricRevisions{
		client: client, cache: lru.New[string, *rubricv1.RubricRevision](rubricRevisionBytes),
		granted: map[[sha256.Size]byte]time.Time{},
	}
}

// get returns a revision by name with the credentials ctx carries (see
// App.call). The revision is shared: nobody may change it.
func (c *rubricRevisions) get(ctx context.Context, name string) (*rubricv1.RubricRevision, error) {
	token, hasToken := tokenHash(ctx)
	if hasToken && c.accepted(token) {
		if rev, ok := c.cache.Get(name); ok {
			return rev, nil
		}
	}
	rev, err := c.client.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: name})
	if err != nil {
		return nil, err
	}
	if hasToken {
		c.grant(token)
	}
	if rev.GetName() == name { // numbered: `latest` names another, and moves
		c.cache.Add(name, rev, proto.Size(rev))
	}
	return rev, nil
}

func (c *rubricRevisions) accepted(token [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.granted[token]
	return ok && time.Since(at) < grantTTL
}

func (c *rubricRevisions) grant(token [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.granted) >= maxGrants {
		clear(c.granted)
	}
	c.granted[token] = time.Now()
}

// tokenHash is the hash of the credentials a call with ctx sends: tokens
// are kept only as hashes.
func tokenHash(ctx context.Context) ([sha256.Size]byte, bool) {
	md, _ := metadata.FromOutgoingContext(ctx)
	auth := md.Get("authorization")
	if len(auth) != 1 || auth[0] == "" {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(auth[0])), true
}

// rubricRevision reads a published rubric revision for a page.
func (a *App) rubricRevision(ctx context.Context, name string) (*rubricv1.RubricRevision, error) {
	return a.rubricRevisions.get(ctx, name)
}
