package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/yardstick-dev/yardstick/pkg/mongodb"
)

// BenchmarkDevStartup measures how long `yardstick dev` takes until /readyz
// answers 200: on a fresh data directory (creating the database and seeding
// the sample framework) and on one that already holds data. The baseline is
// starting the embedded database alone and pinging it.
func BenchmarkDevStartup(b *testing.B) {
	b.Run("embedded-database-only", func(b *testing.B) {
		for range b.N {
			conn, err := mongodb.Open(context.Background(), mongodb.Config{DataDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			_ = conn.Close(context.Background())
			b.StartTimer()
		}
	})
	b.Run("fresh-data-dir", func(b *testing.B) {
		for range b.N {
			startDev(b, b.TempDir())
		}
	})
	b.Run("existing-data-dir", func(b *testing.B) {
		dir := b.TempDir()
		b.StopTimer()
		startDev(b, dir) // seeds
		b.StartTimer()
		for range b.N {
			startDev(b, dir)
		}
	})
}

// startDev runs dev mode until /readyz answers, then stops it outside the timer.
func startDev(b *testing.B, dir string) {
	httpAddr, grpcAddr := freeAddr(b), freeAddr(b)
	cmd, err := parseDev([]string{"--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.run(ctx, slog.New(slog.DiscardHandler)) }()
	waitReady(b, httpAddr)
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
}
