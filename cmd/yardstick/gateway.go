package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/web"
)

// webSecretEnv holds the web app's secret when --web-secret is not given:
// a flag's value shows in the process list.
const webSecretEnv = "YARDSTICK_WEB_SECRET"

// minWebSecret is the shortest secret accepted, in bytes: 32 random bytes
// in base64 (openssl rand -base64 32) are 44.
const minWebSecret = 32

// gatewayCommand runs the REST gateway in front of split services.
type gatewayCommand struct {
	common
	observability
	httpAddr string
	backends []backendFlags // one per service of the table
	web      web.OIDCConfig // the web app's sign-in; no app without a client ID
	// webSecret keys what the web app signs; the same on every replica.
	webSecret string
	// rolesClaim is the services' --roles-claim: the web app shows what
	// the roles the services read allow.
	rolesClaim string
}

// backendFlags say where one service is and how to reach it:
// --NAME-addr and --NAME-ca.
type backendFlags struct {
	service services.Service
	addr    string
	ca      string
}

func parseGateway(args []string, stderr io.Writer) (*gatewayCommand, error) {
	c := &gatewayCommand{}
	fs := newFlagSet("gateway", stderr)
	c.common.register(fs)
	fs.StringVar(&c.httpAddr, "http-addr", "127.0.0.1:8080", "address of the REST gateway")
	c.observability.register(fs)
	fs.StringVar(&c.web.Issuer, "web-oidc-issuer", "", "OpenID Connect issuer the web app signs people in with (the services' --oidc-issuer)")
	fs.StringVar(&c.web.ClientID, "web-oidc-client-id", "", "the web app's OAuth client ID (the services' --oidc-audience); without it, no web app")
	fs.StringVar(&c.web.ClientSecret, "web-oidc-client-secret", "", "the web app's OAuth client secret, if the provider gave one")
	fs.StringVar(&c.web.RedirectURL, "web-oidc-redirect-url", "", "the web app's callback as the provider calls it: https://HOST/signin/callback")
	fs.StringVar(&c.webSecret, "web-secret", "", "secret the web app keys what it signs with, the same on every gateway replica (required with the web app; or $"+webSecretEnv+")")
	fs.StringVar(&c.rolesClaim, "roles-claim", auth.DefaultRolesClaim, "token claim that lists the caller's roles: the services' --roles-claim")
	all := services.All()
	c.backends = make([]backendFlags, len(all))
	for i, s := range all {
		b := &c.backends[i]
		b.service = s
		fs.StringVar(&b.addr, s.Name+"-addr", "", "address of the "+s.Name+" service's gRPC server (required)")
		fs.StringVar(&b.ca, s.Name+"-ca", "", "PEM certificate(s) to trust for TLS to the "+s.Name+" service; plaintext when empty")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, b := range c.backends {
		if b.addr == "" {
			return nil, fmt.Errorf("gateway needs --%s-addr", b.service.Name)
		}
	}
	if c.webSecret == "" {
		c.webSecret = os.Getenv(webSecretEnv)
	}
	if c.web.ClientID != "" && len(c.webSecret) < minWebSecret {
		return nil, errors.New("the web app needs --web-secret (or $" + webSecretEnv + "), the same on every gateway replica, of at least 32 characters: openssl rand -base64 32")
	}
	return c, nil
}

func (c *gatewayCommand) run(ctx context.Context, log *slog.Logger) error {
	reg, metricsDone, stopTracing, err := c.observability.start(ctx, "yardstick-gateway", log)
	if err != nil {
		return err
	}
	defer stopTracing()
	backends := make([]gateway.Backend, 0, len(c.backends))
	for _, b := range c.backends {
		conn, err := b.dial()
		if err != nil {
			return fmt.Errorf("%s service: %w", b.service.Name, err)
		}
		defer func() { _ = conn.Close() }()
		backends = append(backends, gateway.Backend{Name: b.service.Name, Conn: conn, Register: b.service.RegisterGateway})
	}
	var app http.Handler
	if c.web.ClientID != "" {
		conns := map[string]grpc.ClientConnInterface{}
		for _, b := range backends {
			conns[b.Name] = b.Conn
		}
		webApp, err := web.New(ctx, web.Options{
			Logger: log, Conns: conns, OIDC: &c.web, SecureCookies: strings.HasPrefix(c.web.RedirectURL, "https://"),
			RolesClaim: c.rolesClaim, Secret: []byte(c.webSecret),
		})
		if err != nil {
			return err
		}
		app = webApp
	}
	gw, err := gateway.New(ctx, gateway.Options{Logger: log, Backends: backends, Metrics: reg, MaxBodyBytes: grpcserver.GatewayBodyBytes, App: app})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return err
	}
	attrs := []any{"http", "http://" + lis.Addr().String()}
	for _, b := range c.backends {
		attrs = append(attrs, b.service.Name, b.addr)
	}
	log.Info("gateway serving", attrs...)
	err = gateway.Serve(ctx, lis, gw, shutdownGrace)
	<-metricsDone
	return err
}

// dial returns a client connection to the service.
// creds are the transport credentials to reach the service: TLS trusting
// --NAME-ca, or plaintext.
func (b backendFlags) creds() (credentials.TransportCredentials, error) {
	if b.ca == "" {
		return insecure.NewCredentials(), nil
	}
	return credentials.NewClientTLSFromFile(b.ca, "")
}

func (b backendFlags) dial() (*grpc.ClientConn, error) {
	creds, err := b.creds()
	if err != nil {
		return nil, err
	}
	return grpc.NewClient(b.addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		// Spread calls over every address the name resolves to (dns:///...
		// with a headless Service gives one per service replica).
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [{"round_robin": {}}]}`))
}
