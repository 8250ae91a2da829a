package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/yardstick-dev/yardstick/internal/services"
)

// serveCommand runs one service on its own gRPC port: the split deployment.
type serveCommand struct {
	common
	storage
	security
	observability
	service   services.Service
	grpcAddr  string
	peers     []backendFlags // one per service this one calls
	reminders reminderFlags  // for a service with background jobs
}

func parseServe(name string, args []string, stderr io.Writer) (*serveCommand, error) {
	service, err := services.Lookup(name)
	if err != nil {
		return nil, err
	}
	c := &serveCommand{service: service}
	fs := newFlagSet("serve "+name, stderr)
	c.common.register(fs)
	fs.StringVar(&c.grpcAddr, "grpc-addr", "127.0.0.1:9091", "address of the service's gRPC server")
	c.storage.register(fs, "directory for the embedded database (without --mongo-uri)")
	c.security.register(fs, false)
	c.observability.register(fs)
	if service.Jobs != nil {
		c.reminders.register(fs, false)
	}
	for _, name := range service.Calls {
		peer, err := services.Lookup(name)
		if err != nil {
			return nil, err
		}
		b := backendFlags{service: peer}
		c.peers = append(c.peers, b)
	}
	for i := range c.peers {
		b := &c.peers[i]
		fs.StringVar(&b.addr, b.service.Name+"-addr", "", "address of the "+b.service.Name+" service's gRPC server, which this one calls (required)")
		fs.StringVar(&b.ca, b.service.Name+"-ca", "", "PEM certificate(s) to trust for TLS to the "+b.service.Name+" service; plaintext when empty")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, b := range c.peers {
		if b.addr == "" {
			return nil, fmt.Errorf("serve %s needs --%s-addr: it calls the %s service", name, b.service.Name, b.service.Name)
		}
	}
	return c, nil
}

func (c *serveCommand) run(ctx context.Context, log *slog.Logger) error {
	log = log.With("service", c.service.Name)
	secured, err := c.security.serverOptions(ctx, c.dataDir, log)
	if err != nil {
		return err
	}
	devKeyDir := ""
	if c.trustsDevKey() {
		devKeyDir = c.dataDir
	}
	settings, err := c.reminders.settings("", devKeyDir)
	if err != nil {
		return err
	}
	reg, metricsDone, stopTracing, err := c.observability.start(ctx, "yardstick-"+c.service.Name, log)
	if err != nil {
		return err
	}
	defer stopTracing()
	secured.Metrics = reg
	if err := c.security.observe(log, reg); err != nil {
		return err
	}
	conn, err := c.storage.open(ctx, log)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if err := conn.RegisterMetrics(reg); err != nil {
		return err
	}
	peers := services.Peers{}
	for _, b := range c.peers {
		creds, err := b.creds()
		if err != nil {
			return fmt.Errorf("%s service: %w", b.service.Name, err)
		}
		pc, err := dialPeer(b.addr, creds)
		if err != nil {
			return fmt.Errorf("%s service: %w", b.service.Name, err)
		}
		defer func() { _ = pc.Close() }()
		peers[b.service.Name] = pc
	}
	lis, err := net.Listen("tcp", c.grpcAddr)
	if err != nil {
		return err
	}
	grpcRun, err := startGRPC(ctx, log, conn, c.dbPrefix, []services.Service{c.service}, peers, settings, secured, c.security.guard, lis)
	if err != nil {
		_ = lis.Close()
		return err
	}
	log.Info("serving", "grpc", lis.Addr().String(), "tls", c.tlsCert != "", "database", c.service.DatabaseName(c.dbPrefix))
	err = <-grpcRun.done
	<-metricsDone // ends with ctx, like the service
	return err
}
