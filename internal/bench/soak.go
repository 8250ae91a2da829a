package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A soak is the other way to load a deployment: operations of several
// scenarios arrive at a fixed rate, whatever the server's answers, as
// people's clicks do — an open loop. A run of concurrent clients (measure)
// waits for each answer before asking again, so a slow server is asked
// less and its queue never grows; a soak shows what people meet when the
// load does not wait: past capacity the queue grows for the whole run and
// latencies with it, below it the tail stays a few times the median.

// MixPart is one scenario of a soak's mix and its weight: the scenario
// takes Weight / (sum of the weights) of the operations.
type MixPart struct {
	Scenario string
	Weight   int
}

// DefaultMix is a working hour's mix when none is given: interviewers
// opening their interviews, reading rubrics and submitting, recruiters
// reading role lists and debriefs. Comparisons and calibrations, which
// recruiters run a few times a day and which cost hundreds of
// milliseconds to seconds, are left out; --mix adds them.
var DefaultMix = []MixPart{
	{"my-interviews", 4}, {"rubric-revision", 2}, {scenarioSubmit, 1},
	{"list-candidates", 2}, {"debrief", 2},
}

// ParseMix reads "scenario=weight,…"; weights are positive integers.
func ParseMix(s string) ([]MixPart, error) {
	var mix []MixPart
	for field := range strings.SplitSeq(s, ",") {
		id, w, ok := strings.Cut(strings.TrimSpace(field), "=")
		weight, err := strconv.Atoi(strings.TrimSpace(w))
		if !ok || err != nil || weight < 1 {
			return nil, fmt.Errorf("--mix: %q is not scenario=weight with a positive whole weight", field)
		}
		mix = append(mix, MixPart{Scenario: strings.TrimSpace(id), Weight: weight})
	}
	return mix, nil
}

// FormatMix writes a mix as ParseMix reads it.
func FormatMix(mix []MixPart) string {
	parts := make([]string, len(mix))
	for i, p := range mix {
		parts[i] = p.Scenario + "=" + strconv.Itoa(p.Weight)
	}
	return strings.Join(parts, ",")
}

// validateMix reports a mix a soak cannot run.
func validateMix(mix []MixPart) error {
	var errs []error
	for i, p := range mix {
		if !slices.Contains(ScenarioIDs(), p.Scenario) {
			errs = append(errs, fmt.Errorf("--mix: unknown scenario %q (known: %s)", p.Scenario, strings.Join(ScenarioIDs(), ", ")))
		}
		if p.Weight < 1 {
			errs = append(errs, fmt.Errorf("--mix: %s has weight %d, want at least 1", p.Scenario, p.Weight))
		}
		if slices.ContainsFunc(mix[:i], func(q MixPart) bool { return q.Scenario == p.Scenario }) {
			errs = append(errs, fmt.Errorf("--mix: %s is listed twice", p.Scenario))
		}
	}
	return errors.Join(errs...)
}

// interleave returns the scenario (an index of mix) of each of n
// operations: every scenario in proportion to its weight, spread evenly
// over the run rather than in blocks (smooth weighted round robin), so
// that a minute's window of the run has the same mix as the whole.
func interleave(mix []MixPart, n int) []int {
	total := 0
	for _, p := range mix {
		total += p.Weight
	}
	current := make([]int, len(mix))
	out := make([]int, n)
	for i := range out {
		best := 0
		for k, p := range mix {
			current[k] += p.Weight
			if current[k] > current[best] {
				best = k
			}
		}
		current[best] -= total
		out[i] = best
	}
	return out
}

// SoakRow is one scenario of a soak, over both transports.
type SoakRow struct {
	Scenario string `json:"scenario"`
	// Rate is the soak's: every scenario's operations, a second.
	Rate float64 `json:"rate"`
	// PerSecond is the rate at which the scenario's operations were sent,
	// and RequestsPerSecond that of the calls they make.
	PerSecond         float64 `json:"offered_per_second"`
	RequestsPerSecond float64 `json:"offered_requests_per_second"`
	GRPC              Stats   `json:"grpc"`
	REST              Stats   `json:"rest"`
	// RSSBytes is the server's resident memory after the soak, when it
	// runs in the process; 0 when unknown.
	RSSBytes int64 `json:"rss_bytes,omitempty"`
}

