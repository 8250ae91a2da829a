package main

// What a deployment's command line means to the binary: the addresses it
// listens on and the services it calls, read by the binary's own parser, so
// a flag the binary does not define, or a required one left out, fails.
// Shared by the Kubernetes and the compose checks.

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// commandLine is a parsed command line.
type commandLine struct {
	name    string            // "serve ladder", "gateway", "dev"
	service string            // the service `serve` runs; "" otherwise
	listens map[string]string // "grpc", "http", "metrics" → its address
	peers   map[string]string // service called → its address
	files   map[string]string // flag → the file it reads, when given
}

// parseCommandLine parses args (without the program name) as the binary does.
func parseCommandLine(args []string) (commandLine, error) {
	cmd, err := parse(args, io.Discard)
	if err != nil {
		return commandLine{}, err
	}
	l := commandLine{listens: map[string]string{}, peers: map[string]string{}, files: map[string]string{}}
	var metrics string
	switch c := cmd.(type) {
	case *serveCommand:
		l.name, l.service = "serve "+c.service.Name, c.service.Name
		l.listens["grpc"] = c.grpcAddr
		for _, b := range c.peers {
			l.peers[b.service.Name] = b.addr
		}
		metrics = c.metricsAddr
		for flag, path := range map[string]string{"service-token-file": c.reminders.tokenFile, "smtp-password-file": c.reminders.smtpPasswordFile,
			"tls-cert": c.tlsCert, "tls-key": c.tlsKey} {
			if path != "" {
				l.files[flag] = path
			}
		}
	case *gatewayCommand:
		l.name = "gateway"
		l.listens["http"] = c.httpAddr
		for _, b := range c.backends {
			l.peers[b.service.Name] = b.addr
		}
		metrics = c.metricsAddr
	case *devCommand:
		l.name = "dev"
		l.listens["http"], l.listens["grpc"] = c.httpAddr, c.grpcAddr
		metrics = c.metricsAddr
	default:
		return commandLine{}, fmt.Errorf("%s is not a server", args[0])
	}
	if metrics != "" {
		l.listens["metrics"] = metrics
	}
	return l, nil
}

// reachablePort returns the port of a listen address, and an error when
// the address only answers inside the container (loopback).
func reachablePort(addr string) (int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	if host != "" && host != "0.0.0.0" && host != "::" {
		return 0, fmt.Errorf("%s listens on %s only: nothing outside the container reaches it (0.0.0.0:%s)", addr, host, port)
	}
	return strconv.Atoi(port)
}

// dialTarget splits a gRPC client target ("dns:///ladder:9091" or
// "ladder:9091") into its scheme, host and port.
func dialTarget(target string) (scheme, host string, port int, err error) {
	addr := target
	if i := strings.Index(target, ":///"); i >= 0 {
		scheme, addr = target[:i], target[i+len(":///"):]
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", 0, fmt.Errorf("target %q: %w", target, err)
	}
	port, err = strconv.Atoi(p)
	return scheme, h, port, err
}
