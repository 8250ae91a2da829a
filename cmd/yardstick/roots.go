package main

// The container image (internal/image) has no /etc/ssl/certs: the binary
// carries Mozilla's roots, which Go uses only where the system has none,
// for TLS to the identity provider, webhook receivers and the SMTP server.
import _ "golang.org/x/crypto/x509roots/fallback"