// soak sends operations at rate for duration, the i-th of them the
// scenario order[i] (an index of ops), each in its own goroutine, and
// times each from when it was due, not from when it was sent: a
// launcher that falls behind shows as latency, never as a smaller
// load (no coordinated omission). Each scenario's operations are
// numbered from 1 on their own, as in a run of clients (0 is the
// untimed warm-up, made first). It waits for every operation, each
// bounded by opTimeout.
func soak(ctx context.Context, rate float64, duration time.Duration, order []int, ops []func(ctx context.Context, i int) error) []Stats {
	out := make([]Stats, len(ops))
	calls := make([]func(i int) error, len(ops))
	warm := make([]bool, len(ops))
	for k, op := range ops {
		calls[k] = bounded(ctx, op)
		if err := calls[k](0); err != nil {
			out[k] = warmUpFailed(err)
			continue
		}
		warm[k] = true
	}
	var (
		tallies = make([]tally, len(ops))
		next    = make([]int, len(ops))
		wg      sync.WaitGroup
	)
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i, k := range order {
		due := start.Add(time.Duration(i) * interval)
		if !warm[k] {
			continue
		}
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		if ctx.Err() != nil {
			break
		}
		next[k]++
		n := next[k]
		wg.Go(func() {
			err := calls[k](n)
			tallies[k].add(time.Since(due), err)
		})
	}
	wg.Wait()
	wall := time.Since(start)
	for k := range ops {
		if warm[k] {
			out[k] = tallies[k].stats(wall)
		}
	}
	return out
}

// soakOperations is how many operations a soak sends: rate × duration.
func soakOperations(rate float64, duration time.Duration) int {
	return int(math.Floor(rate * duration.Seconds()))
}

// runSoaks runs cfg's mix at each of cfg.Rates for cfg.Duration, over
// each transport in turn, with fresh interviews for each soak's submits,
// and adds its rows and setup lines to the report.
func runSoaks(ctx context.Context, cfg Config, data *dataset, transports []transport, target Target, report *Report, log *slog.Logger) error {
	all := scenarios(data)
	scenarioOf := func(id string) scenario {
		return all[slices.IndexFunc(all, func(s scenario) bool { return s.id == id })]
	}
	total := 0
	for _, p := range cfg.Mix {
		total += p.Weight
	}
	report.Setup = append(report.Setup,
		fmt.Sprintf("soaks: the mix %s at %s operations a second, each for %s, over gRPC then REST (open loop: each operation is sent when due, whatever the answers); each scenario's first operation is an untimed warm-up",
			FormatMix(cfg.Mix), formatRates(cfg.Rates), cfg.Duration),
		"a soak's latencies count from when an operation was due, so a queue shows in them; p99/p50 is the tail against the median")
	for _, p := range cfg.Mix {
		sc := scenarioOf(p.Scenario)
		report.Setup = append(report.Setup, fmt.Sprintf("`%s` (%s): %s", sc.id, sc.who, sc.calls))
	}
	for _, rate := range cfg.Rates {
		order := interleave(cfg.Mix, soakOperations(rate, cfg.Duration))
		rows := make([]SoakRow, len(cfg.Mix))
		for k, p := range cfg.Mix {
			perSecond := rate * float64(p.Weight) / float64(total)
			rows[k] = SoakRow{Scenario: p.Scenario, Rate: rate, PerSecond: perSecond,
				RequestsPerSecond: perSecond * float64(max(1, scenarioOf(p.Scenario).requests))}
		}
		for _, t := range transports {
			ops := make([]func(ctx context.Context, i int) error, len(cfg.Mix))
			for k, p := range cfg.Mix {
				sc := scenarioOf(p.Scenario)
				op := sc.op
				if sc.prepare != nil {
					// Fresh data for every operation of this soak, and
					// its warm-up, made before the clock starts.
					var err error
					if op, err = sc.prepare(ctx, t.api, count(order, k)+1); err != nil {
						return fmt.Errorf("prepare %s: %w", sc.id, err)
					}
				}
				ops[k] = func(ctx context.Context, i int) error { return op(ctx, t.api, i) }
			}
			log.Info("soak", "transport", t.name, "per_second", rate, "operations", len(order), "for", cfg.Duration)
			for k, s := range soak(ctx, rate, cfg.Duration, order, ops) {
				if s.Errors > 0 {
					log.Warn("calls failed", "scenario", cfg.Mix[k].Scenario, "transport", t.name, "errors", s.Errors, "first", s.FirstError)
				}
				if t.name == "gRPC" {
					rows[k].GRPC = s
				} else {
					rows[k].REST = s
				}
			}
		}
		if target.RSS != nil {
			if n, err := target.RSS(); err == nil { // unknown otherwise
				for k := range rows {
					rows[k].RSSBytes = n
				}
			}
		}
		report.Soak = append(report.Soak, rows...)
	}
	return nil
}

// formatRates writes rates as --rate takes them.
func formatRates(rates []float64) string {
	parts := make([]string, len(rates))
	for i, r := range rates {
		parts[i] = strconv.FormatFloat(r, 'g', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// count is how many times k occurs in order.
func count(order []int, k int) int {
	n := 0
	for _, x := range order {
		if x == k {
			n++
		}
	}
	return n
}
