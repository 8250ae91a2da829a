package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// The alerts, the recording rules and the dashboard name metrics, and label
// values, that the binary must export: a renamed metric or route would
// leave an alert that never fires and a panel that stays empty, and
// promtool cannot see it (its tests feed the rules series of their own).
// This test runs dev with --metrics-addr, drives a submit, a summary, a
// comparison, a calibration and a webhook delivery to a loopback receiver
// through the REST API, scrapes /metrics, and checks every name and every
// label=value matcher the rules and the dashboard use against it.
//
// The expressions are read with a small lexer (promqlNames) rather than
// Prometheus's parser: github.com/prometheus/prometheus is a large module
// to add for a test, and the rules use a plain subset of PromQL.
func TestMetricsContract(t *testing.T) {
	const burst = 40
	hits := make(chan string, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hits <- r.Header.Get("webhook-id"):
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	dir, httpAddr, metricsAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	// A burst that the test's callers stay within, but for one that
	// floods: the limiter's counter has series only once it refused a call.
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t), "--metrics-addr", metricsAddr,
		"--rate-limit-rps", "0.01", "--rate-limit-burst", strconv.Itoa(burst))
	waitReady(t, httpAddr)
	base := "http://" + httpAddr
	admin := adminToken(t, dir)
	rita := tokenFor(t, dir, "users/rita", principal.Recruiter)
	ivan := tokenFor(t, dir, "users/ivan", principal.Interviewer)

	postJSON(t, base+"/v1/webhooks?webhook_id=contract", admin,
		fmt.Sprintf(`{"url": %q, "event_types": ["scorecard.submitted", "calibration.computed"]}`, receiver.URL))
	submitDemoScorecard(t, base, rita, ivan)
	getJSON(t, base+"/v1/candidates/demo-ada:summarize", rita)
	getJSON(t, base+"/v1/candidates:compare?role=ic", rita)
	panel := getJSON(t, base+"/v1/candidates/demo-ada/interviews", rita)
	first := panel["interviews"].([]any)[0].(map[string]any)["name"].(string)
	getJSON(t, base+"/v1/"+first+"/scorecard", rita)
	postJSON(t, base+"/v1/calibrations:compute", rita, `{"scope": {"role": "ic"}}`)
	flood := tokenFor(t, dir, "users/flood", principal.Interviewer)
	for range burst + 1 {
		resp := send(t, http.MethodGet, base+"/v1/frameworks", flood, "")
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-hits:
	case <-time.After(30 * time.Second):
		t.Fatal("the loopback receiver got no webhook delivery within 30s")
	}

	// The attempt is counted once recorded, just after the receiver answered.
	var series map[string][]map[string]string
	deadline := time.Now().Add(10 * time.Second)
	for {
		series = scrape(t, "http://"+metricsAddr+"/metrics")
		if hasSeries(series, "yardstick_webhook_deliveries_total", "outcome", "delivered", 1) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the dispatcher's loop: nothing to wait on
	}
	for _, want := range []struct{ name, label, value string }{
		{"yardstick_webhook_deliveries_total", "outcome", "delivered"},
		{"grpc_server_handled_total", "grpc_method", "SubmitScorecard"},
		{"yardstick_database_up", "", ""},
	} {
		if !hasSeries(series, want.name, want.label, want.value, 1) {
			t.Errorf("no %s{%s=%q} of at least 1 after the traffic", want.name, want.label, want.value)
		}
	}

	recorded := map[string]bool{}
	var exprs []string
	for _, file := range []string{"slo_rules.yaml", "alerts.yaml"} {
		names, es := ruleExprs(t, filepath.Join("..", "..", "deploy", "prometheus", file))
		for _, n := range names {
			recorded[n] = true
		}
		exprs = append(exprs, es...)
	}
	exprs = append(exprs, dashboardExprs(t, filepath.Join("..", "..", "deploy", "grafana", "yardstick.json"))...)
	if len(exprs) < 40 {
		t.Fatalf("read %d expressions from the rules and the dashboard, want many more", len(exprs))
	}
	checked := map[string]bool{}
	missing := map[string]string{} // what is missing → the first expression that wants it
	for _, e := range exprs {
		for _, sel := range promqlNames(e) {
			var want []string
			switch {
			case sel.name == "up": // made by Prometheus for each target
			case strings.Contains(sel.name, ":"): // a recording rule's
				if !recorded[sel.name] {
					want = append(want, "a recording rule for "+sel.name)
				}
			case series[sel.name] == nil:
				want = append(want, sel.name)
			default:
				for label, value := range sel.equal {
					if !hasSeries(series, sel.name, label, value, 0) {
						want = append(want, fmt.Sprintf("%s{%s=%q}", sel.name, label, value))
					}
				}
			}
			for _, w := range want {
				if _, ok := missing[w]; !ok {
					missing[w] = oneLine(e)
				}
			}
			checked[sel.name] = true
		}
	}
	for w, e := range missing {
		t.Errorf("the binary exports no %s, which %q uses", w, e)
	}
	t.Logf("checked %d metric names in %d expressions", len(checked), len(exprs))
}

