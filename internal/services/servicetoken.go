package services

import (
	"context"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// ServiceSubject is who the feedback service's background jobs are when
// they call another service (the reminders read the people directory, the
// publication watch reads what is published): a system, not a person,
// with the least role that reads both.
const (
	ServiceSubject = "system/feedback"
	ServiceRole    = principal.Employee
)

// devServiceTTL is how long a minted service token lasts; it is minted
// again once less than a third of that is left.
const devServiceTTL = time.Hour

// DevServiceToken returns the background jobs' token source where the
// services trust the dev key: a token minted with it, minted again before
// it expires.
func DevServiceToken(key *jose.JSONWebKey) func(context.Context) (string, error) {
	var (
		mu      sync.Mutex
		token   string
		expires time.Time
	)
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Until(expires) > devServiceTTL/3 {
			return token, nil
		}
		t, err := auth.MintDev(key, ServiceSubject, []principal.Role{ServiceRole}, devServiceTTL)
		if err != nil {
			return "", err
		}
		token, expires = t, time.Now().Add(devServiceTTL)
		return token, nil
	}
}
