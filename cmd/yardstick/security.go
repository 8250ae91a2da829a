package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/ratelimit"
)

// security are the flags that say whom a service trusts, how fast each
// caller may go, and whether its listener speaks TLS.
type security struct {
	oidcIssuer   string
	oidcAudience string
	rolesClaim   string
	devAuth      bool
	rateRPS      float64
	rateBurst    int
	tlsCert      string
	tlsKey       string
	scimToken    string // a file holding the SCIM provisioning client's bearer token

	limiter *ratelimit.PerPrincipal // made by serverOptions; nil without a limit
	guard   *auth.Guard             // made by serverOptions
}

// minSCIMToken is the least length of the SCIM token: it is a long-lived
// password.
const minSCIMToken = 32

func (s *security) register(fs *flag.FlagSet, devDefault bool) {
	fs.StringVar(&s.oidcIssuer, "oidc-issuer", "", "OpenID Connect issuer URL whose tokens to trust")
	fs.StringVar(&s.oidcAudience, "oidc-audience", "", "audience (aud) that tokens must carry")
	fs.StringVar(&s.rolesClaim, "roles-claim", auth.DefaultRolesClaim, "token claim that lists the caller's roles")
	if !devDefault {
		fs.BoolVar(&s.devAuth, "dev-auth", false, "trust the dev signing key in --data-dir instead of an OIDC issuer (never in production)")
	}
	s.devAuth = s.devAuth || devDefault
	fs.Float64Var(&s.rateRPS, "rate-limit-rps", 20, "calls per second allowed to each caller on average (0: no limit)")
	fs.IntVar(&s.rateBurst, "rate-limit-burst", 40, "calls each caller may make in a burst")
	fs.StringVar(&s.tlsCert, "tls-cert", "", "PEM certificate for the gRPC listener (with --tls-key)")
	fs.StringVar(&s.tlsKey, "tls-key", "", "PEM private key for the gRPC listener")
	fs.StringVar(&s.scimToken, "scim-token-file", "", "file holding the bearer token of the identity provider's SCIM provisioning client (at least 32 characters)")
}

// withSCIM makes v accept the SCIM provisioning client's token, when one is
// configured, as the provisioner role.
func (s *security) withSCIM(v *auth.Verifier) (*auth.Verifier, error) {
	if s.scimToken == "" {
		return v, nil
	}
	b, err := os.ReadFile(s.scimToken)
	if err != nil {
		return nil, fmt.Errorf("--scim-token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < minSCIMToken {
		return nil, fmt.Errorf("--scim-token-file: the token must be at least %d characters (for example: openssl rand -hex 32)", minSCIMToken)
	}
	return v.WithStaticToken(token, principal.Principal{Subject: "system/scim", Roles: []principal.Role{principal.Provisioner}}), nil
}

// verifier returns the token verifier: the OIDC issuer when one is named,
// otherwise (in dev mode, or with --dev-auth) the dev key in dataDir.
func (s *security) verifier(ctx context.Context, dataDir string, log *slog.Logger) (*auth.Verifier, error) {
	if s.oidcIssuer != "" || s.oidcAudience != "" {
		log.Info("trusting tokens of an OIDC issuer", "issuer", s.oidcIssuer, "audience", s.oidcAudience)
		return auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: s.oidcIssuer, Audience: s.oidcAudience, RolesClaim: s.rolesClaim})
	}
	if !s.devAuth {
		return nil, errors.New("say whom to trust: --oidc-issuer and --oidc-audience, or --dev-auth")
	}
	key, err := auth.LoadOrCreateDevKey(dataDir)
	if err != nil {
		return nil, err
	}
	return auth.NewDev(key), nil
}

// trustsDevKey reports whether the services trust the dev key (in dev
// mode, or with --dev-auth) rather than an OIDC issuer.
func (s *security) trustsDevKey() bool {
	return s.devAuth && s.oidcIssuer == "" && s.oidcAudience == ""
}

// tokenRolesClaim is the roles claim of the tokens verifier trusts:
// --roles-claim for an OIDC issuer's, the default for the dev key's (which
// it mints).
func (s *security) tokenRolesClaim() string {
	if s.oidcIssuer != "" || s.oidcAudience != "" {
		return s.rolesClaim
	}
	return auth.DefaultRolesClaim
}

// serverOptions builds the security half of the gRPC server's options.
func (s *security) serverOptions(ctx context.Context, dataDir string, log *slog.Logger) (grpcserver.Options, error) {
	var opts grpcserver.Options
	if (s.tlsCert == "") != (s.tlsKey == "") {
		return opts, errors.New("--tls-cert and --tls-key go together")
	}
	if s.tlsCert != "" {
		creds, err := credentials.NewServerTLSFromFile(s.tlsCert, s.tlsKey)
		if err != nil {
			return opts, err
		}
		opts.Creds = creds
	}
	v, err := s.verifier(ctx, dataDir, log)
	if err != nil {
		return opts, err
	}
	if v, err = s.withSCIM(v); err != nil {
		return opts, err
	}
	rules, err := services.Rules()
	if err != nil {
		return opts, err
	}
	guard := auth.NewGuard(v, rules, log)
	s.guard = guard
	opts.Interceptors = []grpc.UnaryServerInterceptor{guard.Unary()}
	opts.StreamInterceptors = []grpc.StreamServerInterceptor{guard.Stream()}
	if s.rateRPS > 0 {
		s.limiter = ratelimit.New(s.rateRPS, s.rateBurst)
		opts.Interceptors = append(opts.Interceptors, s.limiter.Unary())
	}
	return opts, nil
}

// observe sends the rate limiter's sampled refusal logs to log and counts
// its refusals in reg (yardstick_rate_limited_total) when metrics are on.
func (s *security) observe(log *slog.Logger, reg prometheus.Registerer) error {
	if s.limiter == nil {
		return nil
	}
	return s.limiter.Observe(log, reg)
}

// clientCreds are the transport credentials for dialling a service that uses
// these flags: TLS trusting the service's own certificate when it has one.
func (s *security) clientCreds() (credentials.TransportCredentials, error) {
	if s.tlsCert == "" {
		return insecure.NewCredentials(), nil
	}
	return credentials.NewClientTLSFromFile(s.tlsCert, "")
}
