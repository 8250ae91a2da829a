package webhooks

import (
	"crypto/rand"
	"encoding/base64"
)

// NewSecret returns a new signing secret in the specification's form:
// "whsec_" and 32 random bytes in base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
