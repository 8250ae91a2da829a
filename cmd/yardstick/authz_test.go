package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

// TestEveryServedRPCHasARule builds the gRPC server exactly as `yardstick
// dev` does and walks every method it serves: each one must be public
// (health, reflection) or have an entry in auth.Rules. A new RPC without a
// rule fails here.
func TestEveryServedRPCHasARule(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sec := &security{devAuth: true}
	opts, err := sec.serverOptions(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	conn := &mongodb.Conn{Client: mongotest.Client(t)}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r, err := startGRPC(ctx, slog.New(slog.DiscardHandler), conn, serviceSet{ladder: true}, opts, lis)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-r.done }()

	methods := 0
	for service, info := range r.server.GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + service + "/" + m.Name
			methods++
			_, ruled := auth.Rules[full]
			switch {
			case auth.Public(full) && ruled:
				t.Errorf("%s is public and has a rule: pick one", full)
			case !auth.Public(full) && !ruled:
				t.Errorf("%s is served without an authorization rule", full)
			}
		}
	}
	if methods < len(auth.Rules) {
		t.Errorf("the server serves %d methods, fewer than the %d rules: a rule names a method nobody serves", methods, len(auth.Rules))
	}
}

// TestSplitModeWithTLS runs the ladder service with a TLS listener and the
// gateway trusting its certificate.
func TestSplitModeWithTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSignedCert(t, dir)
	ladderAddr, httpAddr := freeAddr(t), freeAddr(t)
	start(t, "serve", "ladder", "--grpc-addr", ladderAddr, "--mongo-uri", mongotest.URI(t), "--dev-auth", "--data-dir", dir,
		"--tls-cert", cert, "--tls-key", key)
	start(t, "gateway", "--http-addr", httpAddr, "--ladder-addr", ladderAddr, "--ladder-ca", cert)
	waitReady(t, httpAddr)
	checkSplit(t, httpAddr, adminToken(t, dir))
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and returns their paths.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "yardstick test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
