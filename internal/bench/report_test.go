package bench

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

// The nearest-rank percentile, checked against the worked example of
// https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
// (15, 20, 35, 40, 50: the 30th percentile is 20, the 40th 20, the 50th
// 35, the 100th 50).
func TestPercentile(t *testing.T) {
	sorted := ms(15, 20, 35, 40, 50)
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{
		{5, 15 * time.Millisecond}, {30, 20 * time.Millisecond}, {40, 20 * time.Millisecond},
		{50, 35 * time.Millisecond}, {100, 50 * time.Millisecond}, {0, 15 * time.Millisecond},
	} {
		if got := percentile(sorted, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", sorted, tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %v, want 0", got)
	}
	// 1..100 ms: the p-th percentile is p ms exactly.
	var hundred []time.Duration
	for i := range 100 {
		hundred = append(hundred, time.Duration(i+1)*time.Millisecond)
	}
	for _, p := range []float64{50, 90, 99} {
		if got, want := percentile(hundred, p), time.Duration(p)*time.Millisecond; got != want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", p, got, want)
		}
	}
}

func TestNewStats(t *testing.T) {
	// Unsorted samples, one failure, two seconds.
	s := newStats(ms(40, 10, 30, 20), 1, "boom", 2*time.Second)
	want := Stats{Requests: 5, Errors: 1, Seconds: 2, PerSecond: 2.5, P50: 20, P90: 40, P99: 40, FirstError: "boom"}
	if s != want {
		t.Errorf("newStats = %+v, want %+v", s, want)
	}
}

func TestReport(t *testing.T) {
	r := &Report{Setup: []string{"database: tiny"}, Results: []Result{
		{Scenario: "debrief", Clients: 4, RSSBytes: 96 << 20,
			GRPC: Stats{Requests: 100, PerSecond: 50, P50: 2, P90: 3, P99: 12.5},
			REST: Stats{Requests: 80, Errors: 2, PerSecond: 40, P50: 3, P90: 4.5, P99: 150}},
		{Scenario: "compare", Clients: 1, REST: Stats{Requests: 1, Errors: 1}},
	}}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	wantRows := []string{
		"| debrief | 4 | 100 | 0 | 50.0 | 2.00 / 3.00 / 12.5 | 80 | 2 | 40.0 | 3.00 / 4.50 / 150 | 1.50 | 0.80 | 96 MiB |",
		"| compare | 1 | 0 | 0 | 0.0 | 0.00 / 0.00 / 0.00 | 1 | 1 | 0.0 | 0.00 / 0.00 / 0.00 | n/a | n/a | n/a |",
	}
	if lines[0] != "- database: tiny" || !slices.Equal(lines[len(lines)-2:], wantRows) {
		t.Errorf("WriteMarkdown =\n%s\nwant the setup first and rows\n%s", b.String(), strings.Join(wantRows, "\n"))
	}
	// Every row has the header's number of cells.
	cells := strings.Count(lines[2], "|")
	for _, l := range lines[2:] {
		if strings.Count(l, "|") != cells {
			t.Errorf("row %q has %d bars, the header %d", l, strings.Count(l, "|"), cells)
		}
	}

	b.Reset()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	if back.Results[0].REST.P99 != 150 || back.Results[0].RSSBytes != 96<<20 {
		t.Errorf("JSON round trip = %+v, want the report back", back.Results[0])
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Scorecards: 10, Roles: 1, Interviewers: 5, SeedConcurrency: 1, Clients: []int{1}, Duration: time.Second, Writes: 1, Calibrations: 1, RunID: "abc1"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v, want nil", ok, err)
	}
	for name, change := range map[string]func(*Config){
		"no scorecards":        func(c *Config) { c.Scorecards = 0 },
		"fewer than a panel":   func(c *Config) { c.Interviewers = 4 },
		"zero clients":         func(c *Config) { c.Clients = []int{1, 0} },
		"unknown scenario":     func(c *Config) { c.Scenarios = []string{"debrief", "lunch"} },
		"run ID with a hyphen": func(c *Config) { c.RunID = "a-b" },
		"no duration":          func(c *Config) { c.Duration = 0 },
	} {
		c := ok
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate(%+v) = nil, want an error", name, c)
		}
	}
}

// The draft-and-submit scenario adds scorecards: it runs after the reads.
func TestScenarioOrder(t *testing.T) {
	ids := ScenarioIDs()
	if ids[len(ids)-1] != scenarioSubmit || !slices.Contains(ids, scenarioCalibration) {
		t.Errorf("ScenarioIDs() = %v, want %s last and %s among them", ids, scenarioSubmit, scenarioCalibration)
	}
}
