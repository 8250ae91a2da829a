package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// selector is a metric a PromQL expression reads, with its equality
// matchers (label="value"); regular-expression and negative matchers are
// not kept: they need not match any one series.
type selector struct {
	name  string
	equal map[string]string
}

// notMetrics are the words of PromQL that stand where a metric name could:
// aggregation operators (followed by "by" as often as by "("), modifiers
// and set operators.
var notMetrics = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
}

// labelLists are the words followed by a list of label names in
// parentheses, which are not metrics either.
var labelLists = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true}

var matcher = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"`)

// promqlNames lists the metrics an expression selects, in order. It is a
// lexer for the subset of PromQL the rules and the dashboard use: it skips
// strings, numbers, durations and ranges in brackets, Grafana's $variables,
// functions (a name followed by "("), operators and the label lists of
// by/without/on/ignoring/group_left/group_right.
func promqlNames(expr string) []selector {
	var out []selector
	isStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isPart := func(c byte) bool { return isStart(c) || c >= '0' && c <= '9' }
	skipSpace := func(i int) int {
		for i < len(expr) && strings.IndexByte(" \t\r\n", expr[i]) >= 0 {
			i++
		}
		return i
	}
	// closing returns the index after the bracket that closes the one at i.
	closing := func(i int, open, close byte) int {
		depth := 0
		for ; i < len(expr); i++ {
			switch expr[i] {
			case open:
				depth++
			case close:
				if depth--; depth == 0 {
					return i + 1
				}
			case '"':
				for i++; i < len(expr) && expr[i] != '"'; i++ {
					if expr[i] == '\\' {
						i++
					}
				}
			}
		}
		return i
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(expr) && expr[j] != c {
				if expr[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '[':
			i = closing(i, '[', ']')
		case c == '{': // a selector without a name: {__name__="…"} is not used here
			i = closing(i, '{', '}')
		case c == '$' || c >= '0' && c <= '9' || c == '.':
			// A number (14.4, 1e3, 0x1f), a duration, or $variable.
			for i++; i < len(expr) && (isPart(expr[i]) || expr[i] == '.'); i++ {
			}
		case isStart(c):
			j := i
			for j < len(expr) && isPart(expr[j]) {
				j++
			}
			word, next := expr[i:j], skipSpace(j)
			switch {
			case labelLists[word] && next < len(expr) && expr[next] == '(':
				i = closing(next, '(', ')')
			case notMetrics[word]:
				i = j
			case next < len(expr) && expr[next] == '(': // a function
				i = j
			default:
				sel := selector{name: word, equal: map[string]string{}}
				i = j
				if next < len(expr) && expr[next] == '{' {
					end := closing(next, '{', '}')
					for _, m := range matcher.FindAllStringSubmatch(expr[next:end], -1) {
						if m[2] == "=" && !strings.Contains(m[3], "$") {
							sel.equal[m[1]] = m[3]
						}
					}
					i = end
				}
				out = append(out, sel)
			}
		default:
			i++
		}
	}
	return out
}

func TestPromqlNames(t *testing.T) {
	tests := []struct {
		expr string
		want []selector
	}{
		{`up{job=~"yardstick.*"} == 0`, []selector{{"up", map[string]string{}}}},
		{
			`sum by (route, code) (rate(yardstick_gateway_requests_total{job=~"$job",code=~"5..",method="GET"}[$__rate_interval]))`,
			[]selector{{"yardstick_gateway_requests_total", map[string]string{"method": "GET"}}},
		},
		{
			"histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{grpc_method=\"ComputeCalibration\", le=\"1e3\"}[1h]))) > 5",
			[]selector{{"grpc_server_handling_seconds_bucket", map[string]string{"grpc_method": "ComputeCalibration", "le": "1e3"}}},
		},
		{
			`yardstick:slo_errors:ratio_rate5m / on(sli) group_left() yardstick:slo_error_budget:ratio > 14.4 and vector(1e3)`,
			[]selector{{"yardstick:slo_errors:ratio_rate5m", map[string]string{}}, {"yardstick:slo_error_budget:ratio", map[string]string{}}},
		},
		{
			`1 - (sum(rate(a_bucket{route="/v1/{name=candidates/*}:summarize"}[5m] offset 1h)) / sum without (x) (rate(a_count[5m])))`,
			[]selector{{"a_bucket", map[string]string{"route": "/v1/{name=candidates/*}:summarize"}}, {"a_count", map[string]string{}}},
		},
	}
	for _, tt := range tests {
		got := promqlNames(tt.expr)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(selector{})); diff != "" {
			t.Errorf("promqlNames(%q) (-want +got):\n%s", tt.expr, diff)
		}
	}
}
