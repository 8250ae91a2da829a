package main

// deploy/compose.yaml and the image's default command get the same check
// as the Kubernetes manifests: their command lines parse with the binary's
// flags, listen where the published ports and the callers expect.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// composeFile is the part of the Compose specification the file uses;
// decoded strictly, so a field it does not know (a typo) fails.
type composeFile struct {
	Services map[string]composeService `json:"services"`
	Volumes  map[string]*struct{}      `json:"volumes"`
}

type composeService struct {
	Image string `json:"image"`
	Build *struct {
		Context    string `json:"context"`
		Dockerfile string `json:"dockerfile"`
	} `json:"build"`
	Command     []string `json:"command"`
	Healthcheck *struct {
		Test     []string `json:"test"`
		Interval string   `json:"interval"`
		Retries  int      `json:"retries"`
	} `json:"healthcheck"`
	Volumes   []string        `json:"volumes"`
	Ports     []string        `json:"ports"`
	DependsOn json.RawMessage `json:"depends_on"` // a list, or a map with conditions
}

// dependsOn returns the services s waits for, in either form.
func (s composeService) dependsOn(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if len(s.DependsOn) == 0 {
		return out
	}
	var list []string
	if err := json.Unmarshal(s.DependsOn, &list); err == nil {
		for _, n := range list {
			out[n] = true
		}
		return out
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(s.DependsOn, &m); err != nil {
		t.Errorf("depends_on: %v", err)
	}
	for n := range m {
		out[n] = true
	}
	return out
}

func TestManifestsCompose(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	cmds := map[string]commandLine{} // compose service → its command
	ports := map[string]map[string]int{}
	serving := map[string]string{} // yardstick service → compose service
	for name, s := range f.Services {
		if s.Build == nil {
			continue // not the binary (MongoDB)
		}
		cmd, err := parseCommandLine(s.Command)
		if err != nil {
			t.Errorf("%s: command %q does not parse with the binary's flags: %v", name, s.Command, err)
			continue
		}
		cmds[name], ports[name] = cmd, map[string]int{}
		for kind, addr := range cmd.listens {
			p, err := reachablePort(addr)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			ports[name][kind] = p
		}
		if cmd.service != "" {
			serving[cmd.service] = name
		}
	}
	for name, cmd := range cmds {
		s := f.Services[name]
		if cmd.name == "gateway" && len(s.Ports) == 0 {
			t.Errorf("%s: the gateway publishes no port", name)
		}
		for _, published := range s.Ports {
			inside := published[strings.LastIndex(published, ":")+1:]
			p, err := strconv.Atoi(inside)
			if err != nil || !containsValue(ports[name], p) {
				t.Errorf("%s: publishes %s, but %s listens on %v", name, published, cmd.name, ports[name])
			}
		}
		deps := s.dependsOn(t)
		for callee, target := range cmd.peers {
			_, host, port, err := dialTarget(target)
			if err != nil {
				t.Errorf("%s: --%s-addr: %v", name, callee, err)
				continue
			}
			if serving[callee] != host {
				t.Errorf("%s: --%s-addr %s: the %s service runs in %q", name, callee, target, callee, serving[callee])
				continue
			}
			if port != ports[host]["grpc"] {
				t.Errorf("%s: --%s-addr %s: %s serves gRPC on %d", name, callee, target, host, ports[host]["grpc"])
			}
			if !deps[host] {
				t.Errorf("%s calls %s but does not depend_on it", name, host)
			}
		}
	}
}

func containsValue(m map[string]int, v int) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// The image's default command (deploy/Dockerfile's CMD) runs `dev` where a
// container's port can reach it.
func TestManifestsDockerfileCommand(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "CMD "); ok {
			if err := json.Unmarshal([]byte(rest), &args); err != nil {
				t.Fatalf("CMD %s: not an exec-form list: %v", rest, err)
			}
		}
	}
	cmd, err := parseCommandLine(args)
	if err != nil {
		t.Fatalf("CMD %q does not parse with the binary's flags: %v", args, err)
	}
	for _, addr := range cmd.listens {
		if _, err := reachablePort(addr); err != nil {
			t.Errorf("CMD: %v", err)
		}
	}
}
