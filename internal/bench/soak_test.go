package bench

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	mix, err := ParseMix(" debrief=3, my-interviews=1")
	if err != nil || !slices.Equal(mix, []MixPart{{"debrief", 3}, {"my-interviews", 1}}) {
		t.Fatalf("ParseMix = %v, %v; want debrief 3, my-interviews 1", mix, err)
	}
	if got := FormatMix(mix); got != "debrief=3,my-interviews=1" {
		t.Errorf("FormatMix = %q", got)
	}
	for _, bad := range []string{"", "debrief", "debrief=0", "debrief=-1", "debrief=1.5", "debrief=2,"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) = nil error, want one", bad)
		}
	}
	if err := validateMix(DefaultMix); err != nil {
		t.Errorf("the default mix: %v", err)
	}
	for name, mix := range map[string][]MixPart{
		"unknown scenario": {{"lunch", 1}},
		"listed twice":     {{"debrief", 1}, {"debrief", 2}},
		"zero weight":      {{"debrief", 0}},
	} {
		if err := validateMix(mix); err == nil {
			t.Errorf("%s: validateMix(%v) = nil, want an error", name, mix)
		}
	}
}

// Every scenario gets its share, and no window of the run is all one
// scenario: a minute of a soak has the mix of the whole.
func TestInterleave(t *testing.T) {
	mix := []MixPart{{"a", 4}, {"b", 2}, {"c", 1}}
	order := interleave(mix, 700)
	for k, want := range []int{400, 200, 100} {
		if got := count(order, k); got != want {
			t.Errorf("%s: %d of 700 operations, want %d", mix[k].Scenario, got, want)
		}
	}
	for i := 0; i+7 <= len(order); i += 7 {
		window := order[i : i+7]
		if count(window, 0) != 4 || count(window, 1) != 2 || count(window, 2) != 1 {
			t.Fatalf("operations %d–%d are %v, want 4, 2 and 1 of each", i, i+6, window)
		}
	}
}

func TestValidateRates(t *testing.T) {
	ok := Config{Scorecards: 10, Roles: 1, Interviewers: 5, SeedConcurrency: 1, Clients: []int{1}, Duration: time.Second,
		Writes: 1, Calibrations: 1, RunID: "abc1", Rates: []float64{5, 30}, Mix: DefaultMix}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v, want nil", ok, err)
	}
	for name, change := range map[string]func(*Config){
		"zero rate":            func(c *Config) { c.Rates = []float64{30, 0} },
		"no operation at all":  func(c *Config) { c.Rates = []float64{0.5} },
		"no mix":               func(c *Config) { c.Mix = nil },
		"unknown mix scenario": func(c *Config) { c.Mix = []MixPart{{"nap", 1}} },
	} {
		c := ok
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate(%+v) = nil, want an error", name, c)
		}
	}
}

// A soak keeps sending while the server is slow, and counts each
// operation from when it was due: a server that answers one at a time,
// 40 ms each (25 a second), sent 50 a second shows a queue that grows
// for the whole run (no coordinated omission), where a loop of clients
// would have shown 40 ms.
func TestSoakShowsTheQueue(t *testing.T) {
	var server sync.Mutex
	slow := func(ctx context.Context, i int) error {
		server.Lock()
		defer server.Unlock()
		time.Sleep(40 * time.Millisecond)
		return nil
	}
	fast := func(ctx context.Context, i int) error { return nil }
	order := interleave([]MixPart{{"slow", 1}, {"fast", 1}}, 60)
	stats := soak(context.Background(), 100, 600*time.Millisecond, order, []func(context.Context, int) error{slow, fast})
	if stats[0].Requests != 30 || stats[1].Requests != 30 || stats[0].Errors+stats[1].Errors != 0 {
		t.Fatalf("soak = %+v, want 30 operations of each, no errors", stats)
	}
	// The 15th slow operation is due at 280 ms and answered at about
	// 16 × 40 ms = 640 ms, the 30th due at 580 ms and answered at 1.24 s.
	if stats[0].P50 < 200 || stats[0].P99 < 450 {
		t.Errorf("slow: p50 %.1f ms, p99 %.1f ms: want a tail that shows the queue", stats[0].P50, stats[0].P99)
	}
	if stats[1].P99 > 100 {
		t.Errorf("fast: p99 %.1f ms, want it unaffected by the slow scenario's queue", stats[1].P99)
	}
}

func TestSoakReport(t *testing.T) {
	r := &Report{Setup: []string{"database: tiny"}, Soak: []SoakRow{
		{Scenario: "my-interviews", Rate: 30, PerSecond: 10.9, RequestsPerSecond: 10.9, RSSBytes: 90 << 20,
			GRPC: Stats{Requests: 654, P50: 20, P90: 40, P99: 120},
			REST: Stats{Requests: 650, Errors: 4, P50: 25, P90: 60, P99: 500}},
	}}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := "| 30 (11) | my-interviews | 10.9 (10.9) | 654 | 0 | 20.0 / 40.0 / 120 | 6.00 | 650 | 4 | 25.0 / 60.0 / 500 | 20.00 | 90 MiB |"
	if got := lines[len(lines)-1]; got != want {
		t.Errorf("the soak's row = %q, want %q", got, want)
	}
	if header := lines[len(lines)-3]; strings.Count(header, "|") != strings.Count(want, "|") {
		t.Errorf("header %q and row %q differ in cells", header, want)
	}
}
