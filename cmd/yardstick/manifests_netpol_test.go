package main

// The NetworkPolicies, evaluated as the API defines them, must allow the
// calls the binary makes (who dials whom is read from the parsed command
// lines) and nothing else: the gateway's HTTP port from anywhere, each
// service's gRPC port from its callers only, MongoDB from the services,
// the metrics ports from Prometheus in the monitoring namespace.

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// peer is where a connection comes from.
type peer struct {
	what     string
	external netip.Addr        // valid for a client outside the cluster
	ns       map[string]string // its namespace's labels; nil for the manifests' own
	pod      map[string]string
}

// The ends the policies are checked against. Prometheus is looked for as
// the manifests' comments say: pods named prometheus in the namespace
// "monitoring" (kube-prometheus-stack's labels).
var (
	internet = peer{what: "a client outside the cluster", external: netip.MustParseAddr("203.0.113.7")}
	stranger = peer{what: "another pod of the namespace", pod: map[string]string{"app.kubernetes.io/name": "stranger"}}
	scraper  = peer{what: "Prometheus", ns: map[string]string{"kubernetes.io/metadata.name": "monitoring"}, pod: map[string]string{"app.kubernetes.io/name": "prometheus"}}
)

// mongoPolicy names the policy that guards MongoDB's pods, and mongoPort
// their port (the URI is a Secret the manifests do not hold).
const (
	mongoPolicy = "mongodb"
	mongoPort   = 27017
)

func checkNetworkPolicies(t *testing.T, r *rendered, ws []workload) {
	denyAll := false
	for _, p := range r.policies {
		if len(p.Spec.PodSelector.MatchLabels) == 0 && len(p.Spec.PodSelector.MatchExpressions) == 0 && len(p.Spec.Ingress) == 0 && hasIngress(p) {
			denyAll = true
		}
	}
	if !denyAll {
		t.Error("no default-deny NetworkPolicy (every pod, ingress, no rule)")
	}
	for _, to := range ws {
		for name, port := range to.ports {
			// The gateway's HTTP port is open to all; metrics to Prometheus.
			wantFrom := map[string]bool{internet.what: name == "http", stranger.what: name == "http", scraper.what: name == "http" || name == "metrics"}
			froms := []peer{internet, stranger, scraper}
			for _, from := range ws {
				p := peer{what: "Deployment " + from.d.Name, pod: from.d.Spec.Template.Labels}
				froms = append(froms, p)
				_, calls := from.cmd.peers[to.cmd.service]
				wantFrom[p.what] = name == "http" || (name == "grpc" && calls)
			}
			for _, from := range froms {
				if got := allowed(t, r, from, to.d.Spec.Template.Labels, to.c.Ports, port); got != wantFrom[from.what] {
					t.Errorf("%s reaches %s's %s port %d: %v, want %v", from.what, to.d.Name, name, port, got, wantFrom[from.what])
				}
			}
		}
	}
	checkMongoPolicy(t, r, ws)
}

// checkMongoPolicy: MongoDB's pods (as the policy selects them) take
// connections from every service and from nothing else.
func checkMongoPolicy(t *testing.T, r *rendered, ws []workload) {
	t.Helper()
	var pol *networkingv1.NetworkPolicy
	for i := range r.policies {
		if r.policies[i].Name == mongoPolicy {
			pol = &r.policies[i]
		}
	}
	if pol == nil {
		t.Errorf("no NetworkPolicy %q for MongoDB's pods", mongoPolicy)
		return
	}
	mongo := pol.Spec.PodSelector.MatchLabels
	want := map[string]bool{}
	froms := []peer{internet, stranger, scraper}
	for _, w := range ws {
		p := peer{what: "Deployment " + w.d.Name + " (" + w.cmd.name + ")", pod: w.d.Spec.Template.Labels}
		froms = append(froms, p)
		want[p.what] = w.cmd.service != ""
	}
	for _, from := range froms {
		if got := allowed(t, r, from, mongo, nil, mongoPort); got != want[from.what] {
			t.Errorf("%s reaches MongoDB (%v) on %d: %v, want %v", from.what, mongo, mongoPort, got, want[from.what])
		}
	}
}

func hasIngress(p networkingv1.NetworkPolicy) bool {
	for _, pt := range p.Spec.PolicyTypes {
		if pt == networkingv1.PolicyTypeIngress {
			return true
		}
	}
	return len(p.Spec.PolicyTypes) == 0 // the API's default includes Ingress
}

// allowed reports whether the policies let from open a TCP connection to
// port on a pod of the manifests' namespace with these labels and ports.
func allowed(t *testing.T, r *rendered, from peer, to map[string]string, ports []corev1.ContainerPort, port int) bool {
	t.Helper()
	isolated := false
	for _, p := range r.policies {
		if !hasIngress(p) || !matches(t, &p.Spec.PodSelector, to) {
			continue
		}
		isolated = true
		for _, rule := range p.Spec.Ingress {
			if portAllowed(rule.Ports, ports, port) && peerAllowed(t, rule.From, from) {
				return true
			}
		}
	}
	return !isolated
}

func portAllowed(rule []networkingv1.NetworkPolicyPort, ports []corev1.ContainerPort, port int) bool {
	if len(rule) == 0 {
		return true
	}
	for _, p := range rule {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.Type == intstr.Int && int(p.Port.IntVal) == port {
			return true
		}
		for _, cp := range ports {
			if p.Port.Type == intstr.String && p.Port.StrVal == cp.Name && int(cp.ContainerPort) == port {
				return true
			}
		}
	}
	return false
}

func peerAllowed(t *testing.T, rule []networkingv1.NetworkPolicyPeer, from peer) bool {
	t.Helper()
	if len(rule) == 0 {
		return true
	}
	for _, p := range rule {
		if p.IPBlock != nil {
			if from.external.IsValid() && inBlock(t, p.IPBlock, from.external) {
				return true
			}
			continue
		}
		if from.external.IsValid() {
			continue // selectors pick pods, never outside clients
		}
		switch {
		case p.NamespaceSelector == nil:
			// A pod selector alone picks pods of the policy's namespace.
			if from.ns == nil && matches(t, p.PodSelector, from.pod) {
				return true
			}
		default:
			ns := from.ns
			if ns == nil {
				ns = map[string]string{} // the manifests' namespace, whatever its name
			}
			if matches(t, p.NamespaceSelector, ns) && (p.PodSelector == nil || matches(t, p.PodSelector, from.pod)) {
				return true
			}
		}
	}
	return false
}

func inBlock(t *testing.T, b *networkingv1.IPBlock, a netip.Addr) bool {
	t.Helper()
	prefix, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		t.Errorf("ipBlock %s: %v", b.CIDR, err)
		return false
	}
	for _, ex := range b.Except {
		if e, err := netip.ParsePrefix(ex); err == nil && e.Contains(a) {
			return false
		}
	}
	return prefix.Contains(a)
}
