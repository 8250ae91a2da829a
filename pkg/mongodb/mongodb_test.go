package mongodb

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// The embedded server's log keeps warnings but never a wire message, which
// may hold documents (feedback text, names).
func TestEmbeddedServerLogsNoWireMessages(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(levelFilter{Handler: slog.NewTextHandler(&out, nil), min: slog.LevelWarn})
	log.Info("connection accepted")
	log.Warn("Response message:\n{\"Document\": {\"evidence\": \"secret\"}}")
	log.Warn("Request header: length: 121")
	log.Warn("disk almost full")
	got := out.String()
	if strings.Contains(got, "secret") || strings.Contains(got, "Request header") || strings.Contains(got, "connection accepted") {
		t.Errorf("log = %q, want neither wire messages nor info lines", got)
	}
	if !strings.Contains(got, "disk almost full") {
		t.Errorf("log = %q, want the plain warning kept", got)
	}
}

func TestOpenEmbeddedKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Client.Database("d").Collection("c").InsertOne(ctx, map[string]string{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(ctx); err != nil {
		t.Logf("close: %v", err) // FerretDB does not know endSessions; harmless
	}
	again, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	n, err := again.Client.Database("d").Collection("c").CountDocuments(ctx, map[string]string{})
	if err != nil || n != 1 {
		t.Errorf("documents after reopening = %d, %v; want 1", n, err)
	}
}
