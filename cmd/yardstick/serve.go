package main

import (
	"context"
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
	service  services.Service
	grpcAddr string
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
	return c, fs.Parse(args)
}

func (c *serveCommand) run(ctx context.Context, log *slog.Logger) error {
	log = log.With("service", c.service.Name)
	secured, err := c.security.serverOptions(ctx, c.dataDir, log)
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
	lis, err := net.Listen("tcp", c.grpcAddr)
	if err != nil {
		return err
	}
	grpcRun, err := startGRPC(ctx, log, conn, c.dbPrefix, []services.Service{c.service}, secured, lis)
	if err != nil {
		_ = lis.Close()
		return err
	}
	log.Info("serving", "grpc", lis.Addr().String(), "tls", c.tlsCert != "", "database", c.service.DatabaseName(c.dbPrefix))
	err = <-grpcRun.done
	<-metricsDone // ends with ctx, like the service
	return err
}
