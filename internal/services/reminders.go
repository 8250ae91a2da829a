package services

import (
	"context"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// ReminderSubject is who the reminder job is when it calls another
// service: a system, not a person, with the least role that reads the
// people directory.
const (
	ReminderSubject = "system/reminders"
	ReminderRole    = principal.Employee
)

// devReminderTTL is how long a minted reminder token lasts; it is minted
// again once less than a third of that is left.
const devReminderTTL = time.Hour

// DevReminderToken returns the reminder job's token source where the
// services trust the dev key: a token minted with it, minted again before
// it expires.
func DevReminderToken(key *jose.JSONWebKey) func(context.Context) (string, error) {
	var (
		mu      sync.Mutex
		token   string
		expires time.Time
	)
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Until(expires) > devReminderTTL/3 {
			return token, nil
		}
		t, err := auth.MintDev(key, ReminderSubject, []principal.Role{ReminderRole}, devReminderTTL)
		if err != nil {
			return "", err
		}
		token, expires = t, time.Now().Add(devReminderTTL)
		return token, nil
	}
}
