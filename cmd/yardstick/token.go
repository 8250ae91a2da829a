package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// tokenCommand prints a bearer token signed with the dev key of a data
// directory, for calling a `yardstick dev` (or --dev-auth) server.
type tokenCommand struct {
	common
	dataDir string
	subject string
	roles   []principal.Role
	ttl     time.Duration
	out     io.Writer
}

func parseToken(args []string, stderr io.Writer) (*tokenCommand, error) {
	c := &tokenCommand{out: os.Stdout}
	var roles string
	fs := newFlagSet("token", stderr)
	c.common.register(fs)
	fs.StringVar(&c.dataDir, "data-dir", ".yardstick", "data directory of the dev server whose key signs the token")
	fs.StringVar(&c.subject, "subject", "", "who the token is for, for example users/alice (required)")
	fs.StringVar(&roles, "roles", "", "comma-separated roles: admin, recruiter, interviewer, employee (required)")
	fs.DurationVar(&c.ttl, "ttl", 12*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.subject == "" {
		return nil, errors.New("token needs --subject")
	}
	for _, name := range strings.Split(roles, ",") {
		r := principal.Role(strings.TrimSpace(name))
		if !r.Known() {
			return nil, fmt.Errorf("unknown role %q (known: admin, recruiter, interviewer, employee)", name)
		}
		c.roles = append(c.roles, r)
	}
	if c.ttl <= 0 || c.ttl > 30*24*time.Hour {
		return nil, errors.New("--ttl must be positive and at most 720h")
	}
	return c, nil
}

func (c *tokenCommand) run(_ context.Context, _ *slog.Logger) error {
	key, err := auth.ReadDevKey(c.dataDir)
	if err != nil {
		return err
	}
	tok, err := auth.MintDev(key, c.subject, c.roles, c.ttl)
	if err != nil {
		return err
	}
	// The token is the last line alone, so `| tail -n1` gets it.
	_, err = fmt.Fprintf(c.out, "# bearer token for %s (%s), valid for %s; send it as: Authorization: Bearer <token>\n%s\n",
		c.subject, strings.Join(principal.RoleNames(c.roles), ","), c.ttl, tok)
	return err
}
