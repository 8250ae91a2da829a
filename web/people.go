package web

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// people resolves users/{user} references to the directory's entries, so
// that pages show names, never subjects. Entries are kept for a minute:
// a page names the same few people over and over, and a renamed person
// shows by the new name within the minute on every replica. The
// directory is readable by everyone who signs in, so what one caller
// fetched may be shown to another.
type people struct {
	client ladderv1.LadderServiceClient
	ttl    time.Duration
	mu     sync.Mutex
	known  map[string]cachedPerson
}

type cachedPerson struct {
	user *ladderv1.User // nil: not in the directory
	at   time.Time
}

// userRef is the form the directory accepts (one malformed name would
// fail a whole batch): what else a page holds, for example the seed's
// actor, shows as it is.
var userRef = fieldcheck.UserNamePattern

// maxCachedPeople bounds the cache; past it, it starts again empty.
const maxCachedPeople = 10_000

func newPeople(client ladderv1.LadderServiceClient) *people {
	return &people{client: client, ttl: time.Minute, known: map[string]cachedPerson{}}
}

// names are display names by reference, for one page.
type names map[string]*ladderv1.User

// of is the name to show for a reference: the directory's display name,
// else the subject (what the identity provider knows the person by),
// never the resource name.
func (n names) of(ref string) string {
	if u := n[ref]; u != nil && u.GetDisplayName() != "" {
		return u.GetDisplayName()
	}
	return strings.TrimPrefix(ref, "users/")
}

// user is the directory's entry of ref, or nil.
func (n names) user(ref string) *ladderv1.User { return n[ref] }

// lookup returns the entries of refs, reading what the cache lacks in
// batches. A directory that cannot be read leaves the names out: pages
// then show subjects, and still work.
func (p *people) lookup(ctx context.Context, refs ...string) names {
	out := names{}
	var missing []string
	now := time.Now()
	p.mu.Lock()
	for _, r := range refs {
		if _, done := out[r]; done || !userRef.MatchString(r) || r == "users/"+principal.Anonymous {
			continue
		}
		if c, ok := p.known[r]; ok && now.Sub(c.at) < p.ttl {
			out[r] = c.user
			continue
		}
		out[r] = nil
		missing = append(missing, r)
	}
	p.mu.Unlock()
	for len(missing) > 0 {
		batch := missing[:min(len(missing), 200)]
		missing = missing[len(batch):]
		resp, err := p.client.BatchGetUsers(ctx, &ladderv1.BatchGetUsersRequest{Names: batch})
		if err != nil {
			return out
		}
		found := map[string]*ladderv1.User{}
		for _, u := range resp.GetUsers() {
			found[u.GetName()] = u
		}
		p.mu.Lock()
		if len(p.known)+len(batch) > maxCachedPeople {
			p.known = map[string]cachedPerson{}
		}
		for _, r := range batch {
			out[r] = found[r]
			p.known[r] = cachedPerson{user: found[r], at: now}
		}
		p.mu.Unlock()
	}
	return out
}

// forget drops a cached entry: after this replica changed it.
func (p *people) forget(ref string) {
	p.mu.Lock()
	delete(p.known, ref)
	p.mu.Unlock()
}

// everyone reads the whole directory, for the forms that offer people as
// choices, with their names.
func (a *App) everyone(ctx context.Context) ([]*ladderv1.User, names, error) {
	users, err := listAll(func(token string) ([]*ladderv1.User, string, error) {
		resp, err := a.ladder.ListUsers(ctx, &ladderv1.ListUsersRequest{PageSize: 1000, PageToken: token})
		return resp.GetUsers(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, nil, err
	}
	byName := names{}
	for _, u := range users {
		byName[u.GetName()] = u
	}
	return users, byName, nil
}
