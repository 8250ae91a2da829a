package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/gateway"
)

// gatewayCommand runs the REST gateway in front of split services.
type gatewayCommand struct {
	common
	observability
	httpAddr   string
	ladderAddr string
	ladderCA   string
}

func parseGateway(args []string, stderr io.Writer) (*gatewayCommand, error) {
	c := &gatewayCommand{}
	fs := newFlagSet("gateway", stderr)
	c.common.register(fs)
	fs.StringVar(&c.httpAddr, "http-addr", "127.0.0.1:8080", "address of the REST gateway")
	fs.StringVar(&c.ladderAddr, "ladder-addr", "", "address of the ladder service's gRPC server (required)")
	c.observability.register(fs)
	fs.StringVar(&c.ladderCA, "ladder-ca", "", "PEM certificate(s) to trust for TLS to the ladder service; plaintext when empty")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.ladderAddr == "" {
		return nil, errors.New("gateway needs --ladder-addr")
	}
	return c, nil
}

func (c *gatewayCommand) run(ctx context.Context, log *slog.Logger) error {
	creds := insecure.NewCredentials()
	if c.ladderCA != "" {
		tlsCreds, err := credentials.NewClientTLSFromFile(c.ladderCA, "")
		if err != nil {
			return err
		}
		creds = tlsCreds
	}
	reg, metricsDone, stopTracing, err := c.observability.start(ctx, "yardstick-gateway", log)
	if err != nil {
		return err
	}
	defer stopTracing()
	ladderConn, err := grpc.NewClient(c.ladderAddr,
		grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		// Spread calls over every address the name resolves to (dns:///...
		// with a headless Service gives one per service replica).
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [{"round_robin": {}}]}`))
	if err != nil {
		return err
	}
	defer func() { _ = ladderConn.Close() }()
	gw, err := gateway.New(ctx, gateway.Options{Logger: log, Ladder: ladderConn, Metrics: reg})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return err
	}
	log.Info("gateway serving", "http", "http://"+lis.Addr().String(), "ladder", c.ladderAddr)
	err = gateway.Serve(ctx, lis, gw, shutdownGrace)
	<-metricsDone
	return err
}
