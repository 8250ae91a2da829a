package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Stats are one measured run: one scenario, one transport, one number of
// clients.
type Stats struct {
	// Requests is how many operations finished, failed ones included.
	Requests int `json:"requests"`
	// Errors is how many of them failed.
	Errors int `json:"errors"`
	// Seconds is the run's wall time, from the first start to the last end.
	Seconds float64 `json:"seconds"`
	// PerSecond is Requests / Seconds.
	PerSecond float64 `json:"per_second"`
	// P50, P90 and P99 are latencies of the successful operations, in
	// milliseconds, by the nearest-rank method.
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	// FirstError is the first failure's message, for the reader.
	FirstError string `json:"first_error,omitempty"`
}

// newStats summarises a run's latencies (successful operations only).
func newStats(latencies []time.Duration, errors int, firstError string, wall time.Duration) Stats {
	s := Stats{Requests: len(latencies) + errors, Errors: errors, Seconds: wall.Seconds(), FirstError: firstError}
	if wall > 0 {
		s.PerSecond = float64(s.Requests) / wall.Seconds()
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	s.P50, s.P90, s.P99 = ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99))
	return s
}

// tally gathers a run's outcomes as its operations end, from any number
// of goroutines.
type tally struct {
	mu         sync.Mutex
	latencies  []time.Duration
	errors     int
	firstError string
}

// add counts one operation: its latency when it succeeded, its error
// otherwise.
func (t *tally) add(took time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		if t.errors == 0 {
			t.firstError = err.Error()
		}
		t.errors++
		return
	}
	t.latencies = append(t.latencies, took)
}

// stats summarises what was added, over a run of wall time.
func (t *tally) stats(wall time.Duration) Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return newStats(t.latencies, t.errors, t.firstError, wall)
}

// warmUpFailed is a run that stopped at its untimed first operation.
func warmUpFailed(err error) Stats {
	return Stats{Requests: 1, Errors: 1, FirstError: "warm-up: " + err.Error()}
}

// percentile is the exact p-th percentile of sorted samples by the
// nearest-rank method: the smallest sample with at least p% of the samples
// at or below it. Zero when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Result is one row of the report: a scenario at a number of clients, over
// both transports.
type Result struct {
	Scenario string `json:"scenario"`
	Clients  int    `json:"clients"`
	GRPC     Stats  `json:"grpc"`
	REST     Stats  `json:"rest"`
	// RSSBytes is the process's resident memory after the row's runs, when
	// the server runs in the process; 0 when unknown.
	RSSBytes int64 `json:"rss_bytes,omitempty"`
}

// Ratio returns REST/gRPC of the p50 latency and of the throughput (0 when
// a side has nothing to compare).
func (r Result) Ratio() (p50, throughput float64) {
	if r.GRPC.P50 > 0 {
		p50 = r.REST.P50 / r.GRPC.P50
	}
	if r.GRPC.PerSecond > 0 {
		throughput = r.REST.PerSecond / r.GRPC.PerSecond
	}
	return p50, throughput
}

// Report is what a bench run found.
type Report struct {
	// Setup describes the run, one line each (size, target, machine).
	Setup   []string `json:"setup"`
	Results []Result `json:"results,omitempty"`
	// Soak is the soaks' rows (Config.Rates): per rate, one per scenario
	// of the mix.
	Soak []SoakRow `json:"soak,omitempty"`
}

// WriteMarkdown writes the setup as a list and the results as one table,
// ready to paste into docs/performance.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, line := range r.Setup {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	if len(r.Soak) > 0 {
		r.writeSoak(&b)
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("\n| scenario | clients | gRPC req | gRPC err | gRPC req/s | gRPC p50 / p90 / p99 ms " +
		"| REST req | REST err | REST req/s | REST p50 / p90 / p99 ms | REST/gRPC p50 | REST/gRPC req/s | RSS |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, res := range r.Results {
		p50, tput := res.Ratio()
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s |\n", res.Scenario, res.Clients,
			stats(res.GRPC), stats(res.REST), ratio(p50), ratio(tput), rss(res.RSSBytes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSoak writes a soak's table: per scenario, what was sent and what
// came back over each transport, with the tail against the median.
func (r *Report) writeSoak(b *strings.Builder) {
	b.WriteString("\n| soak ops/s (calls/s) | scenario | its ops/s (calls/s) | gRPC req | gRPC err | gRPC p50 / p90 / p99 ms | gRPC p99/p50 " +
		"| REST req | REST err | REST p50 / p90 / p99 ms | REST p99/p50 | RSS |\n")
	b.WriteString("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	calls := map[float64]float64{} // a soak's calls a second, by its rate
	for _, row := range r.Soak {
		calls[row.Rate] += row.RequestsPerSecond
	}
	for _, row := range r.Soak {
		fmt.Fprintf(b, "| %g (%.0f) | %s | %.1f (%.1f) | %s | %s | %s |\n", row.Rate, calls[row.Rate], row.Scenario, row.PerSecond, row.RequestsPerSecond,
			soakCells(row.GRPC), soakCells(row.REST), rss(row.RSSBytes))
	}
}

// soakCells is the four cells of one transport in a soak.
func soakCells(s Stats) string {
	tail := 0.0
	if s.P50 > 0 {
		tail = s.P99 / s.P50
	}
	return fmt.Sprintf("%d | %d | %s / %s / %s | %s", s.Requests, s.Errors, millis(s.P50), millis(s.P90), millis(s.P99), ratio(tail))
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// stats is the four cells of one transport.
func stats(s Stats) string {
	return fmt.Sprintf("%d | %d | %.1f | %s / %s / %s", s.Requests, s.Errors, s.PerSecond, millis(s.P50), millis(s.P90), millis(s.P99))
}

// millis shows a latency with about three significant digits.
func millis(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	default:
		return fmt.Sprintf("%.2f", ms)
	}
}

func ratio(x float64) string {
	if x == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", x)
}

func rss(bytes int64) string {
	if bytes <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d MiB", bytes>>20)
}
