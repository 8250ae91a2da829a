package feedback

import (
	"context"
	"errors"
	"sync"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/apierr/grpcerr"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// rubricCache keeps the rubric revisions scorecards are checked against.
// Revisions never change, so an entry never goes stale; the cache is
// bounded, and forgets everything when full (simple, and rare: a team uses
// a few dozen rubrics).
type rubricCache struct {
	reader RubricReader
	mu     sync.Mutex
	byName map[string]*rubricv1.RubricRevision
}

const rubricCacheSize = 1024

func newRubricCache(r RubricReader) *rubricCache {
	return &rubricCache{reader: r, byName: map[string]*rubricv1.RubricRevision{}}
}

// get returns a published revision, reading it from the rubric service with
// the caller's credentials the first time. `latest` is never cached: it
// moves. field names the request field, for errors.
func (c *rubricCache) get(ctx context.Context, name, field string) (*rubricv1.RubricRevision, error) {
	c.mu.Lock()
	r, ok := c.byName[name]
	c.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := c.reader.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: name})
	if err != nil {
		return nil, rubricError(err, name, field)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byName) >= rubricCacheSize {
		clear(c.byName)
	}
	c.byName[r.GetName()] = r
	return r, nil
}

// rubricError turns the rubric service's answer into this service's error,
// at the call site: its status is never passed through.
func rubricError(err error, name, field string) error {
	err = grpcerr.FromStatus(err)
	var invalid *apierr.InvalidArgumentError
	switch {
	case errors.Is(err, apierr.ErrNotFound):
		return apierr.Invalid(field, "%s is not a published rubric revision", name)
	case errors.Is(err, apierr.ErrUnavailable):
		return apierr.Unavailable("the rubric service is not available; retry later")
	case errors.Is(err, apierr.ErrPermissionDenied), errors.Is(err, apierr.ErrUnauthenticated):
		return err
	case errors.As(err, &invalid):
		return apierr.Invalid(field, "the rubric service refused the name: %s", apierr.ResponseText(err))
	}
	return err
}
