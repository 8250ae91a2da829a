package services

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// remoteTTL is how long a process that does not serve the ladder trusts an
// answer of the ladder service: a deactivation reaches it within this.
const remoteTTL = 5 * time.Second

// localReadTimeout bounds the directory read of a process that serves the
// ladder.
const localReadTimeout = time.Second

// Directory answers the guard's question on every call, "is this caller
// deactivated?" (auth.Guard.CheckDeactivated). In a process that serves
// the ladder (dev mode, `serve ladder`) it reads the directory entry by
// _id, so a deactivation holds from the next call on. Elsewhere it asks the
// ladder service over gRPC, with the caller's own credentials, and keeps
// the answer for remoteTTL.
type Directory struct {
	local  *ladder.Users
	remote ladderv1.LadderServiceClient

	mu   sync.Mutex
	seen map[string]remembered
}

type remembered struct {
	off bool
	at  time.Time
}

// NewDirectory returns the directory check for a process that serves list:
// nil when it neither serves the ladder nor reaches it (nothing to ask).
func NewDirectory(client *mongo.Client, prefix string, list []Service, peers Peers) *Directory {
	for _, s := range list {
		if s.Name == "ladder" {
			return &Directory{local: ladder.NewUsers(client.Database(s.DatabaseName(prefix)))}
		}
	}
	if peers["ladder"] == nil {
		return nil
	}
	return &Directory{remote: ladderv1.NewLadderServiceClient(peers["ladder"]), seen: map[string]remembered{}}
}

// Deactivated implements auth.Directory. Callers that are not people
// (system/…, the provisioning client) are never deactivated.
func (d *Directory) Deactivated(ctx context.Context, subject string) (bool, error) {
	if !strings.HasPrefix(subject, "users/") {
		return false, nil
	}
	if d.local != nil {
		// Bounded apart from the call: a database that does not answer must
		// make the call UNAVAILABLE (retryable) within its deadline, not
		// spend it all here.
		rctx, cancel := context.WithTimeout(ctx, localReadTimeout)
		defer cancel()
		off, err := ladder.Deactivated(rctx, d.local, subject)
		if err != nil && ctx.Err() == nil {
			return false, apierr.Unavailable("cannot read the people directory to check the caller; retry")
		}
		return off, err
	}
	d.mu.Lock()
	r, ok := d.seen[subject]
	d.mu.Unlock()
	if ok && time.Since(r.at) < remoteTTL {
		return r.off, nil
	}
	u, err := d.remote.GetUser(ctx, &ladderv1.GetUserRequest{Name: subject})
	var invalid *apierr.InvalidArgumentError
	if err = grpcerr.FromStatus(err); err != nil && !errors.Is(err, apierr.ErrNotFound) && !errors.As(err, &invalid) {
		// Closed, not open: a deactivated person must not get through
		// while the directory is away.
		return false, apierr.Unavailable("cannot reach the people directory to check the caller; retry")
	}
	off := err == nil && u.GetDeactivated()
	d.mu.Lock()
	if len(d.seen) > 10000 {
		clear(d.seen)
	}
	d.seen[subject] = remembered{off: off, at: time.Now()}
	d.mu.Unlock()
	return off, nil
}
