package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/grpcserver"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/web"
)

// devCommand runs every service and the gateway in one process. Calls
// between them still go through gRPC clients, as in split mode.
type devCommand struct {
	common
	storage
	security
	observability
	httpAddr  string
	grpcAddr  string
	reminders reminderFlags
	// ready, when set, is told the addresses served once everything is up
	// and seeded (the load tool starts dev mode on ports the system picks).
	ready func(grpcAddr, httpAddr net.Addr)
}

func parseDev(args []string, stderr io.Writer) (*devCommand, error) {
	c := &devCommand{}
	fs := newFlagSet("dev", stderr)
	c.common.register(fs)
	fs.StringVar(&c.httpAddr, "http-addr", "127.0.0.1:8080", "address of the REST gateway")
	fs.StringVar(&c.grpcAddr, "grpc-addr", "127.0.0.1:9090", "address of the gRPC services")
	c.storage.register(fs, "directory for the embedded database")
	c.security.register(fs, true)
	c.observability.register(fs)
	c.reminders.register(fs, true)
	return c, fs.Parse(args)
}

func (c *devCommand) run(ctx context.Context, log *slog.Logger) error {
	start := time.Now()
	// Both ports first: a busy port should fail before anything is written.
	grpcLis, err := net.Listen("tcp", c.grpcAddr)
	if err != nil {
		return err
	}
	// The servers close their listeners when they stop; these closes cover
	// the early returns (closing twice is harmless).
	defer grpcLis.Close()
	httpLis, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return err
	}
	defer httpLis.Close()
	secured, err := c.security.serverOptions(ctx, c.dataDir, log)
	if err != nil {
		return err
	}
	devKeyDir := ""
	if c.trustsDevKey() {
		devKeyDir = c.dataDir
	}
	// Links in the reminders go to this process's web app unless told otherwise.
	settings, err := c.reminders.settings("http://"+dialAddr(httpLis.Addr()), devKeyDir)
	if err != nil {
		return err
	}
	conn, err := c.storage.open(ctx, log)
	if err != nil {
		return err
	}
	// Runs last: the database closes after both servers have stopped.
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()

	// Shutdown goes from the outside in. A signal ends httpCtx: the gateway
	// stops accepting and lets the requests it accepted finish, through gRPC
	// servers that are still running (stopping both at once failed requests
	// whose body was still arriving: the gRPC server was gone when they were
	// passed on). Only then does serveCtx end: the gRPC servers drain, then
	// metrics stop, then the database closes (deferred above).
	serveCtx, stopServing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopServing()
	httpCtx, stopHTTP := context.WithCancel(ctx)
	defer stopHTTP()
	reg, metricsDone, stopTracing, err := c.observability.start(serveCtx, "yardstick", log)
	if err != nil {
		return err
	}
	defer stopTracing()
	secured.Metrics = reg
	if err := c.security.observe(log, reg); err != nil {
		return err
	}
	if err := conn.RegisterMetrics(reg); err != nil {
		return err
	}
	all := services.All()
	// Services call each other through gRPC clients, as in split mode:
	// here every peer is this process's own gRPC server.
	clientCreds, err := c.security.clientCreds()
	if err != nil {
		stopServing()
		<-metricsDone
		return err
	}
	self, err := dialPeer(dialAddr(grpcLis.Addr()), clientCreds)
	if err != nil {
		stopServing()
		<-metricsDone
		return err
	}
	defer func() { _ = self.Close() }()
	peers := services.Peers{}
	for _, s := range all {
		peers[s.Name] = self
	}
	grpcRun, err := startGRPC(serveCtx, log, conn, c.dbPrefix, all, peers, settings, secured, c.security.guard, grpcLis)
	if err != nil {
		stopServing()
		<-metricsDone
		return err
	}
	grpcDone := grpcRun.done
	var httpDone <-chan error
	// stop ends the servers in that order, waiting for each, and keeps
	// every error.
	stop := func(err error) error {
		stopHTTP()
		if httpDone != nil {
			err = errors.Join(err, <-httpDone)
		}
		stopServing()
		for _, done := range []<-chan error{grpcDone, metricsDone} {
			if done != nil {
				err = errors.Join(err, <-done)
			}
		}
		return err
	}

	if err := services.SeedAll(ctx, conn.Client, c.dbPrefix, all, log); err != nil {
		return stop(err)
	}
	// The gateway reaches the services through a gRPC client, as in split mode.
	cc, err := grpc.NewClient(dialAddr(grpcLis.Addr()), grpc.WithTransportCredentials(clientCreds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
	if err != nil {
		return stop(err)
	}
	defer func() { _ = cc.Close() }()
	// One process serves them all: every backend is the same connection.
	backends := make([]gateway.Backend, len(all))
	for i, s := range all {
		backends[i] = gateway.Backend{Name: s.Name, Conn: cc, Register: s.RegisterGateway}
	}
	app, err := c.webApp(serveCtx, log, cc)
	if err != nil {
		return stop(err)
	}
	gw, err := gateway.New(serveCtx, gateway.Options{Logger: log, Backends: backends, Metrics: reg, MaxBodyBytes: grpcserver.GatewayBodyBytes, App: app})
	if err != nil {
		return stop(err)
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- gateway.Serve(httpCtx, httpLis, gw, shutdownGrace) }()
	httpDone = httpErr

	base := "http://" + httpLis.Addr().String()
	log.Info("yardstick is ready",
		"startup", time.Since(start).Round(time.Millisecond),
		"app", base+"/",
		"frameworks", base+"/v1/frameworks",
		"rubrics", base+"/v1/rubrics",
		"openapi", base+"/openapi.json",
		"grpc", grpcLis.Addr().String())
	if c.ready != nil {
		c.ready(grpcLis.Addr(), httpLis.Addr())
	}
	if c.oidcIssuer == "" {
		log.Info("every API call needs a bearer token; mint one with: go run ./cmd/yardstick token --data-dir " +
			c.dataDir + " --subject users/me --roles admin")
	}

	// Run until a signal, or until either server fails; then stop both.
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-grpcDone:
		grpcDone = nil
	case runErr = <-httpDone:
		httpDone = nil
	}
	log.Info("shutting down")
	return stop(runErr)
}

// dialAddr is the loopback address to reach a listener on: a listener on
// every interface (0.0.0.0, [::]) is dialled on 127.0.0.1, which is also
// the address a certificate for local use names.
func dialAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// webApp is the web app dev mode serves at "/": with a sign-in picker of
// the demo people, minting tokens with the dev key, unless dev mode trusts
// an OIDC issuer (then no picker: the gateway command's OIDC sign-in is for
// that). It reads roles from the claim the services read. Dev mode is one
// process, so no secret: the app makes a key of its own.
func (c *devCommand) webApp(ctx context.Context, log *slog.Logger, cc *grpc.ClientConn) (*web.App, error) {
	opts := web.Options{
		Logger:     log,
		Conns:      map[string]grpc.ClientConnInterface{"ladder": cc, "rubric": cc, "feedback": cc},
		RolesClaim: c.security.tokenRolesClaim(),
	}
	if c.oidcIssuer == "" {
		key, err := auth.ReadDevKey(c.dataDir)
		if err != nil {
			return nil, err
		}
		opts.DevPeople = web.DemoPeople()
		opts.DevSignIn = func(subject string, roles []principal.Role) (string, error) {
			return auth.MintDev(key, subject, roles, 12*time.Hour)
		}
	}
	return web.New(ctx, opts)
}
