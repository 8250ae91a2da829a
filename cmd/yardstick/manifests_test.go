package main

// The Kubernetes manifests in deploy/k8s must run the binary as it is: each
// overlay is rendered with the kustomize API (as `kubectl apply -k` would),
// every object is decoded strictly into its Kubernetes type (a misspelt
// field fails), and every container's command line, port and probe is
// checked against the command it runs (manifests_check_test.go), the
// network policies against the calls the services make
// (manifests_netpol_test.go). No server is started.

import (
	"fmt"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// k8sDir holds the kustomize base and overlays, from this package.
var k8sDir = filepath.Join("..", "..", "deploy", "k8s")

// rendered is one overlay's objects, by kind, decoded into their types.
type rendered struct {
	deployments  []appsv1.Deployment
	services     []corev1.Service
	hpas         []autoscalingv2.HorizontalPodAutoscaler
	pdbs         []policyv1.PodDisruptionBudget
	policies     []networkingv1.NetworkPolicy
	configMaps   []corev1.ConfigMap
	secrets      []corev1.Secret
	serviceAccts []corev1.ServiceAccount
	ingresses    []networkingv1.Ingress
}

// overlays lists deploy/k8s/overlays/*: a new overlay is checked without
// being named here.
func overlays(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(k8sDir, "overlays", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no overlays under %s", k8sDir)
	}
	return dirs
}

// render builds dir with kustomize and decodes every object strictly.
func render(t *testing.T, dir string) *rendered {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), abs)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	r := &rendered{}
	for _, res := range resMap.Resources() {
		b, err := res.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.add(res.GetApiVersion(), res.GetKind(), b); err != nil {
			t.Errorf("%s %s/%s: %v", dir, res.GetKind(), res.GetName(), err)
		}
	}
	return r
}

// add decodes one object into its type. A kind the test does not know
// fails: decoding it strictly is the point, so add it here first.
func (r *rendered) add(apiVersion, kind string, b []byte) error {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return decodeInto(b, &r.deployments)
	case "v1 Service":
		return decodeInto(b, &r.services)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return decodeInto(b, &r.hpas)
	case "policy/v1 PodDisruptionBudget":
		return decodeInto(b, &r.pdbs)
	case "networking.k8s.io/v1 NetworkPolicy":
		return decodeInto(b, &r.policies)
	case "v1 ConfigMap":
		return decodeInto(b, &r.configMaps)
	case "v1 Secret":
		return decodeInto(b, &r.secrets)
	case "v1 ServiceAccount":
		return decodeInto(b, &r.serviceAccts)
	case "networking.k8s.io/v1 Ingress":
		return decodeInto(b, &r.ingresses)
	}
	return fmt.Errorf("%s %s: no type to decode it into strictly; add one to rendered.add", apiVersion, kind)
}

// decodeInto decodes b strictly (unknown and duplicate fields fail) and
// appends it to list.
func decodeInto[T any](b []byte, list *[]T) error {
	var v T
	if err := yaml.UnmarshalStrict(b, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

func TestManifestsDecodeStrictly(t *testing.T) {
	// The decoder must refuse what the API server would prune silently.
	misspelt := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n")
	var r rendered
	if err := r.add("apps/v1", "Deployment", misspelt); err == nil {
		t.Error("a Deployment with spec.replica decoded without error; want unknown field")
	}
}

func TestManifests(t *testing.T) {
	for _, dir := range overlays(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := render(t, dir)
			if t.Failed() {
				return
			}
			ws := workloads(t, r)
			checkWorkloads(t, r, ws)
			checkSelectors(t, r)
			checkIngresses(t, r, ws)
			checkNetworkPolicies(t, r, ws)
		})
	}
}
