package main

// Checks of each rendered Deployment against the command its container
// runs, and of every selector against the pods it is meant to select.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/services"
)

// workload is a rendered Deployment with its one container's command line
// parsed, and the ports it listens on by name.
type workload struct {
	d     appsv1.Deployment
	c     corev1.Container
	cmd   commandLine
	ports map[string]int // "grpc", "http", "metrics" → port
}

// envRef is a $(VAR) reference in a container's args, which the kubelet
// expands from the container's env.
var envRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// workloads parses every Deployment's container; a failure is reported and
// the Deployment left out.
func workloads(t *testing.T, r *rendered) []workload {
	t.Helper()
	var out []workload
	for _, d := range r.deployments {
		cs := d.Spec.Template.Spec.Containers
		if len(cs) != 1 {
			t.Errorf("Deployment %s has %d containers; the checks expect one, the binary", d.Name, len(cs))
			continue
		}
		w, err := parseWorkload(d, cs[0])
		if err != nil {
			t.Errorf("Deployment %s: %v", d.Name, err)
			continue
		}
		out = append(out, w)
	}
	return out
}

func parseWorkload(d appsv1.Deployment, c corev1.Container) (workload, error) {
	w := workload{d: d, c: c, ports: map[string]int{}}
	if len(c.Command) > 0 {
		return w, fmt.Errorf("container %s sets command %q: the image's entrypoint is the binary, give args", c.Name, c.Command)
	}
	env := map[string]bool{}
	for _, e := range c.Env {
		env[e.Name] = true
	}
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		for _, m := range envRef.FindAllStringSubmatch(a, -1) {
			if !env[m[1]] {
				// The kubelet would pass "$(NAME)" on literally.
				return w, fmt.Errorf("arg %q refers to $(%s), which the container's env does not define", a, m[1])
			}
		}
		args[i] = envRef.ReplaceAllString(a, "value-of-$1")
	}
	cmd, err := parseCommandLine(args)
	if err != nil {
		return w, fmt.Errorf("args %q do not parse with the binary's flags: %v", c.Args, err)
	}
	w.cmd = cmd
	for name, addr := range cmd.listens {
		p, err := reachablePort(addr)
		if err != nil {
			return w, fmt.Errorf("%s: %v", cmd.name, err)
		}
		w.ports[name] = p
	}
	return w, nil
}

func checkWorkloads(t *testing.T, r *rendered, ws []workload) {
	byService := map[string]workload{}
	for _, w := range ws {
		if w.cmd.service != "" {
			byService[w.cmd.service] = w
		}
	}
	for _, w := range ws {
		checkPorts(t, w)
		checkFiles(t, w)
		checkProbes(t, w)
		checkResources(t, w)
		checkPeers(t, r, w, byService)
	}
	for _, s := range services.All() {
		if _, ok := byService[s.Name]; !ok {
			t.Errorf("no Deployment runs `serve %s`", s.Name)
		}
	}
}

// checkPorts: the container declares exactly the ports its command listens
// on, under the names the Services, probes and policies use, and
// Prometheus is told to scrape the metrics port (README, "Metrics and
// traces"; the alerts need every process scraped).
func checkPorts(t *testing.T, w workload) {
	t.Helper()
	declared := map[string]int{}
	for _, p := range w.c.Ports {
		declared[p.Name] = int(p.ContainerPort)
	}
	for name, port := range w.ports {
		if declared[name] != port {
			t.Errorf("%s: %s listens on %s port %d; the container declares %s=%d", w.d.Name, w.cmd.name, name, port, name, declared[name])
		}
	}
	for name, port := range declared {
		if _, ok := w.ports[name]; !ok {
			t.Errorf("%s: the container declares port %s=%d, which %s does not listen on", w.d.Name, name, port, w.cmd.name)
		}
	}
	metrics, ok := w.ports["metrics"]
	if !ok {
		t.Errorf("%s: %s has no --metrics-addr; every process is scraped (docs/operations.md)", w.d.Name, w.cmd.name)
		return
	}
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": strconv.Itoa(metrics), "prometheus.io/path": "/metrics"}
	for k, v := range want {
		if got := w.d.Spec.Template.Annotations[k]; got != v {
			t.Errorf("%s: pod annotation %s = %q, want %q", w.d.Name, k, got, v)
		}
	}
}