// submitDemoScorecard has Ivan fill and submit his scorecard for the demo
// candidate whose interviews are still ahead, through the REST API.
func submitDemoScorecard(t *testing.T, base, recruiter, ivan string) {
	t.Helper()
	ivs := getJSON(t, base+"/v1/candidates/demo-margaret/interviews", recruiter)
	var name string
	for _, iv := range ivs["interviews"].([]any) {
		if m := iv.(map[string]any); m["interviewer"] == "users/ivan" {
			name = m["name"].(string)
		}
	}
	if name == "" {
		t.Fatalf("no interview of Ivan's for demo-margaret in %v", ivs)
	}
	resp := send(t, http.MethodPatch, base+"/v1/"+name+"/scorecard", ivan, `{
	  "ratings": [
	    {"competency": "technical-skill", "score": 3, "evidence": "Tested the empty case first."},
	    {"competency": "quality", "score": 3, "evidence": "Refactored once the tests passed."},
	    {"competency": "communication", "score": 3, "evidence": "Thought aloud throughout."}],
	  "recommendation": "RECOMMENDATION_YES"}`)
	var draft map[string]any
	err := json.NewDecoder(resp.Body).Decode(&draft)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH %s/scorecard = %d, %v: %v", name, resp.StatusCode, err, draft)
	}
	postJSON(t, base+"/v1/"+name+"/scorecard:submit", ivan, fmt.Sprintf(`{"etag": %q}`, draft["etag"]))
}

// scrape reads a Prometheus text exposition: each series's labels by
// metric name (a histogram's _bucket, _sum and _count are names of
// their own, as PromQL sees them).
func scrape(t *testing.T, url string) map[string][]map[string]string {
	t.Helper()
	resp := send(t, http.MethodGet, url, "", "")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, %v", url, resp.StatusCode, err)
	}
	out := map[string][]map[string]string{}
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		labels := map[string]string{"__value__": rest[strings.LastIndex(rest, " ")+1:]}
		if strings.HasPrefix(rest, "{") {
			for _, m := range label.FindAllStringSubmatch(rest[:strings.LastIndex(rest, "}")+1], -1) {
				labels[m[1]] = m[2]
			}
		}
		out[name] = append(out[name], labels)
	}
	return out
}

// hasSeries reports whether a series of name has label=value and a value
// of at least min.
func hasSeries(series map[string][]map[string]string, name, label, value string, min float64) bool {
	return slices.ContainsFunc(series[name], func(l map[string]string) bool {
		var v float64
		_, err := fmt.Sscan(l["__value__"], &v)
		return l[label] == value && err == nil && v >= min
	})
}

// ruleExprs reads a rule file: the names its recording rules record, and
// every expression.
func ruleExprs(t *testing.T, path string) (recorded, exprs []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recorded = append(recorded, r.Record)
			}
			exprs = append(exprs, r.Expr)
		}
	}
	return recorded, exprs
}

// dashboardExprs reads every panel query of a Grafana dashboard, and the
// metrics its template variables list values of (label_values(metric, l)).
func dashboardExprs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	labelValues := regexp.MustCompile(`^label_values\(\s*([^,]+),`)
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				s, ok := x.(string)
				switch {
				case ok && k == "expr":
					out = append(out, s)
				case ok && k == "query" && labelValues.MatchString(s):
					out = append(out, labelValues.FindStringSubmatch(s)[1])
				default:
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(dash)
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
