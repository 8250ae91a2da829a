package main

import (
	"context"
	"io"
	"log/slog"
	"net"
)

// serveCommand runs one service on its own gRPC port: the split deployment.
type serveCommand struct {
	common
	storage
	security
	observability
	service  string
	grpcAddr string
}

func parseServe(service string, args []string, stderr io.Writer) (*serveCommand, error) {
	c := &serveCommand{service: service}
	fs := newFlagSet("serve "+service, stderr)
	c.common.register(fs)
	fs.StringVar(&c.grpcAddr, "grpc-addr", "127.0.0.1:9091", "address of the service's gRPC server")
	fs.StringVar(&c.dataDir, "data-dir", ".yardstick", "directory for the embedded database (without --mongo-uri)")
	fs.StringVar(&c.mongoURI, "mongo-uri", "", "MongoDB URI; when empty, an embedded database is started in --data-dir")
	c.security.register(fs, false)
	c.observability.register(fs)
	return c, fs.Parse(args)
}

func (c *serveCommand) run(ctx context.Context, log *slog.Logger) error {
	log = log.With("service", c.service)
	secured, err := c.security.serverOptions(ctx, c.dataDir, log)
	if err != nil {
		return err
	}
	reg, metricsDone, stopTracing, err := c.observability.start(ctx, "yardstick-"+c.service, log)
	if err != nil {
		return err
	}
	defer stopTracing()
	secured.Metrics = reg
	conn, err := c.storage.open(ctx, log)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	lis, err := net.Listen("tcp", c.grpcAddr)
	if err != nil {
		return err
	}
	services, err := startGRPC(ctx, log, conn, serviceSet{ladder: c.service == "ladder"}, secured, lis)
	if err != nil {
		_ = lis.Close()
		return err
	}
	log.Info("serving", "grpc", lis.Addr().String(), "tls", c.tlsCert != "")
	err = <-services.done
	<-metricsDone // ends with ctx, like the service
	return err
}