// resolvePort turns a probe's or Service's port (a number or a container
// port's name) into the port name the command listens on it with.
func resolvePort(w workload, p intstr.IntOrString) (string, bool) {
	for name, port := range w.ports {
		if (p.Type == intstr.String && p.StrVal == name) || (p.Type == intstr.Int && int(p.IntVal) == port) {
			return name, true
		}
	}
	return "", false
}

// checkProbes: every probe asks a port the command listens on for
// something it answers: a gRPC health check on the gRPC port (kubelet asks
// for the server's overall status, service ""), an HTTP path the gateway
// serves.
func checkProbes(t *testing.T, w workload) {
	t.Helper()
	probes := map[string]*corev1.Probe{"readiness": w.c.ReadinessProbe, "liveness": w.c.LivenessProbe, "startup": w.c.StartupProbe}
	for _, kind := range []string{"readiness", "liveness"} {
		if probes[kind] == nil {
			t.Errorf("%s: no %s probe", w.d.Name, kind)
		}
	}
	for kind, p := range probes {
		if p == nil {
			continue
		}
		switch {
		case p.GRPC != nil:
			name, ok := resolvePort(w, intstr.FromInt32(p.GRPC.Port))
			if !ok || name != "grpc" {
				t.Errorf("%s: %s probe asks gRPC health on port %d; %s serves it on %d", w.d.Name, kind, p.GRPC.Port, w.cmd.name, w.ports["grpc"])
			}
			if p.GRPC.Service != nil && *p.GRPC.Service != "" {
				t.Errorf("%s: %s probe asks for service %q; the server reports its status as service \"\"", w.d.Name, kind, *p.GRPC.Service)
			}
		case p.TCPSocket != nil:
			if _, ok := resolvePort(w, p.TCPSocket.Port); !ok {
				t.Errorf("%s: %s probe connects to port %s, which %s does not listen on", w.d.Name, kind, p.TCPSocket.Port.String(), w.cmd.name)
			}
		case p.HTTPGet != nil:
			name, ok := resolvePort(w, p.HTTPGet.Port)
			if !ok || name != "http" || w.cmd.name != "gateway" {
				t.Errorf("%s: %s probe GETs port %s, which is not the gateway's HTTP port", w.d.Name, kind, p.HTTPGet.Port.String())
				continue
			}
			code := gatewayAnswers(t, p.HTTPGet.Path)
			if code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
				t.Errorf("%s: %s probe GETs %s, which the gateway does not serve (%d)", w.d.Name, kind, p.HTTPGet.Path, code)
			}
			// A liveness probe that fails while a backend is away would
			// restart every gateway during a service's outage.
			if kind == "liveness" && code != http.StatusOK {
				t.Errorf("%s: liveness probe GETs %s, which answers %d while the services are unreachable; want 200", w.d.Name, p.HTTPGet.Path, code)
			}
		default:
			t.Errorf("%s: %s probe is neither gRPC, TCP nor HTTP (the image has no shell for exec)", w.d.Name, kind)
		}
	}
}

// gatewayAnswers returns the status the real gateway handler gives a GET of
// path while every service is unreachable; nothing listens or dials.
func gatewayAnswers(t *testing.T, path string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var backends []gateway.Backend
	for _, s := range services.All() {
		conn, err := grpc.NewClient("passthrough:///127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		backends = append(backends, gateway.Backend{Name: s.Name, Conn: conn, Register: s.RegisterGateway})
	}
	gw, err := gateway.New(ctx, gateway.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backends: backends})
	if err != nil {
		t.Fatal(err)
	}
	reqCtx, stop := context.WithCancel(ctx)
	stop() // a readiness check gives up at once instead of dialling
	rec := httptest.NewRecorder()
	gw.ServeHTTP(rec, httptest.NewRequestWithContext(reqCtx, http.MethodGet, path, nil))
	return rec.Code
}

// checkResources: CPU and memory requests (the autoscaler's utilization is
// a fraction of the CPU request), a memory limit, and GOMEMLIMIT, when set,
// below it (docs/benchmarks.md, "Memory under load").
func checkResources(t *testing.T, w workload) {
	t.Helper()
	req, lim := w.c.Resources.Requests, w.c.Resources.Limits
	if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
		t.Errorf("%s: resources need CPU and memory requests and a memory limit; have %v / %v", w.d.Name, req, lim)
		return
	}
	for _, e := range w.c.Env {
		if e.Name != "GOMEMLIMIT" {
			continue
		}
		// Go's suffixes are KiB, MiB, GiB; Kubernetes' Ki, Mi, Gi.
		q, err := resource.ParseQuantity(strings.TrimSuffix(e.Value, "B"))
		if err != nil || q.Cmp(*lim.Memory()) >= 0 {
			t.Errorf("%s: GOMEMLIMIT=%s; want a size below the memory limit %s", w.d.Name, e.Value, lim.Memory())
		}
	}
}

// checkPeers: every service a command calls is addressed at a Service of
// this render that selects the pods serving it, on their gRPC port; with
// dns:/// the Service is headless, so that the client's round robin sees
// every replica (gateway.go, dial).
func checkPeers(t *testing.T, r *rendered, w workload, byService map[string]workload) {
	t.Helper()
	for name, target := range w.cmd.peers {
		scheme, host, port, err := dialTarget(target)
		if err != nil {
			t.Errorf("%s: --%s-addr: %v", w.d.Name, name, err)
			continue
		}
		callee, ok := byService[name]
		if !ok {
			continue // reported by checkWorkloads
		}
		svc := findService(r, host)
		if svc == nil || !selects(svc.Spec.Selector, callee.d.Spec.Template.Labels) {
			t.Errorf("%s: --%s-addr %s: no Service %q selects the pods of Deployment %s", w.d.Name, name, target, host, callee.d.Name)
			continue
		}
		if scheme == "dns" && svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("%s: --%s-addr %s: Service %s is not headless; round robin would see one address", w.d.Name, name, target, svc.Name)
		}
		// A headless Service's DNS name resolves to the pods: the client
		// dials their container port itself.
		if port != callee.ports["grpc"] {
			t.Errorf("%s: --%s-addr %s: %s serves gRPC on port %d", w.d.Name, name, target, callee.cmd.name, callee.ports["grpc"])
		}
	}
}

func findService(r *rendered, name string) *corev1.Service {
	for i := range r.services {
		if r.services[i].Name == name {
			return &r.services[i]
		}
	}
	return nil
}

// selects reports whether a Service's selector picks pods with these labels.
func selects(selector, podLabels map[string]string) bool {
	return len(selector) > 0 && labels.SelectorFromSet(selector).Matches(labels.Set(podLabels))
}

// matches reports whether a label selector picks pods with these labels.
func matches(t *testing.T, sel *metav1.LabelSelector, podLabels map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Errorf("selector %v: %v", sel, err)
		return false
	}
	return s.Matches(labels.Set(podLabels))
}

// checkSelectors: each Service reaches its pods on a port they declare;
// each Deployment has one autoscaler and one disruption budget of its own,
// and its spread constraints count its own pods.
func checkSelectors(t *testing.T, r *rendered) {
	for _, s := range r.services {
		var picked []appsv1.Deployment
		for _, d := range r.deployments {
			if selects(s.Spec.Selector, d.Spec.Template.Labels) {
				picked = append(picked, d)
			}
		}
		if len(picked) != 1 {
			t.Errorf("Service %s selects the pods of %d Deployments; want 1", s.Name, len(picked))
			continue
		}
		for _, p := range s.Spec.Ports {
			if !slices.ContainsFunc(picked[0].Spec.Template.Spec.Containers[0].Ports, func(cp corev1.ContainerPort) bool {
				return (p.TargetPort.Type == intstr.String && cp.Name == p.TargetPort.StrVal) || (p.TargetPort.Type == intstr.Int && cp.ContainerPort == p.TargetPort.IntVal)
			}) {
				t.Errorf("Service %s port %s targets %s, which Deployment %s does not declare", s.Name, p.Name, p.TargetPort.String(), picked[0].Name)
			}
		}
	}
	for _, d := range r.deployments {
		pod := d.Spec.Template.Labels
		if d.Spec.Replicas != nil {
			// kubectl apply would set it back on every apply, undoing the
			// autoscaler's choice.
			t.Errorf("Deployment %s sets replicas; its HorizontalPodAutoscaler owns them", d.Name)
		}
		hpas := 0
		for _, h := range r.hpas {
			if h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == d.Name {
				hpas++
				checkHPA(t, h.Name, h.Spec.MinReplicas, h.Spec.MaxReplicas, len(h.Spec.Metrics) > 0 && h.Spec.Metrics[0].Resource != nil && h.Spec.Metrics[0].Resource.Name == corev1.ResourceCPU)
			}
		}
		if hpas != 1 {
			t.Errorf("Deployment %s has %d HorizontalPodAutoscalers; want 1", d.Name, hpas)
		}
		pdbs := 0
		for _, p := range r.pdbs {
			if matches(t, p.Spec.Selector, pod) {
				pdbs++
				if p.Spec.MaxUnavailable == nil {
					// minAvailable at or above a one-replica overlay's
					// count would block every node drain.
					t.Errorf("PodDisruptionBudget %s: set maxUnavailable, which holds at any replica count", p.Name)
				}
			}
		}
		if pdbs != 1 {
			t.Errorf("Deployment %s's pods are covered by %d PodDisruptionBudgets; want 1", d.Name, pdbs)
		}
		for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
			if c.LabelSelector == nil || !matches(t, c.LabelSelector, pod) {
				t.Errorf("Deployment %s: a topology spread constraint's selector %v does not match its own pods %v: it spreads nothing", d.Name, c.LabelSelector, pod)
			}
		}
	}
	for _, h := range r.hpas {
		if !slices.ContainsFunc(r.deployments, func(d appsv1.Deployment) bool { return d.Name == h.Spec.ScaleTargetRef.Name }) {
			t.Errorf("HorizontalPodAutoscaler %s scales %s %s, which is not in the render", h.Name, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
		}
	}
}

func checkHPA(t *testing.T, name string, min *int32, max int32, cpu bool) {
	t.Helper()
	if min == nil || *min < 1 || *min > max {
		t.Errorf("HorizontalPodAutoscaler %s: replicas %v..%d", name, min, max)
	}
	if !cpu {
		t.Errorf("HorizontalPodAutoscaler %s does not scale on CPU", name)
	}
}

// checkFiles: every file a flag names is mounted from a Secret or a
// ConfigMap (the root filesystem is read-only and holds only the binary),
// and the feedback service has its own token: without it, webhooks never
// hear of publications and no reminder can be sent.
func checkFiles(t *testing.T, w workload) {
	t.Helper()
	if w.cmd.service == "feedback" && w.cmd.files["service-token-file"] == "" {
		t.Errorf("%s: serve feedback has no --service-token-file: its background jobs would have no token", w.d.Name)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range w.d.Spec.Template.Spec.Volumes {
		volumes[v.Name] = v
	}
	for flag, path := range w.cmd.files {
		i := slices.IndexFunc(w.c.VolumeMounts, func(m corev1.VolumeMount) bool {
			return strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")
		})
		if i < 0 {
			t.Errorf("%s: --%s %s is under no volume mount of the container", w.d.Name, flag, path)
			continue
		}
		v, ok := volumes[w.c.VolumeMounts[i].Name]
		if !ok || (v.Secret == nil && v.ConfigMap == nil && v.Projected == nil) {
			t.Errorf("%s: --%s %s is in volume %q, which is no Secret, ConfigMap or projected volume of the pod", w.d.Name, flag, path, w.c.VolumeMounts[i].Name)
		}
	}
}

// checkIngresses: each Ingress path reaches the gateway's HTTP port
// through a Service of the overlay.
func checkIngresses(t *testing.T, r *rendered, ws []workload) {
	t.Helper()
	for _, in := range r.ingresses {
		for _, rule := range in.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				b := p.Backend.Service
				if b == nil {
					t.Errorf("Ingress %s: path %s has no Service backend", in.Name, p.Path)
					continue
				}
				i := slices.IndexFunc(r.services, func(s corev1.Service) bool { return s.Name == b.Name })
				if i < 0 {
					t.Errorf("Ingress %s: path %s goes to Service %s, which the overlay does not have", in.Name, p.Path, b.Name)
					continue
				}
				s := r.services[i]
				j := slices.IndexFunc(s.Spec.Ports, func(sp corev1.ServicePort) bool {
					return (b.Port.Name != "" && sp.Name == b.Port.Name) || (b.Port.Name == "" && sp.Port == b.Port.Number)
				})
				gateway := slices.IndexFunc(ws, func(w workload) bool {
					return w.cmd.name == "gateway" && selects(s.Spec.Selector, w.d.Spec.Template.Labels)
				})
				if j < 0 || gateway < 0 || s.Spec.Ports[j].TargetPort.String() != "http" {
					t.Errorf("Ingress %s: path %s goes to Service %s port %s, which is not the gateway's HTTP port", in.Name, p.Path, b.Name, b.Port.String())
				}
			}
		}
	}
}
